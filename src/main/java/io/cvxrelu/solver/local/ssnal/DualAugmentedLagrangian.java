package io.cvxrelu.solver.local.ssnal;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.OperatorNorms;

/**
 * The augmented Lagrangian method of SSNAL (Li, Sun and Toh 2018, Algorithm 1) for the
 * gated-ReLU group lasso with squared loss, min_B h(A B) + p(B), run on the dual
 * <pre>
 *   min_{xi, u} h*(xi) + p*(u)  s.t.  A^T xi + u = 0,   h*(xi) = 1/2 ||xi||^2 + &lt;y, xi&gt;,
 * </pre>
 * with the primal weights B as multiplier and penalty sigma (LST eq. (17)). Each outer
 * iteration solves the inner problem by {@link SemismoothNewton}, then updates the multiplier,
 * B &lt;- prox_{sigma p}(B - sigma A^T xi) (LST Algorithm 1, step 2), and grows sigma by the
 * {@link SigmaSchedule}. One instance serves one solve.
 */
public final class DualAugmentedLagrangian {
  /**
   * sigma_0 ||A||^2 of a warm-started solve (at least the schedule's own): a warm B is near its
   * optimum, so the first proximal steps need not be short. Halving beta on the n = 10^4,
   * d = 100, P = 1,000 bench instance, the warm solve took 10.6-11.0 s from 100 against
   * 13.4 s from 1 (16 and 20 Newton steps; a cold solve took 15.3-16.3 s); 10^4 was no faster
   * than 100.
   */
  static final double WARM_INITIAL_SCALE = 100.0;
  private final ConvexReluProblem problem;
  private final SigmaSchedule schedule;
  private final Progress progress;

  /** A solve of the gated problem with squared loss (the caller checks both). */
  public DualAugmentedLagrangian(ConvexReluProblem problem, SolverOptions options,
      IterationListener listener, SigmaSchedule schedule) {
    this.problem = problem;
    this.schedule = schedule;
    this.progress = new Progress(problem, options, listener);
  }

  /**
   * Runs from the warm start (d x P, or null for zero) until a stopping rule of
   * {@link SolverOptions} applies; the result carries the residual certificate.
   */
  public SolverResult solve(DenseMatrix warmStart) {
    int n = problem.n();
    int d = problem.d();
    int p = problem.blockCount();
    DenseMatrix b = warmStart != null ? warmStart.copy() : problem.zeroWeights();
    if (b.rows() != d || b.cols() != p) {
      throw new IllegalArgumentException("warm start is " + b.rows() + " x " + b.cols()
          + ", expected " + d + " x " + p);
    }
    double[] predB = problem.predictWeights(b);
    // Warm start of the dual: xi = grad h(A B) = A B - y, the optimal xi for the given B.
    double[] y = problem.y();
    double[] xi = new double[n];
    for (int k = 0; k < n; k++) {
      xi[k] = predB[k] - y[k];
    }
    DenseMatrix atXi = problem.maskedAdjoint(xi);
    StopReason early = progress.atStart(b, predB);
    if (early != null) {
      return progress.result(early);
    }
    double normA2 = OperatorNorms.lossOperatorNormSquared(problem, 8);
    double scale = warmStart != null
        ? Math.min(schedule.maxScale(), Math.max(schedule.initialScale(), WARM_INITIAL_SCALE))
        : schedule.initialScale();
    double sigma = scale / Math.max(normA2, Double.MIN_NORMAL);
    double sigmaMax = schedule.maxScale() / Math.max(normA2, Double.MIN_NORMAL);
    SemismoothNewton inner = new SemismoothNewton(problem, progress, onFraction(problem));
    while (true) {
      StopReason reason = inner.solve(b, xi, atXi, sigma);
      if (reason != null) {
        return progress.result(reason);
      }
      // LST Algorithm 1, step 2: the multiplier update B <- prox_{sigma p}(B - sigma A^T xi).
      b = inner.prox();
      sigma = Math.min(sigmaMax, sigma * schedule.growth());
    }
  }

  /** Fraction of rows each pattern switches on (the mean of its mask column). */
  private static double[] onFraction(ConvexReluProblem problem) {
    int n = problem.n();
    int p = problem.blockCount();
    double[] out = new double[p];
    byte[] mask = problem.block().mask();
    for (int j = 0; j < p; j++) {
      int on = 0;
      for (int k = j * n; k < (j + 1) * n; k++) {
        on += mask[k];
      }
      out[j] = (double) on / n;
    }
    return out;
  }
}
