package io.cvxrelu.model;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.Formulation;
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
      // Branch-free (half the signs are random, so a branch mispredicts): max(v, 0) a adds a
      // zero where the branch added nothing.
      for (int i = 0; i < n; i++) {
        out[i] += Math.max(zd[off + i], 0.0) * a;
      }
    }
    return out;
  }

  /**
   * This network as a point of the convex program over {@code patterns} (Pilanci and Ergen
   * 2020, Theorem 1 read backwards): neuron j, whose pattern 1[X u_j &gt; 0] is pattern i of the
   * set, adds u_j |alpha_j| to v_i when alpha_j &gt; 0 and to w_i when alpha_j &lt; 0 (gated: u_j
   * alpha_j to u_i). Each such block satisfies its cone constraint (2 D_i - I) X v_i &gt;= 0, the
   * model's predictions on X are unchanged, and since |alpha| ||u|| &lt;= (alpha^2 + ||u||^2) / 2
   * and norms are subadditive, the convex objective at the point is at most the network's
   * {@link #objective}: a feasible warm start that polishes the network.
   *
   * @param x the design the patterns were computed on (features plus bias column, if any)
   * @return d x q blocks; neurons with no pattern in the set (dead neurons) are left out
   * @throws IllegalArgumentException when a live neuron's pattern is missing from the set
   */
  public DenseMatrix convexWeights(DenseMatrix x, SignPatterns patterns,
      Formulation formulation) {
    int d = hidden.rows();
    int p = patterns.count();
    int n = x.rows();
    byte[] masks = SignPatterns.computeMask(x, hidden);
    int[] index = patterns.indexOf(masks, width());
    DenseMatrix b = new DenseMatrix(d, formulation.blockCount(p));
    double[] bd = b.data();
    double[] ud = hidden.data();
    for (int j = 0; j < width(); j++) {
      if (index[j] < 0) {
        for (int i = 0; i < n; i++) {
          if (masks[j * n + i] != 0 && alpha[j] != 0.0) {
            throw new IllegalArgumentException("the pattern of neuron " + j
                + " is not among the given patterns");
          }
        }
        continue;
      }
      boolean gated = formulation == Formulation.GATED;
      int col = gated || alpha[j] > 0.0 ? index[j] : index[j] + p;
      double scale = gated ? alpha[j] : Math.abs(alpha[j]);
      for (int k = 0; k < d; k++) {
        bd[col * d + k] += ud[j * d + k] * scale;
      }
    }
    return b;
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
