package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;

/** One-hot targets from class indices, and the arg-max accuracy of c-output predictions. */
public final class MulticlassTargets {
  private MulticlassTargets() {}

  /** n x c one-hot matrix of labels in 0..c-1. */
  public static DenseMatrix oneHot(int[] labels, int classes) {
    DenseMatrix y = new DenseMatrix(labels.length, classes);
    for (int r = 0; r < labels.length; r++) {
      if (labels[r] < 0 || labels[r] >= classes) {
        throw new IllegalArgumentException("label " + labels[r] + " of row " + r
            + " is outside 0.." + (classes - 1));
      }
      y.set(r, labels[r], 1.0);
    }
    return y;
  }

  /** Per row, the index of the largest output (first one on ties). */
  public static int[] argMax(DenseMatrix f) {
    int n = f.rows();
    int[] out = new int[n];
    for (int r = 0; r < n; r++) {
      double best = f.get(r, 0);
      for (int j = 1; j < f.cols(); j++) {
        if (f.get(r, j) > best) {
          best = f.get(r, j);
          out[r] = j;
        }
      }
    }
    return out;
  }

  /** Fraction of rows whose arg-max output is the label. */
  public static double accuracy(DenseMatrix f, int[] labels) {
    int[] pred = argMax(f);
    int hits = 0;
    for (int r = 0; r < labels.length; r++) {
      hits += pred[r] == labels[r] ? 1 : 0;
    }
    return labels.length == 0 ? Double.NaN : (double) hits / labels.length;
  }
}
