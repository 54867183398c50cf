package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.ipm.CertifiedPath;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.ArrayList;
import java.util.List;

/**
 * Primal-dual interior-point method for the cone-constrained ReLU program with squared loss
 * (Pilanci and Ergen 2020, eq. (8)), written as a cone quadratic program in the blocks b_j
 * (the columns v_1..v_P, w_1..w_P) and epigraph variables t_j:
 * <pre>
 *   min  1/2 ||A b - y||^2 + beta sum_j t_j,     A b = sum_j sigma_j D_j X b_j
 *   s.t. K_j b_j &gt;= 0 (n rows each),  (t_j, b_j) in the second-order cone,
 * </pre>
 * with sigma = +1 for v and -1 for w and K_j = (2 D_j - I) X. The iteration is
 * {@link PathFollowing}: Mehrotra predictor-corrector path following with Nesterov-Todd scaling
 * of Vandenberghe's "The CVXOPT linear and quadratic cone program solvers" (2010, sections 2-5).
 *
 * <p>Structure makes each Newton system cheap. With the scaling, the reduced matrix is
 * H + E^T A^T A E with H block diagonal, (d+1) x (d+1) blocks X^T diag(z_j / s_j) X + Phi_j
 * (one GEMM for all blocks through the row-wise Khatri-Rao products of X). The loss sees only
 * a_i = v_i - w_i, so eliminating every pattern's (t_v, t_w, v + w) part leaves the normal
 * equations (S + G) a = r' of size P d, with G = A_v^T A_v (blocks X^T D_i D_k X, constant over
 * the solve, computed once) and S the Schur complements: one P d x P d Cholesky per
 * iteration, then two solves (predictor and corrector), each with one step of iterative
 * refinement. Unlike a Woodbury identity over the n rows, this never subtracts the large
 * H^-1 terms that appear near the end, where the blocks' multipliers diverge. The method needs
 * 20-60 iterations whatever the conditioning, so it suits problems with P d up to a few
 * thousand ({@link #supports}); ADMM and the augmented Lagrangian take larger ones.
 *
 * <p>The iterates stay strictly inside the cones, so the network read off the blocks is
 * exactly feasible. {@link CertifiedPath} makes the iteration a solver: the cone multipliers
 * z_j of K_j b_j &gt;= 0 are the mu of {@link Certificate}, which decides convergence like for
 * every other solver, and blocks whose norm is negligible at the end are set to zero (they are
 * the inactive neurons the interior iterates only approach) when the certificate stays within
 * tolerance. Numerical trouble before the tolerance hands the best point to
 * {@link AdmmReluSolver}.
 */
public final class InteriorPointReluSolver implements ConvexSolver {
  /**
   * Largest P d: the normal equations are P d x P d, one Cholesky factorisation
   * ((P d)^3 / 3 flops) per iteration. At the limit that is 1.8e11 flops, a few seconds with the
   * blocked parallel {@link Cholesky}, so the 20-60 iterations still beat ADMM's tail: on
   * Gaussian instances with P d = 4500-8000 ADMM had not certified 1e-6 after 300 s where this
   * method certified 1e-7 in 30-130 s.
   */
  public static final int MAX_PATTERN_DIMENSION = 8192;
  /** Budget for the n x d(d+1)/2 Khatri-Rao products and the n x 2P iterates, in doubles. */
  private static final long MAX_DOUBLES = 8_000_000L;

  /**
   * True for the ReLU formulation with squared loss, P d at most
   * {@link #MAX_PATTERN_DIMENSION} and n small enough for the n x d(d+1)/2 Khatri-Rao products
   * and the n x 2P iterates (about 20 arrays) to stay within a few hundred megabytes, and the
   * two P d x P d matrices (the pattern Gram matrix, and the normal matrix factored in place)
   * within half of the JVM's heap.
   */
  public static boolean supports(ConvexReluProblem problem) {
    long n = problem.n();
    int d = problem.d();
    int p = problem.patternCount();
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss
        && (long) p * d <= MAX_PATTERN_DIMENSION
        && n * d * (d + 1) / 2 <= MAX_DOUBLES && n * 2 * p <= MAX_DOUBLES / 2
        && 2L * p * d * p * d <= Runtime.getRuntime().maxMemory() / Double.BYTES / 2;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("the interior-point solver takes the ReLU formulation "
          + "with squared loss, P d <= " + MAX_PATTERN_DIMENSION + ", moderate n and heap for "
          + "two P d x P d matrices");
    }
    long start = System.nanoTime();
    PathFollowing path;
    try {
      path = new PathFollowing(problem);
    } catch (ArithmeticException e) {
      return fallback(problem, warmStart, options, listener, start);
    }
    CertifiedPath<DenseMatrix> run = new CertifiedPath<>(new CertifiedPath.Rows<>() {
      @Override
      public DenseMatrix multipliers() {
        return path.multipliers();
      }

      @Override
      public Certificate certify(DenseMatrix b, DenseMatrix mu) {
        return Certificate.compute(problem, b, problem.forward(b), mu);
      }

      @Override
      public Certificate certify(DenseMatrix b, DenseMatrix mu, ConeRows.Prepared prepared) {
        Certificate c = CertifiedPath.fromPrepared(problem.regularizer(b), problem.beta(),
            prepared);
        return c != null ? c : certify(b, mu);
      }
    }, options, AdmmReluSolver.feasibilityTolerance(problem, options), start);
    run.follow(path, listener);
    if (run.best() == null) {
      return fallback(problem, warmStart, options, listener, start);
    }
    CertifiedPath.Point<DenseMatrix> out = run.pruneInactiveBlocks();
    StopReason reason = run.reason();
    if (reason != StopReason.CONVERGED && reason != StopReason.STOPPED_BY_LISTENER
        && out.certificate().relativeGap() > options.tolerance()) {
      // Numerical trouble before the tolerance: hand the best point to ADMM, which polishes.
      double left = options.maxSeconds() - (System.nanoTime() - start) * 1e-9;
      if (left > 0.0 && reason != StopReason.MAX_ITERATIONS) {
        return handOffToAdmm(problem, options, run, out.weights(), left, listener);
      }
    }
    return run.result(out, out.multipliers());
  }

  /** ADMM from the returned point for the time left, with the two histories joined. */
  private static SolverResult handOffToAdmm(ConvexReluProblem problem, SolverOptions options,
      CertifiedPath<DenseMatrix> run, DenseMatrix from, double left, IterationListener listener) {
    SolverResult admm = new AdmmReluSolver().solve(problem, from,
        new SolverOptions(options.tolerance(), options.feasibilityTolerance(),
            options.maxIterations(), left), listener);
    List<IterationRecord> all = new ArrayList<>(run.history());
    all.addAll(admm.history());
    return new SolverResult(admm.weights(), admm.certificate(), admm.stopReason(),
        List.copyOf(all), run.iterations() + admm.iterations(), run.seconds(),
        admm.multipliers());
  }

  private static SolverResult fallback(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, long start) {
    double left = Math.max(1e-3, options.maxSeconds() - (System.nanoTime() - start) * 1e-9);
    return new AdmmReluSolver().solve(problem, warmStart, new SolverOptions(options.tolerance(),
        options.feasibilityTolerance(), options.maxIterations(), left), listener);
  }
}
