package io.cvxrelu.theory;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;

/**
 * The linear network's optimum in closed form: Phi(beta) = min_theta 1/2 ||A theta - y||^2 +
 * beta ||theta||_2, the group lasso with a single group (the convex program of Pilanci and
 * Ergen 2020, eq. (8), with the one pattern D = I and no cone constraint). It is solved from the
 * SVD A = U S V^T by its secular equation, independently of the iterative solvers:
 *
 * <p>If ||A^T y|| &lt;= beta the optimum is theta = 0. Otherwise theta != 0 satisfies
 * (A^T A + mu I) theta = A^T y with mu = beta / ||theta||, so theta(mu) = V diag(s_k / (s_k^2 +
 * mu)) U^T y and mu solves f(mu) = mu ||theta(mu)|| = beta, where
 * f(mu)^2 = sum_k s_k^2 b_k^2 mu^2 / (s_k^2 + mu)^2 (b = U^T y) increases strictly from 0 to
 * ||A^T y||^2; bisection on log mu finds the unique root to machine precision. The value is
 * Phi = 1/2 (sum_k mu^2 b_k^2 / (s_k^2 + mu)^2 + ||y - U b||^2) + beta ||theta||.
 */
public final class NormRegularisedLeastSquares {
  private final ThinSvd svd;
  private final double[] b;
  private final double outsideRange;
  private final double yNormSquared;
  private final double gradientNorm;

  /** Prepares A and y (one SVD of A; every beta afterwards costs O(min(n, d)) per step). */
  public NormRegularisedLeastSquares(DenseMatrix a, double[] y) {
    this(ThinSvd.of(a), y);
  }

  /** As the other constructor, with A's SVD already computed. */
  public NormRegularisedLeastSquares(ThinSvd svd, double[] y) {
    this.svd = svd;
    int n = svd.u().rows();
    if (y.length != n) {
      throw new IllegalArgumentException(n + " rows but " + y.length + " labels");
    }
    int r = svd.rank();
    b = new double[r];
    double[] resid = y.clone();
    double yy = 0.0;
    for (double v : y) {
      yy += v * v;
    }
    double g2 = 0.0;
    for (int k = 0; k < r; k++) {
      double c = 0.0;
      for (int i = 0; i < n; i++) {
        c += svd.u().get(i, k) * y[i];
      }
      b[k] = c;
      g2 += svd.s()[k] * svd.s()[k] * c * c;
      for (int i = 0; i < n; i++) {
        resid[i] -= c * svd.u().get(i, k);
      }
    }
    double out = 0.0;
    for (double v : resid) {
      out += v * v;
    }
    outsideRange = out;
    yNormSquared = yy;
    gradientNorm = Math.sqrt(g2);
  }

  /**
   * The optimum at {@code beta}.
   *
   * @param theta the minimiser (d entries)
   * @param value Phi(beta)
   * @param mu beta / ||theta|| (infinite when theta = 0)
   */
  public record Solution(double[] theta, double value, double mu) {
    /** ||theta - theta0||. */
    public double distanceTo(double[] theta0) {
      double s = 0.0;
      for (int k = 0; k < theta.length; k++) {
        double v = theta[k] - theta0[k];
        s += v * v;
      }
      return Math.sqrt(s);
    }
  }

  /** ||A^T y||: the smallest beta at which theta = 0 is optimal. */
  public double betaMax() {
    return gradientNorm;
  }

  /** Solves for {@code beta} &gt; 0. */
  public Solution solve(double beta) {
    if (!(beta > 0.0)) {
      throw new IllegalArgumentException("beta must be positive, got " + beta);
    }
    int d = svd.vt().cols();
    if (beta >= gradientNorm) {
      return new Solution(new double[d], 0.5 * yNormSquared, Double.POSITIVE_INFINITY);
    }
    double top = svd.s()[0] * svd.s()[0];
    double lo = 1e-30 * Math.max(top, 1e-300);
    double hi = Math.max(top, beta);
    while (f(hi) < beta) {
      hi *= 4.0;
    }
    for (int it = 0; it < 400 && hi > lo * (1.0 + 4.0 * Math.ulp(1.0)); it++) {
      double mid = Math.sqrt(lo * hi);
      if (f(mid) < beta) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double mu = Math.sqrt(lo * hi);
    int r = b.length;
    int k0 = svd.s().length;
    double[] theta = new double[d];
    double fit = outsideRange;
    double norm2 = 0.0;
    for (int k = 0; k < r; k++) {
      double s = svd.s()[k];
      double c = s * b[k] / (s * s + mu);
      double res = mu * b[k] / (s * s + mu);
      fit += res * res;
      norm2 += c * c;
      for (int j = 0; j < d; j++) {
        theta[j] += c * svd.vt().data()[k + j * k0];
      }
    }
    return new Solution(theta, 0.5 * fit + beta * Math.sqrt(norm2), mu);
  }

  /** f(mu) = mu ||theta(mu)||. */
  private double f(double mu) {
    double s2 = 0.0;
    for (int k = 0; k < b.length; k++) {
      double s = svd.s()[k];
      double c = s * b[k] * mu / (s * s + mu);
      s2 += c * c;
    }
    return Math.sqrt(s2);
  }
}
