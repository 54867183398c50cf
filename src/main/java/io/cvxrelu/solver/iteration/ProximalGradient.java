package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The driver-side pieces of accelerated proximal gradient for the group lasso
 * phi(B) + beta sum_j ||B_j||_2, shared by the single-node {@link Fista} and the distributed
 * solvers: the group soft-threshold prox step with the terms of the backtracking bound, the
 * FISTA momentum sequence (Beck and Teboulle 2009) and the gradient-restart test (O'Donoghue
 * and Candes 2015).
 */
public final class ProximalGradient {
  private ProximalGradient() {}

  /**
   * What a prox step needs for the backtracking test phi(C) &lt;= phi(Y) + linear + quad/(2t).
   *
   * @param linear &lt;grad phi(Y), C - Y&gt;
   * @param quad ||C - Y||_F^2
   * @param maxBlockMove largest squared block norm of C - Y (for the gradient mapping)
   */
  public record Step(double linear, double quad, double maxBlockMove) {
    /** Largest block norm of the gradient mapping (Y - C) / t. */
    public double gradientMapping(double stepSize) {
      return Math.sqrt(maxBlockMove) / stepSize;
    }
  }

  /**
   * C = prox_{t beta ||.||}(Y - t G), block by block (group soft-thresholding of the columns),
   * written into {@code c}.
   */
  public static Step proxStep(DenseMatrix y, DenseMatrix grad, double t, double beta,
      DenseMatrix c) {
    double[] yd = y.data();
    double[] gd = grad.data();
    double[] cd = c.data();
    int d = y.rows();
    double threshold = t * beta;
    double maxBlockMove = 0.0;
    double linear = 0.0;
    double quad = 0.0;
    for (int off = 0; off < cd.length; off += d) {
      double shrink = shrinkFactor(Math.sqrt(gradientStep(yd, gd, t, cd, off, d)), threshold);
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
    return new Step(linear, quad, maxBlockMove);
  }

  /**
   * The gradient step of one block: out[off..off+len) = a - s b on the same range; returns its
   * squared Euclidean norm (what the group soft-threshold of the block compares).
   */
  public static double gradientStep(double[] a, double[] b, double s, double[] out, int off,
      int len) {
    double norm2 = 0.0;
    for (int k = off; k < off + len; k++) {
      double v = a[k] - s * b[k];
      out[k] = v;
      norm2 += v * v;
    }
    return norm2;
  }

  /**
   * The factor (1 - threshold / norm)_+ by which group soft-thresholding at {@code threshold}
   * scales a block of Euclidean norm {@code norm}.
   */
  public static double shrinkFactor(double norm, double threshold) {
    return norm > threshold ? 1.0 - threshold / norm : 0.0;
  }

  /** The backtracking test: phi(C) within the quadratic model of phi around Y. */
  public static boolean sufficientDecrease(double phiC, double phiY, Step s, double t) {
    double bound = phiY + s.linear() + s.quad() / (2.0 * t);
    return phiC <= bound + 1e-13 * Math.abs(phiY) || !Double.isFinite(phiC) && !Double.isFinite(phiY);
  }

  /** The FISTA momentum t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2. */
  public static double nextMomentum(double momentum) {
    return 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * momentum * momentum));
  }

  /**
   * Gradient restart: true when the step Y -&gt; C points against the last move X -&gt; C,
   * &lt;Y - C, C - X&gt; &gt; 0, and momentum should be dropped.
   */
  public static boolean shouldRestart(DenseMatrix y, DenseMatrix c, DenseMatrix x) {
    double[] yd = y.data();
    double[] cd = c.data();
    double[] xd = x.data();
    double align = 0.0;
    for (int k = 0; k < cd.length; k++) {
      align += (yd[k] - cd[k]) * (cd[k] - xd[k]);
    }
    return align > 0.0;
  }

  /** out = cur + w (cur - prev). */
  public static void extrapolate(double[] cur, double[] prev, double w, double[] out) {
    if (w == 0.0) {
      System.arraycopy(cur, 0, out, 0, cur.length);
      return;
    }
    for (int k = 0; k < cur.length; k++) {
      out[k] = cur[k] + w * (cur[k] - prev[k]);
    }
  }
}
