package io.cvxrelu.sgd;

import io.cvxrelu.linalg.DenseMatrix;

/** Training and test accuracy of a network's outputs against its targets. */
public final class DeepAccuracy {
  private DeepAccuracy() {}

  /**
   * The fraction of rows classified right: sign(f) = y for one column of ±1 labels, the arg max
   * of the outputs equal to the arg max of the target row for one-hot targets; NaN for other
   * targets (regression).
   */
  public static double of(DenseMatrix f, DenseMatrix y) {
    int n = y.rows();
    if (n == 0) {
      return Double.NaN;
    }
    int right = 0;
    if (y.cols() == 1) {
      for (int i = 0; i < n; i++) {
        double t = y.get(i, 0);
        if (t != 1.0 && t != -1.0) {
          return Double.NaN;
        }
        right += (f.get(i, 0) > 0.0) == (t > 0.0) ? 1 : 0;
      }
      return right / (double) n;
    }
    for (int i = 0; i < n; i++) {
      int want = -1;
      for (int k = 0; k < y.cols(); k++) {
        double t = y.get(i, k);
        if (t == 1.0 && want < 0) {
          want = k;
        } else if (t != 0.0) {
          return Double.NaN;
        }
      }
      right += want >= 0 && argMax(f, i) == want ? 1 : 0;
    }
    return right / (double) n;
  }

  private static int argMax(DenseMatrix f, int i) {
    int best = 0;
    for (int k = 1; k < f.cols(); k++) {
      if (f.get(i, k) > f.get(i, best)) {
        best = k;
      }
    }
    return best;
  }
}
