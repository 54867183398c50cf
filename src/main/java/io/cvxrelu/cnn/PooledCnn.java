package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * A two-layer CNN with m shared filters and global pooling (Ergen and Pilanci, "Implicit convex
 * regularizers of CNN architectures", ICLR 2021):
 * <pre>
 *   f(x) = sum_j alpha_j sum_k phi_j(x_k) ,   phi_j(x_k) = (x_k^T u_j)_+             (ReLU)
 *                                             phi_j(x_k) = 1[x_k^T g_j &gt; 0] x_k^T u_j (gated)
 * </pre>
 * with weight decay beta/2 sum_j (||u_j||^2 + alpha_j^2). The pooling is a sum over the K
 * patches (average pooling up to the factor 1/K, which the output weights absorb). The
 * network is evaluated from the patches directly, one GEMM per patch, independently of the
 * convex program's pooled design. Serializable, so that a distributed run evaluates it where
 * the rows are.
 *
 * @param geometry the patches
 * @param filters h x m, one filter u_j per column
 * @param outputWeights alpha_j (m)
 * @param gates h x m gate vectors g_j, or null for the ReLU network
 */
public record PooledCnn(PatchGeometry geometry, DenseMatrix filters, double[] outputWeights,
    DenseMatrix gates) implements java.io.Serializable {

  /** Checks the shapes. */
  public PooledCnn {
    if (filters.rows() != geometry.patchSize() || outputWeights.length != filters.cols()
        || (gates != null && (gates.rows() != filters.rows() || gates.cols() != filters.cols()))) {
      throw new IllegalArgumentException("filters, gates and output weights do not match");
    }
  }

  /** m, the number of filters. */
  public int width() {
    return filters.cols();
  }

  /** f(x) on the rows of x. */
  public double[] predict(DenseMatrix x) {
    DenseMatrix a = geometry.patchRows(x);
    int n = x.rows();
    int h = geometry.patchSize();
    int m = width();
    double[] f = new double[n];
    if (m == 0) {
      return f;
    }
    double[] response = new double[n * m];
    double[] gate = gates == null ? null : new double[n * m];
    for (int k = 0; k < geometry.patchCount(); k++) {
      // X_k is the contiguous n x h block of columns k h .. k h + h - 1 of the patch rows.
      Blas.gemm(false, false, n, m, h, 1.0, a.data(), k * h * n, n, filters.data(), 0, h, 0.0,
          response, 0, n);
      if (gate != null) {
        Blas.gemm(false, false, n, m, h, 1.0, a.data(), k * h * n, n, gates.data(), 0, h, 0.0,
            gate, 0, n);
      }
      for (int j = 0; j < m; j++) {
        double alpha = outputWeights[j];
        for (int r = 0; r < n; r++) {
          double z = response[j * n + r];
          boolean on = gate == null ? z > 0.0 : gate[j * n + r] > 0.0;
          if (on) {
            f[r] += alpha * z;
          }
        }
      }
    }
    return f;
  }

  /** beta/2 sum_j (||u_j||^2 + alpha_j^2). */
  public double weightDecay(double beta) {
    double sum = Blas.dot(outputWeights.length, outputWeights, outputWeights);
    sum += Blas.dot(filters.data().length, filters.data(), filters.data());
    return 0.5 * beta * sum;
  }

  /** The non-convex objective 1/2 sum_r (f(x_r) - y_r)^2 + beta/2 sum_j (|u_j|^2 + alpha_j^2). */
  public double objective(DenseMatrix x, double[] y, double beta) {
    double[] f = predict(x);
    double loss = 0.0;
    for (int r = 0; r < f.length; r++) {
      loss += (f[r] - y[r]) * (f[r] - y[r]);
    }
    return 0.5 * loss + weightDecay(beta);
  }

  /**
   * The ReLU network of the pooled ReLU program's h x 2P blocks [v_1..v_P, w_1..w_P]: v_i gives
   * alpha = +sqrt||v_i||, w_i alpha = -sqrt||w_i||.
   */
  public static PooledCnn reluFromBlocks(PatchGeometry geometry, DenseMatrix blocks) {
    int p = blocks.cols() / 2;
    double[] signs = new double[2 * p];
    for (int j = 0; j < 2 * p; j++) {
      signs[j] = j < p ? 1.0 : -1.0;
    }
    return fromBlocks(geometry, blocks, signs, null, null);
  }

  /**
   * The network of convex blocks b_1..b_q (h x q; block j gives a neuron with output sign
   * {@code signs[j]}): u = b / sqrt||b||, alpha = sign sqrt||b||, so the weight decay equals
   * beta sum ||b_j||. Zero blocks give no neuron.
   *
   * @param gateOf for block j, the column of {@code gateSource} holding its gate (gated), or
   *     ignored when {@code gateSource} is null (ReLU)
   */
  static PooledCnn fromBlocks(PatchGeometry geometry, DenseMatrix blocks, double[] signs,
      DenseMatrix gateSource, int[] gateOf) {
    int h = blocks.rows();
    int m = 0;
    for (int j = 0; j < blocks.cols(); j++) {
      m += blocks.columnNorm(j) > 0.0 ? 1 : 0;
    }
    DenseMatrix u = new DenseMatrix(h, m);
    DenseMatrix g = gateSource == null ? null : new DenseMatrix(h, m);
    double[] alpha = new double[m];
    int o = 0;
    for (int j = 0; j < blocks.cols(); j++) {
      double norm = blocks.columnNorm(j);
      if (norm > 0.0) {
        double root = Math.sqrt(norm);
        for (int t = 0; t < h; t++) {
          u.data()[o * h + t] = blocks.get(t, j) / root;
        }
        alpha[o] = signs[j] * root;
        if (g != null) {
          System.arraycopy(gateSource.data(), gateOf[j] * h, g.data(), o * h, h);
        }
        o++;
      }
    }
    return new PooledCnn(geometry, u, alpha, g);
  }
}
