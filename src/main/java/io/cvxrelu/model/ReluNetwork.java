package io.cvxrelu.model;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Loss;

/**
 * A two-layer ReLU network f(x) = sum_j (x^T u_j)_+ alpha_j, the non-convex model of Pilanci and
 * Ergen (2020, eq. (1)), with its weight-decay training objective
 * L(f(X), y) + beta/2 sum_j (||u_j||^2 + alpha_j^2).
 *
 * @param hidden d x m first-layer weights (one neuron per column)
 * @param alpha m output weights
 */
public record ReluNetwork(DenseMatrix hidden, double[] alpha) {

  public ReluNetwork {
    if (hidden.cols() != alpha.length) {
      throw new IllegalArgumentException(hidden.cols() + " neurons but " + alpha.length
          + " output weights");
    }
  }

  public int width() {
    return alpha.length;
  }

  /** (X U)_+ alpha: one GEMM and a masked row sum. */
  public double[] predict(DenseMatrix x) {
    int n = x.rows();
    int m = width();
    double[] out = new double[n];
    if (m == 0) {
      return out;
    }
    DenseMatrix z = new DenseMatrix(n, m);
    Blas.gemm(false, false, 1.0, x, hidden, 0.0, z);
    double[] zd = z.data();
    for (int j = 0; j < m; j++) {
      double a = alpha[j];
      int off = j * n;
      for (int i = 0; i < n; i++) {
        double v = zd[off + i];
        if (v > 0.0) {
          out[i] += v * a;
        }
      }
    }
    return out;
  }

  /** The non-convex training objective with weight decay beta/2. */
  public double objective(DenseMatrix x, double[] y, Loss loss, double beta) {
    double[] yc = loss.canonicalLabels(y);
    return loss.value(predict(x), yc) + 0.5 * beta * squaredNorm();
  }

  /** sum_j (||u_j||^2 + alpha_j^2), the weight-decay term without its beta/2. */
  public double squaredNorm() {
    double reg = 0.0;
    for (double v : hidden.data()) {
      reg += v * v;
    }
    for (double a : alpha) {
      reg += a * a;
    }
    return reg;
  }
}
