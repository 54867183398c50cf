package io.cvxrelu.solver.local.ssnal;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.StopReason;

/**
 * The semismooth Newton solve of one inner problem of SSNAL (Li, Sun and Toh 2018,
 * Algorithm 2), the minimisation over xi of
 * <pre>
 *   psi(xi) = h*(xi) + 1/(2 sigma) ||prox_{sigma p}(B - sigma A^T xi)||^2 - ||B||^2/(2 sigma),
 *   grad psi(xi) = xi + y - A prox_{sigma p}(B - sigma A^T xi)
 * </pre>
 * (LST eq. (19)). Each Newton step solves (I + sigma A J A^T) dir = -grad by
 * {@link ConjugateGradient} on the {@link GeneralizedJacobian}; a full adjoint pass gives
 * A^T dir once, after which the Armijo search on psi (LST Algorithm 2, step 2) costs only group
 * prox evaluations.
 */
final class SemismoothNewton {
  /** Armijo constant of the line search (LST Algorithm 2, mu). */
  private static final double ARMIJO = 1e-4;
  /** Newton steps per inner solve before the outer update is taken anyway. */
  private static final int MAX_NEWTON = 40;
  /** delta of the inner stopping test (LST criterion (B)). */
  private static final double DELTA = 1.0;
  /** Largest relative residual of CG. */
  private static final double CG_TOLERANCE = 0.1;

  private final ConvexReluProblem problem;
  private final Progress progress;
  private final double[] onFraction;
  private final int n;
  private final int d;
  private final int p;
  private final double beta;
  private final double[] y;
  private final double yNorm;
  private final GroupSoftThreshold threshold;
  /** CG's products in single precision (X copied to float once per solve). */
  private final SinglePrecisionProducts single;
  /** prox_{sigma p}(b - sigma A^T xi) at the last xi of {@link #solve}. */
  private DenseMatrix prox;
  /** Inner solves in a row whose first line search could not decrease psi. */
  private int stalledStarts;

  /** A search direction with A^T dir and the slope grad^T dir. */
  private record Direction(double[] dir, DenseMatrix atDir, double slope) {}

  SemismoothNewton(ConvexReluProblem problem, Progress progress, double[] onFraction) {
    this.problem = problem;
    this.progress = progress;
    this.onFraction = onFraction;
    this.n = problem.n();
    this.d = problem.d();
    this.p = problem.blockCount();
    this.beta = problem.beta();
    this.y = problem.y();
    this.yNorm = Math.sqrt(ConjugateGradient.dot(y, y));
    this.threshold = new GroupSoftThreshold(d, p, beta);
    this.single = new SinglePrecisionProducts(problem.x());
  }

  /** The prox point of the last {@link #solve}: the multiplier update of LST Algorithm 1. */
  DenseMatrix prox() {
    return prox;
  }

  /**
   * Minimises psi over xi (updated in place, with atXi = A^T xi) for the multiplier b,
   * certifying the prox point after every Newton step; leaves
   * prox = prox_{sigma p}(b - sigma A^T xi).
   *
   * @return why the whole solve stops, or null when the inner problem is solved to the
   *     (LST (B2)-type) accuracy and the multiplier may be updated
   */
  StopReason solve(DenseMatrix b, double[] xi, DenseMatrix atXi, double sigma) {
    double psi = psi(atXi, 0.0, null, sigma, xi, null, b);
    double[] grad = new double[n];
    for (int it = 0; ; it++) {
      // prox, active set and gradient at the current xi.
      prox = threshold.apply(b, atXi, sigma);
      GeneralizedJacobian jac = new GeneralizedJacobian(problem, threshold, sigma);
      double[] predProx = jac.predict(prox);
      double gNorm2 = 0.0;
      for (int k = 0; k < n; k++) {
        grad[k] = xi[k] + y[k] - predProx[k];
        gNorm2 += grad[k] * grad[k];
      }
      double gNorm = Math.sqrt(gNorm2);
      if (!Double.isFinite(gNorm) || !Double.isFinite(psi)) {
        return StopReason.NUMERICAL_FAILURE;
      }
      if (it > 0) {
        StopReason reason = progress.afterStep(prox, predProx, xi, atXi);
        if (reason != null) {
          return reason;
        }
      }
      // LST criterion (B): ||grad psi|| &lt;= delta / sqrt(sigma) ||B_new - B||, with an
      // absolute floor so that a converged multiplier does not demand an exact solve.
      double move = Math.sqrt(frob2Diff(prox, b));
      double target = Math.max(DELTA * move / Math.sqrt(sigma), 1e-12 * (1.0 + yNorm));
      if ((it > 0 && gNorm <= target) || it >= MAX_NEWTON) {
        return null;
      }
      Direction dir = newtonDirection(jac, grad, gNorm, gNorm2, sigma);
      double next = lineSearch(b, xi, atXi, sigma, psi, dir);
      if (Double.isNaN(next)) {
        // psi cannot be decreased further in floating point: the inner problem is solved as
        // far as it can be, so the multiplier update goes ahead, unless not even the first
        // step of this inner solve moved, twice in a row (the multiplier is then stuck too).
        if (it == 0 && ++stalledStarts >= 2) {
          return StopReason.STALLED;
        }
        return null;
      }
      stalledStarts = 0;
      psi = next;
    }
  }

