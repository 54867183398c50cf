package io.cvxrelu.theory;

import java.util.function.DoubleUnaryOperator;

/**
 * The Gaussian-data prediction for the linear network by the convex Gaussian min-max theorem
 * (CGMT; Thrampoulidis, Oymak and Hassibi, COLT 2015; Thrampoulidis, Abbasi and Hassibi, IEEE
 * Trans. Inf. Theory 64(8), 2018), the provable part of seed 000, section 3 (the derivation and
 * where the seed goes wrong are in {@code docs/theory.md}).
 *
 * <p>Model: A in R^{n x d} with i.i.d. N(0, 1) entries, y = A theta_0 + sigma z with z ~ N(0,
 * I_n), ||theta_0|| = r_0, delta = n / d, beta = lambda n, and
 * Phi = min_theta 1/2 ||A theta - y||^2 + beta ||theta||. As n, d grow with delta fixed,
 * Phi / n converges to
 *
 * <pre>
 *   min_{c, t}  psi(c, t) = 1/2 ( sqrt(c^2 r_0^2 + t^2 + sigma^2) - t / sqrt(delta) )_+^2
 *                           + lambda sqrt((1 - c)^2 r_0^2 + t^2),
 * </pre>
 *
 * the auxiliary optimisation after its maximisation is done in closed form; the minimiser
 * theta = (1 - c) theta_0 - t h / ||h|| (h the AO's Gaussian in R^d) gives the estimation error
 * ||theta_hat - theta_0||^2 -&gt; c^2 r_0^2 + t^2. psi is jointly convex in (c, t) (it is the AO,
 * a convex function of theta, along a linear parametrisation), so m(c) = min_t psi(c, t) is
 * convex and nested golden-section searches find the minimum: c in [0, 1] (shrinking towards
 * theta_0 or past zero never pays) and t in [0, psi(1, 0) / lambda] (beyond it the penalty
 * alone exceeds psi(1, 0), the value of theta = 0).
 */
public final class LinearCgmtPrediction {
  private static final double GOLDEN = (Math.sqrt(5.0) - 1.0) / 2.0;
  private static final int OUTER_STEPS = 90;
  private static final int INNER_STEPS = 120;

  private LinearCgmtPrediction() {}

  /**
   * The prediction.
   *
   * @param phiPerRow the limit of Phi / n
   * @param error the limit of ||theta_hat - theta_0||
   * @param c the shrinkage of theta_0 at the optimum
   * @param t the length of the noise direction at the optimum
   */
  public record Prediction(double phiPerRow, double error, double c, double t) {}

  /**
   * @param delta n / d &gt; 0
   * @param lambda beta / n &gt; 0
   * @param sigma noise level &gt;= 0
   * @param r0 ||theta_0|| &gt;= 0
   */
  public static Prediction predict(double delta, double lambda, double sigma, double r0) {
    return solve(new Psi(delta, lambda, sigma, r0, false));
  }

  /**
   * The same min-max with the dimensions of g and h swapped, as seed 000 has them (g in R^d,
   * h in R^n): psi(c, t) = 1/2 ( sqrt(c^2 r_0^2 + t^2 + sigma^2) / sqrt(delta) - t )_+^2 +
   * lambda sqrt((1 - c)^2 r_0^2 + t^2). Kept to measure the seed's error, not to predict.
   */
  public static Prediction predictWithSwappedDimensions(double delta, double lambda,
      double sigma, double r0) {
    return solve(new Psi(delta, lambda, sigma, r0, true));
  }

  private static Prediction solve(Psi psi) {
    double delta = psi.delta();
    double lambda = psi.lambda();
    double sigma = psi.sigma();
    double r0 = psi.r0();
    if (!(delta > 0.0) || !(lambda > 0.0) || !(sigma >= 0.0) || !(r0 >= 0.0)) {
      throw new IllegalArgumentException("need delta > 0, lambda > 0, sigma >= 0, r0 >= 0");
    }
    double tMax = (r0 * r0 + sigma * sigma) / (2.0 * lambda) * Math.max(1.0, 1.0 / delta) + 1.0;
    double c = goldenSection(cc -> innerMin(psi, cc, tMax)[1], 0.0, 1.0, OUTER_STEPS);
    double[] tv = innerMin(psi, c, tMax);
    // The ends of [0, 1] are candidates too (golden section only narrows the bracket).
    for (double end : new double[] {0.0, 1.0}) {
      double[] e = innerMin(psi, end, tMax);
      if (e[1] < tv[1]) {
        c = end;
        tv = e;
      }
    }
    double t = tv[0];
    return new Prediction(tv[1], Math.sqrt(c * c * r0 * r0 + t * t), c, t);
  }

  /** {t*, psi(c, t*)} for t in [0, tMax] (psi is convex in t). */
  private static double[] innerMin(Psi psi, double c, double tMax) {
    double t = goldenSection(tt -> psi.value(c, tt), 0.0, tMax, INNER_STEPS);
    double ft = psi.value(c, t);
    double f0 = psi.value(c, 0.0);
    return f0 < ft ? new double[] {0.0, f0} : new double[] {t, ft};
  }

  /** The minimiser of a unimodal f on [a, b] by {@code steps} golden-section steps. */
  private static double goldenSection(DoubleUnaryOperator f, double a, double b, int steps) {
    double x1 = b - GOLDEN * (b - a);
    double x2 = a + GOLDEN * (b - a);
    double f1 = f.applyAsDouble(x1);
    double f2 = f.applyAsDouble(x2);
    for (int it = 0; it < steps; it++) {
      if (f1 <= f2) {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - GOLDEN * (b - a);
        f1 = f.applyAsDouble(x1);
      } else {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + GOLDEN * (b - a);
        f2 = f.applyAsDouble(x2);
      }
    }
    return 0.5 * (a + b);
  }

  /** psi(c, t) of the class comment. */
  private record Psi(double delta, double lambda, double sigma, double r0, boolean swapped) {
    double value(double c, double t) {
      double root = Math.sqrt(c * c * r0 * r0 + t * t + sigma * sigma);
      double loss = swapped ? root / Math.sqrt(delta) - t : root - t / Math.sqrt(delta);
      double penalty = Math.sqrt((1.0 - c) * (1.0 - c) * r0 * r0 + t * t);
      return loss > 0.0 ? 0.5 * loss * loss + lambda * penalty : lambda * penalty;
    }
  }
}
