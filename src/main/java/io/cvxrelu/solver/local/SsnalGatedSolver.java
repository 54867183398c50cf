package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.ssnal.DualAugmentedLagrangian;
import io.cvxrelu.solver.local.ssnal.SigmaSchedule;

/**
 * Semismooth Newton augmented Lagrangian method (SSNAL) for the gated-ReLU group lasso with
 * squared loss, min_B h(A B) + p(B), h(z) = 1/2 ||z - y||^2, p(B) = beta sum_i ||B_i||,
 * A B = sum_i D_i X B_i (Pilanci and Ergen 2020, eq. (8) without the cone constraints).
 *
 * <p>It follows Li, Sun and Toh, "A highly efficient semismooth Newton augmented Lagrangian
 * method for solving Lasso problems", SIAM J. Optim. 28 (2018), Algorithm 1 (SSNAL) and
 * Algorithm 2 (SSN), with the group-lasso proximal Jacobian of Zhang, Zhang, Sun and Toh,
 * Math. Program. 179 (2020), Section 3. The augmented Lagrangian method runs on the dual
 * <pre>
 *   min_{xi, u} h*(xi) + p*(u)  s.t.  A^T xi + u = 0,   h*(xi) = 1/2 ||xi||^2 + &lt;y, xi&gt;,
 * </pre>
 * with the primal weights B as multiplier and penalty sigma (LST eq. (17)). Minimising the
 * augmented Lagrangian over u in closed form leaves the inner problem (LST eq. (19))
 * <pre>
 *   psi(xi) = h*(xi) + 1/(2 sigma) ||prox_{sigma p}(B - sigma A^T xi)||^2 - ||B||^2/(2 sigma),
 *   grad psi(xi) = xi + y - A prox_{sigma p}(B - sigma A^T xi),
 * </pre>
 * solved by semismooth Newton steps on the generalised Hessian I + sigma A J A^T (LST eq. (23);
 * ZZST Proposition 3.2): for the group soft-threshold at W = B - sigma A^T xi the Jacobian is
 * block diagonal with J_i = (1 - c_i) I + c_i w_i w_i^T / ||w_i||^2, c_i = sigma beta /
 * ||w_i||, on the groups with ||w_i|| &gt; sigma beta and 0 elsewhere. The Newton system is
 * solved by conjugate gradients whose matrix-vector products touch only the active groups (a
 * compacted copy of their mask columns), so a CG step costs 4 n d r flops for r active groups
 * instead of the 4 n d P of a full pass; a full adjoint pass is needed once per Newton step
 * for the line search (A^T of the direction, over all groups), after which the Armijo search
 * on psi (LST Algorithm 2, step 2) costs only group prox evaluations. After each inner solve,
 * B &lt;- prox_{sigma p}(B - sigma A^T xi) (LST Algorithm 1, step 2) and sigma grows.
 *
 * <p>The CG matrix I + sigma A J A^T is preconditioned by an exact inverse (Woodbury, one
 * d x d Cholesky factor) of a model of it: the mean part X (sum_i q_i^2 J_i) X^T of
 * sum_i D_i X J_i X^T D_i (q_i the fraction of rows pattern i switches on), which carries the
 * d large eigenvalues, plus a diagonal that makes the model's diagonal exact. It is used when
 * d is at most the number of active groups, so that setting it up (O(n d^2)) costs no more
 * than a CG step.
 *
 * <p>After every Newton step the prox point B~ = prox_{sigma p}(B - sigma A^T xi), whose
 * predictions the gradient already needed, is certified against the dual point -xi scaled into
 * the dual feasible set ({@link Certificate#fromDualNorm}, the construction of
 * {@link Certificate#atPrediction} with the method's own dual iterate instead of the residual;
 * both are the residual at the optimum). A^T xi is kept up to date from the line search, so the
 * certificate costs no pass; it is recomputed in one pass before convergence is claimed. The
 * history has one record per Newton step: {@code iteration} counts Newton steps (the unit of
 * {@link SolverOptions#maxIterations}) and {@code innerIterations} the CG steps so far.
 *
 * <p>The method's steps are in {@link io.cvxrelu.solver.local.ssnal}: the outer loop
 * ({@link DualAugmentedLagrangian}), the semismooth Newton solve with its line search, the
 * group soft-threshold, the generalised Jacobian product, the preconditioned CG and the
 * certified record of the run.
 */
public final class SsnalGatedSolver implements ConvexSolver {
  private final SigmaSchedule schedule;

  /** Defaults: sigma_0 = 1 / ||A||^2, growing by 5 per outer iteration up to 10^6 / ||A||^2. */
  public SsnalGatedSolver() {
    this(1.0, 5.0, 1e6);
  }

  /**
   * @param initialSigmaScale sigma_0 ||A||^2
   * @param sigmaGrowth factor applied to sigma after each outer iteration (at least 1)
   * @param sigmaMaxScale largest sigma ||A||^2
   */
  public SsnalGatedSolver(double initialSigmaScale, double sigmaGrowth, double sigmaMaxScale) {
    if (!(initialSigmaScale > 0.0) || !(sigmaGrowth >= 1.0)
        || !(sigmaMaxScale >= initialSigmaScale)) {
      throw new IllegalArgumentException("need sigma_0 > 0, growth >= 1, sigma_max >= sigma_0");
    }
    this.schedule = new SigmaSchedule(initialSigmaScale, sigmaGrowth, sigmaMaxScale);
  }

  /**
   * Budget for the solver's own arrays of n rows (compacted mask columns of the active groups,
   * the preconditioner's two n x d factors, the single-precision copy of X for CG's products),
   * in doubles: n (P + 3 d) at most, within a quarter of the JVM's heap and never below 5 10^7
   * (400 MB).
   */
  public static final long MAX_DOUBLES = Math.max(50_000_000L,
      Runtime.getRuntime().maxMemory() / Double.BYTES / 4);

  /**
   * Whether this is the default for the problem ({@code train.SolverChoice.local}): the gated
   * formulation, squared loss, and working arrays within {@link #MAX_DOUBLES}.
   */
  public static boolean supports(ConvexReluProblem problem) {
    return problem.formulation() == Formulation.GATED && problem.loss() instanceof SquaredLoss
        && (long) problem.n() * (problem.blockCount() + 3L * problem.d()) <= MAX_DOUBLES;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (problem.formulation() != Formulation.GATED) {
      throw new IllegalArgumentException("SsnalGatedSolver solves the gated formulation only");
    }
    if (!(problem.loss() instanceof SquaredLoss)) {
      throw new IllegalArgumentException("SsnalGatedSolver needs the squared loss, got "
          + problem.loss().name());
    }
    return new DualAugmentedLagrangian(problem, options, listener, schedule).solve(warmStart);
  }
}
