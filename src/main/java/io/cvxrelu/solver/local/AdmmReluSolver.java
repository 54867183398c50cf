package io.cvxrelu.solver.local;

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
import io.cvxrelu.solver.local.polish.ActiveSetPolish;
import java.util.ArrayList;
import java.util.List;

/**
 * ADMM for the cone-constrained ReLU program with squared loss (Pilanci and Ergen 2020,
 * eq. (8)), splitting as in Bai, Gautam and Sojoudi (2022, Alg. 1):
 * <pre>
 *   min 1/2 ||F u - y||^2 + beta sum_j ||z_j|| + I(s &gt;= 0)
 *   s.t. u = z,  G u = s,     (G u)_j = S_j .* (X u_j),  S_j = 2 D_j - 1,
 * </pre>
 * F u = sum_i D_i X (v_i - w_i). The u-step solves (F^T F + rho (I (x) E)) u = r with
 * E = gamma I + X^T X, since K_j^T K_j = X^T X for every block. By Woodbury it needs only the
 * d x d factor of E and the n x n factor of T = I + (2/rho) (X E^{-1} X^T) .* (M M^T), both
 * computed once per rho; each iteration is four GEMMs and two triangular solves. The group
 * soft-threshold gives z, the projection onto s &gt;= 0 gives the slacks, and the scaled dual of
 * G u = s gives the cone multipliers mu = -rho b for the {@link Certificate}.
 *
 * <p>The iterates and steps are {@link AdmmSplitting}. Every {@code certificateEvery}
 * iterations z is certified; near convergence it is handed to {@link ActiveSetPolish}, whose
 * exact solve on the guessed support gives the tight certificate ADMM's linear tail is slow to
 * reach.
 *
 * <p>Needs O(n^2) memory for T, so it is meant for n up to a few 10^4; beyond that, or for other
 * losses, use {@link AugmentedLagrangianSolver}.
 */
public final class AdmmReluSolver implements ConvexSolver {
  private static final int RHO_UPDATE_EVERY = 25;
  private static final double POLISH_GAP = 1e-2;
  private static final long POLISH_INTERVAL = 200;
  private final int certificateEvery;

  /** Certifies every 10 iterations. */
  public AdmmReluSolver() {
    this(10);
  }

  /** Certifies every {@code certificateEvery} iterations (at least 1). */
  public AdmmReluSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  /**
   * max(1, max |y|), the scale of the labels that {@link SolverOptions#feasibilityTolerance} is
   * relative to.
   */
  static double feasibilityScale(ConvexReluProblem problem) {
    double feasScale = 1.0;
    for (double v : problem.y()) {
      feasScale = Math.max(feasScale, Math.abs(v));
    }
    return feasScale;
  }

  /** The cone-constraint violation allowed at convergence, in the units of the data. */
  static double feasibilityTolerance(ConvexReluProblem problem, SolverOptions options) {
    return options.feasibilityTolerance() * feasibilityScale(problem);
  }

  /** True when this solver applies: ReLU formulation, squared loss. */
  public static boolean supports(ConvexReluProblem problem) {
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("ADMM solves the ReLU formulation with squared loss");
    }
    long start = System.nanoTime();
    AdmmSplitting st = new AdmmSplitting(problem, warmStart);
    Run run = new Run(problem, options, start);
    long it = 0;
    while (run.reason == null) {
      it++;
      st.iterate();
      if (it % RHO_UPDATE_EVERY == 0) {
        st.balanceRho();
      }
      double seconds = (System.nanoTime() - start) * 1e-9;
      boolean budgetOut = it >= options.maxIterations() || seconds >= options.maxSeconds();
      if (it % certificateEvery == 0 || budgetOut) {
        run.certify(st, it, budgetOut, listener);
      }
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(run.bestWeights.copy(), run.cert, run.reason,
        List.copyOf(run.history), it, seconds, run.bestMu.copy());
  }

  /** The certified record of one run: history, last certified point, polish schedule. */
  private static final class Run {
    private final ConvexReluProblem problem;
    private final SolverOptions options;
    private final long start;
    private final double feasScale;
    private final double feasTol;
    private final ActiveSetPolish polisher;
    private final boolean polishAffordable;
    private final List<IterationRecord> history = new ArrayList<>();
    private Certificate cert;
    private DenseMatrix bestWeights;
    private DenseMatrix bestMu;
    private StopReason reason;
    private long nextPolish;
    private long polishInterval = POLISH_INTERVAL;

    Run(ConvexReluProblem problem, SolverOptions options, long start) {
      this.problem = problem;
      this.options = options;
      this.start = start;
      this.feasScale = feasibilityScale(problem);
      this.feasTol = options.feasibilityTolerance() * feasScale;
      this.polisher = new ActiveSetPolish(problem);
      this.polishAffordable = ActiveSetPolish.affordable(problem);
    }

    /** Certifies z with the multipliers of b, polishes when due, records, applies the rules. */
    void certify(AdmmSplitting st, long it, boolean budgetOut, IterationListener listener) {
      st.multipliers();
      DenseMatrix xz = problem.forward(st.z);
      cert = Certificate.compute(problem, st.z, xz, st.mu);
      bestWeights = st.z;
      bestMu = st.mu;
      // The polish runs inside the budget only, and only where it is cheap.
      if (polishAffordable && !budgetOut && Math.abs(cert.relativeGap()) <= POLISH_GAP
          && cert.constraintViolation() <= POLISH_GAP * feasScale
          && it >= nextPolish && !(cert.relativeGap() <= options.tolerance()
              && cert.constraintViolation() <= feasTol)) {
        nextPolish = it + polishInterval;
        polishInterval *= 2;
        polish(st, xz);
      }
      double seconds = (System.nanoTime() - start) * 1e-9;
      IterationRecord rec = new IterationRecord((int) it, it, cert.objective(),
          cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
      history.add(rec);
      if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
        reason = StopReason.NUMERICAL_FAILURE;
      } else if (cert.relativeGap() <= options.tolerance()
          && cert.constraintViolation() <= feasTol) {
        reason = StopReason.CONVERGED;
      } else if (!listener.onIteration(rec, bestWeights)) {
        reason = StopReason.STOPPED_BY_LISTENER;
      } else if (budgetOut) {
        reason = it >= options.maxIterations() ? StopReason.MAX_ITERATIONS
            : StopReason.TIME_LIMIT;
      }
    }

    /** Takes the polished point when it certifies, or improves the gap without more violation. */
    private void polish(AdmmSplitting st, DenseMatrix xz) {
      if (!polisher.run(st.z, xz, st.mu)) {
        return;
      }
      Certificate pc = Certificate.compute(problem, polisher.weights(), polisher.product(),
          polisher.multipliers());
      boolean pcOk = pc.relativeGap() <= options.tolerance()
          && pc.constraintViolation() <= feasTol;
      if (pcOk || (Double.isFinite(pc.relativeGap())
          && pc.relativeGap() < cert.relativeGap()
          && pc.constraintViolation() <= Math.max(feasTol, cert.constraintViolation()))) {
        cert = pc;
        bestWeights = polisher.weights();
        bestMu = polisher.multipliers();
      }
    }
  }
}
