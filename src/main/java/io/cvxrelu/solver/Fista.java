package io.cvxrelu.solver;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) for
 * phi(X B) + beta sum_j ||B_j||_2 with group soft-thresholding as the prox, backtracking on the
 * step and adaptive gradient restart (O'Donoghue and Candes 2015).
 *
 * <p>Each step costs two GEMMs: the gradient X^T dphi/dZ at the extrapolated point and the
 * product X B at the candidate. The extrapolated point's product is a linear combination of
 * the last two iterates' products, which is exact because Z = X B is linear in B. The four
 * n x q buffers are rotated, never reallocated.
 *
 * <p>A stateful iterator: callers run {@link #step()} and decide when to stop (the gated solver
 * on the duality gap, the augmented-Lagrangian solver on the gradient mapping).
 */
final class Fista {
  private static final double SHRINK = 0.5;

  private final ConvexReluProblem problem;
  private final double beta;
  private SmoothPart f;

  private DenseMatrix x;
  private DenseMatrix xPrev;
  private DenseMatrix zx;
  private DenseMatrix zxPrev;
  private DenseMatrix zWork;
  private final DenseMatrix gz;
  private final DenseMatrix y;
  private final DenseMatrix candidate;
  private double momentum = 1.0;
  private double step;
  private double smoothAtX;
  private double objectiveAtX;
  private double gradientMapping = Double.POSITIVE_INFINITY;
  private long steps;
  private long restarts;

  /**
   * @param start initial blocks (copied)
   * @param lipschitz estimate of the gradient's Lipschitz constant; the first step is its
   *     inverse and backtracking corrects an underestimate
   */
  Fista(ConvexReluProblem problem, SmoothPart f, DenseMatrix start, double lipschitz) {
    this.problem = problem;
    this.beta = problem.beta();
    this.f = f;
    int n = problem.n();
    int d = problem.d();
    int q = start.cols();
    this.x = start.copy();
    this.xPrev = start.copy();
    this.zx = problem.forward(x);
    this.zxPrev = zx.copy();
    this.zWork = new DenseMatrix(n, q);
    this.gz = new DenseMatrix(n, q);
    this.y = new DenseMatrix(d, q);
    this.candidate = new DenseMatrix(d, q);
    this.step = 1.0 / Math.max(lipschitz, Double.MIN_NORMAL);
    refreshValue();
  }

  /** Swaps the smooth part (new multipliers or penalty) keeping the iterate; resets momentum. */
  void reset(SmoothPart newF, double lipschitz) {
    this.f = newF;
    this.step = Math.max(step, 1.0 / Math.max(lipschitz, Double.MIN_NORMAL));
    System.arraycopy(x.data(), 0, xPrev.data(), 0, x.data().length);
    System.arraycopy(zx.data(), 0, zxPrev.data(), 0, zx.data().length);
    momentum = 1.0;
    refreshValue();
  }

  private void refreshValue() {
    smoothAtX = f.value(zx);
    objectiveAtX = smoothAtX + regularizer(x);
  }

  private double regularizer(DenseMatrix b) {
    double s = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      s += b.columnNorm(j);
    }
    return beta * s;
  }

  /**
   * One accelerated step.
   *
   * @return false when the step size underflowed (no further progress is possible)
   */
  boolean step() {
    double nextMomentum = 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * momentum * momentum));
    double w = (momentum - 1.0) / nextMomentum;
    extrapolate(x.data(), xPrev.data(), w, y.data());
    extrapolate(zx.data(), zxPrev.data(), w, zWork.data());
    double fy = f.valueAndGradient(zWork, gz);
    DenseMatrix grad = problem.adjoint(gz);

    double[] yd = y.data();
    double[] gd = grad.data();
    double[] cd = candidate.data();
    int d = y.rows();
    int q = y.cols();
    double fc;
    double maxBlockMove;
    while (true) {
      maxBlockMove = 0.0;
      double linear = 0.0;
      double quad = 0.0;
      for (int j = 0; j < q; j++) {
        int off = j * d;
        double norm2 = 0.0;
        for (int k = off; k < off + d; k++) {
          double v = yd[k] - step * gd[k];
          cd[k] = v;
          norm2 += v * v;
        }
        double norm = Math.sqrt(norm2);
        double shrink = norm > step * beta ? 1.0 - step * beta / norm : 0.0;
        double move2 = 0.0;
        for (int k = off; k < off + d; k++) {
          cd[k] *= shrink;
          double diff = cd[k] - yd[k];
          linear += gd[k] * diff;
          move2 += diff * diff;
        }
        quad += move2;
        maxBlockMove = Math.max(maxBlockMove, move2);
      }
      Blas.gemm(false, false, 1.0, problem.x(), candidate, 0.0, zWork);
      fc = f.value(zWork);
      double bound = fy + linear + quad / (2.0 * step);
      if (fc <= bound + 1e-13 * Math.abs(fy) || !Double.isFinite(fc) && !Double.isFinite(fy)) {
        break;
      }
      step *= SHRINK;
      if (step < 1e-300) {
        return false;
      }
    }
    gradientMapping = Math.sqrt(maxBlockMove) / step;
    double objC = fc + regularizer(candidate);

    // Gradient restart: drop momentum when the step points against the last move.
    double[] xd = x.data();
    double align = 0.0;
    for (int k = 0; k < cd.length; k++) {
      align += (yd[k] - cd[k]) * (cd[k] - xd[k]);
    }
    if (align > 0.0) {
      nextMomentum = 1.0;
      restarts++;
    }
    momentum = nextMomentum;

    DenseMatrix oldPrev = xPrev;
    xPrev = x;
    x = oldPrev;
    System.arraycopy(cd, 0, x.data(), 0, cd.length);
    DenseMatrix oldZPrev = zxPrev;
    zxPrev = zx;
    zx = zWork;
    zWork = oldZPrev;
    smoothAtX = fc;
    objectiveAtX = objC;
    steps++;
    return true;
  }

  private static void extrapolate(double[] cur, double[] prev, double w, double[] out) {
    if (w == 0.0) {
      System.arraycopy(cur, 0, out, 0, cur.length);
      return;
    }
    for (int k = 0; k < cur.length; k++) {
      out[k] = cur[k] + w * (cur[k] - prev[k]);
    }
  }

  /** Current iterate (live view; copy before keeping). */
  DenseMatrix iterate() {
    return x;
  }

  /** X B at the current iterate (live view). */
  DenseMatrix product() {
    return zx;
  }

  /** phi + beta sum ||B_j|| at the current iterate. */
  double objective() {
    return objectiveAtX;
  }

  /** Largest block norm of the last gradient mapping (y - x+) / step. */
  double gradientMapping() {
    return gradientMapping;
  }

  double stepSize() {
    return step;
  }

  long steps() {
    return steps;
  }

  long restarts() {
    return restarts;
  }
}
