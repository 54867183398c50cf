package io.cvxrelu.solver.local.ssnal;

/**
 * Preconditioned conjugate gradients for the semismooth Newton system
 * (I + sigma A J A^T) x = -g (LST Algorithm 2, step 1), with the
 * {@link WoodburyPreconditioner} when there are at least d active groups, so that setting it
 * up (O(n d^2)) costs no more than a CG step.
 */
final class ConjugateGradient {
  /** CG steps per Newton system. */
  private static final int MAX_CG = 300;
  /**
   * Smallest relative residual asked of CG for which the products run in single precision: a
   * hundred times their relative error (about 1e-6), so the direction CG returns meets its
   * tolerance for the exact operator too. Tighter solves use double products.
   */
  static final double SINGLE_FROM = 1e-4;

  private ConjugateGradient() {}

  /**
   * Solves to ||residual|| &lt;= relTol ||g||, counting the steps in {@code progress}.
   *
   * @param onFraction the fraction of rows each pattern switches on (for the preconditioner)
   * @param single the products in single precision, used when relTol is at least
   *     {@link #SINGLE_FROM} (null: always double)
   */
  static double[] solve(GeneralizedJacobian jac, double[] g, double sigma, double relTol,
      double[] onFraction, Progress progress, SinglePrecisionProducts single) {
    SinglePrecisionProducts products = relTol >= SINGLE_FROM ? single : null;
    int n = jac.n;
    WoodburyPreconditioner pre = null;
    if (jac.cols.length >= jac.d) {
      try {
        pre = new WoodburyPreconditioner(jac, onFraction, sigma);
      } catch (ArithmeticException e) {
        // A model that is not numerically positive definite: plain CG still converges.
        pre = null;
      }
    }
    double[] x = new double[n];
    double[] r = new double[n];
    for (int k = 0; k < n; k++) {
      r[k] = -g[k];
    }
    double[] z = pre == null ? r.clone() : pre.apply(r);
    double[] dirn = z.clone();
    double rz = dot(r, z);
    double rr = dot(r, r);
    double stop = relTol * relTol * rr;
    for (int it = 0; it < MAX_CG && rr > stop; it++) {
      double[] q = jac.apply(dirn, sigma, products);
      progress.cgSteps++;
      double curv = dot(dirn, q);
      if (!(curv > 0.0)) {
        break;
      }
      double step = rz / curv;
      for (int k = 0; k < n; k++) {
        x[k] += step * dirn[k];
        r[k] -= step * q[k];
      }
      rr = dot(r, r);
      z = pre == null ? r.clone() : pre.apply(r);
      double rzNext = dot(r, z);
      double ratio = rzNext / rz;
      rz = rzNext;
      for (int k = 0; k < n; k++) {
        dirn[k] = z[k] + ratio * dirn[k];
      }
    }
    return x;
  }

  static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }
}
