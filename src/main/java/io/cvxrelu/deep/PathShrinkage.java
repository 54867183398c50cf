package io.cvxrelu.deep;

/**
 * The scalar problem every closed form of this package reduces to: the best output norm rho of
 * one path of an L-layer network whose target has norm r,
 *
 * <pre>
 *   phi_L(r; beta) = min_{rho &gt;= 0} 1/2 (rho - r)^2 + (L beta / 2) rho^{2/L}.
 * </pre>
 *
 * <p>Why this penalty: a path that maps a unit input direction to an output of norm rho through
 * L layers has rho &lt;= prod_l ||W_l||, and by the AM-GM inequality beta/2 sum_l ||W_l||^2
 * &gt;= (L beta / 2) (prod_l ||W_l||)^{2/L}, with equality when every layer has norm
 * rho^{1/L} (Ergen and Pilanci, ICML 2021, the rescaling behind their Lemma 1.1).
 *
 * <p>For L = 2 the minimiser is the soft threshold rho = (r - beta)_+ and phi is the Huber
 * function. For L &gt;= 3 the penalty is concave and the answer is either rho = 0 or the larger
 * root of the stationarity equation h(rho) = rho + beta rho^{2/L - 1} = r. h is convex on
 * rho &gt; 0 with its minimum at rho_0 = (beta (L - 2) / L)^{L / (2L - 2)}, so that root lies in
 * (rho_0, r) when h(rho_0) &lt; r and is found by bisection to machine precision; the two
 * candidates are then compared (ties go to rho = 0, the sparser network).
 */
public final class PathShrinkage {
  private PathShrinkage() {}

  /** The minimiser rho of phi_L(r; beta). */
  public static double rho(double r, double beta, int depth) {
    check(r, beta, depth);
    if (depth == 2) {
      return Math.max(r - beta, 0.0);
    }
    double p = 2.0 / depth;
    double rho0 = Math.pow(beta * (depth - 2) / depth, depth / (2.0 * depth - 2.0));
    if (!(rho0 + beta * Math.pow(rho0, p - 1.0) < r)) {
      return 0.0;
    }
    double lo = rho0;
    double hi = r;
    // h is increasing on (rho0, r]; bisection halves to the last representable double.
    for (int it = 0; it < 2000 && hi > Math.nextUp(lo); it++) {
      double mid = 0.5 * (lo + hi);
      if (mid + beta * Math.pow(mid, p - 1.0) < r) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double root = 0.5 * (lo + hi);
    return objective(root, r, beta, depth) < objective(0.0, r, beta, depth) ? root : 0.0;
  }

  /** phi_L(r; beta). */
  public static double value(double r, double beta, int depth) {
    return objective(rho(r, beta, depth), r, beta, depth);
  }

  /** 1/2 (rho - r)^2 + (L beta / 2) rho^{2/L}. */
  public static double objective(double rho, double r, double beta, int depth) {
    double d = rho - r;
    return 0.5 * d * d + 0.5 * depth * beta * Math.pow(rho, 2.0 / depth);
  }

  private static void check(double r, double beta, int depth) {
    if (depth < 2) {
      throw new IllegalArgumentException("depth L must be >= 2, got " + depth);
    }
    if (!(beta > 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be positive and finite, got " + beta);
    }
    if (!(r >= 0.0) || !Double.isFinite(r)) {
      throw new IllegalArgumentException("a target norm must be finite and >= 0, got " + r);
    }
  }
}
