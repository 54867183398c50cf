package io.cvxrelu.io;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * Features and labels read from a file.
 *
 * @param x n x d features
 * @param y n labels
 */
public record LabeledData(DenseMatrix x, double[] y) {
  public int n() {
    return x.rows();
  }

  public int d() {
    return x.cols();
  }
}