  /**
   * The Newton direction: (I + sigma A J A^T) dir = -grad by CG to a relative residual
   * shrinking with ||grad|| (LST Algorithm 2, step 1), or steepest descent where CG broke down.
   */
  private Direction newtonDirection(GeneralizedJacobian jac, double[] grad, double gNorm,
      double gNorm2, double sigma) {
    double relTol = Math.min(CG_TOLERANCE, Math.pow(gNorm / (1.0 + yNorm), 0.5));
    double[] dir = ConjugateGradient.solve(jac, grad, sigma, Math.max(relTol, 1e-10),
        onFraction, progress, single);
    progress.newtonSteps++;
    DenseMatrix atDir = problem.maskedAdjoint(dir);
    double slope = ConjugateGradient.dot(grad, dir);
    if (!(slope < 0.0)) {
      // Not a descent direction (CG broke down): fall back to steepest descent.
      for (int k = 0; k < n; k++) {
        dir[k] = -grad[k];
      }
      atDir = problem.maskedAdjoint(dir);
      slope = -gNorm2;
    }
    return new Direction(dir, atDir, slope);
  }

  /**
   * The Armijo backtracking search on psi from step 1 (LST Algorithm 2, step 2); on success
   * moves xi and A^T xi and returns psi there, otherwise returns NaN and leaves them.
   */
  private double lineSearch(DenseMatrix b, double[] xi, DenseMatrix atXi, double sigma,
      double psi, Direction dir) {
    double alpha = 1.0;
    double next = Double.NaN;
    boolean accepted = false;
    for (int ls = 0; ls < 50; ls++) {
      next = psi(atXi, alpha, dir.atDir(), sigma, xi, dir.dir(), b);
      if (next <= psi + ARMIJO * alpha * dir.slope()) {
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {
      return Double.NaN;
    }
    double[] step = dir.dir();
    for (int k = 0; k < n; k++) {
      xi[k] += alpha * step[k];
    }
    double[] ax = atXi.data();
    double[] ad = dir.atDir().data();
    for (int k = 0; k < ax.length; k++) {
      ax[k] += alpha * ad[k];
    }
    return next;
  }

  /**
   * psi at xi + alpha dir (up to the constant -||B||^2 / (2 sigma), which is the same for
   * every trial point), given A^T xi and A^T dir.
   */
  private double psi(DenseMatrix atXi, double alpha, DenseMatrix atDir, double sigma,
      double[] xi, double[] dir, DenseMatrix b) {
    double h = 0.0;
    for (int k = 0; k < n; k++) {
      double v = dir == null ? xi[k] : xi[k] + alpha * dir[k];
      h += 0.5 * v * v + y[k] * v;
    }
    double[] bd = b.data();
    double[] a = atXi.data();
    double[] ad = atDir == null ? null : atDir.data();
    double proxNorm2 = 0.0;
    double threshold = sigma * beta;
    for (int j = 0; j < p; j++) {
      double s = 0.0;
      int off = j * d;
      for (int k = off; k < off + d; k++) {
        double v = bd[k] - sigma * (ad == null ? a[k] : a[k] + alpha * ad[k]);
        s += v * v;
      }
      double norm = Math.sqrt(s);
      if (norm > threshold) {
        double shrunk = norm - threshold;
        proxNorm2 += shrunk * shrunk;
      }
    }
    return h + proxNorm2 / (2.0 * sigma);
  }

  private static double frob2Diff(DenseMatrix a, DenseMatrix b) {
    double s = 0.0;
    double[] ad = a.data();
    double[] bd = b.data();
    for (int k = 0; k < ad.length; k++) {
      double t = ad[k] - bd[k];
      s += t * t;
    }
    return s;
  }
}
