package io.cvxrelu.problem;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.Locale;

/**
 * Refuses data whose scale overflows the program's arithmetic before any solver runs.
 *
 * <p>Every solver and certificate forms inner products of a feature column with the labels or
 * a residual (X^T y, X^T D_i lambda, beta_max) and the column's squared norm (the Lipschitz
 * constant, X^T X). By Cauchy-Schwarz these are all finite when ||x_j||_2 ||y||_2 and
 * ||x_j||_2^2 are; when they are not, an overflowed dual norm would otherwise read as zero and
 * turn into a zero gap at the zero network. Such data are refused with the column named, so
 * that no certificate is ever computed from overflowed arithmetic.
 */
public final class DataScale {
  private DataScale() {}

  /**
   * Checks that every column's squared norm, and its norm times the labels' norm, is finite.
   *
   * @param x n x d design (features, plus the bias column when there is one)
   * @param y labels
   * @throws IllegalArgumentException naming the first offending column (1-based) or the labels
   */
  public static void requireFiniteProducts(DenseMatrix x, double[] y) {
    double yy = 0.0;
    for (double v : y) {
      yy += v * v;
    }
    if (!Double.isFinite(yy)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "labels of magnitude up to %.3g overflow their sum of squares: rescale the labels",
          maxAbs(y, 0, y.length)));
    }
    int n = x.rows();
    double[] a = x.data();
    for (int j = 0; j < x.cols(); j++) {
      double ss = 0.0;
      for (int i = j * n; i < (j + 1) * n; i++) {
        ss += a[i] * a[i];
      }
      if (!Double.isFinite(ss) || !Double.isFinite(Math.sqrt(ss) * Math.sqrt(yy))) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "feature column %d has values of magnitude up to %.3g: X^T X and X^T y overflow"
                + " double precision; rescale or standardise it", j + 1,
            maxAbs(a, j * n, (j + 1) * n)));
      }
    }
  }

  private static double maxAbs(double[] v, int from, int to) {
    double m = 0.0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }
}
