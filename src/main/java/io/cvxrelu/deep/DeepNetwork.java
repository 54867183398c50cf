package io.cvxrelu.deep;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.List;

/**
 * A bias-free fully connected network of depth L &gt;= 2, F(X) = sigma(... sigma(X W_1) ...
 * W_{L-1}) W_L with W_l of size m_{l-1} x m_l (m_0 = d, m_L = K outputs) and sigma the ReLU
 * or the identity (a deep linear network), with the training objective of Ergen and Pilanci
 * (ICML 2021, eq. (1)):
 *
 * <pre>
 *   J(W) = 1/2 ||F(X) - Y||_F^2 + beta/2 sum_l ||W_l||_F^2.
 * </pre>
 *
 * <p>Each layer is one GEMM on the whole n x m_{l-1} activation matrix. Immutable: the weight
 * list is copied and never handed out for writing.
 */
public final class DeepNetwork implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** The activation between layers. */
  public enum Activation {
    /** sigma(z) = max(z, 0). */
    RELU,
    /** sigma(z) = z: a deep linear network. */
    LINEAR
  }

  private final List<DenseMatrix> weights;
  private final Activation activation;

  /** @param weights W_1 .. W_L, at least two, with matching inner sizes */
  public DeepNetwork(List<DenseMatrix> weights, Activation activation) {
    if (weights.size() < 2) {
      throw new IllegalArgumentException("a deep network needs L >= 2 layers, got "
          + weights.size());
    }
    for (int l = 1; l < weights.size(); l++) {
      if (weights.get(l).rows() != weights.get(l - 1).cols()) {
        throw new IllegalArgumentException("layer " + (l + 1) + " has " + weights.get(l).rows()
            + " inputs but layer " + l + " has " + weights.get(l - 1).cols() + " outputs");
      }
    }
    this.weights = weights.stream().map(DenseMatrix::copy).toList();
    this.activation = activation;
  }

  /** The depth L. */
  public int depth() {
    return weights.size();
  }

  /** A copy of W_l for l = 1 .. L. */
  public DenseMatrix layer(int l) {
    return weights.get(l - 1).copy();
  }

  /** Copies of W_1 .. W_L. */
  public List<DenseMatrix> layers() {
    return weights.stream().map(DenseMatrix::copy).toList();
  }

  public Activation activation() {
    return activation;
  }

  /** The input dimension d. */
  public int inputDimension() {
    return weights.get(0).rows();
  }

  /** The number of outputs K. */
  public int outputs() {
    return weights.get(weights.size() - 1).cols();
  }

  /** sum_l ||W_l||_F^2. */
  public double squaredNorm() {
    double s = 0.0;
    for (DenseMatrix w : weights) {
      for (double v : w.data()) {
        s += v * v;
      }
    }
    return s;
  }

  /** F(X), n x K. */
  public DenseMatrix forward(DenseMatrix x) {
    if (x.cols() != inputDimension()) {
      throw new IllegalArgumentException("network has input dimension " + inputDimension()
          + ", data " + x.cols());
    }
    DenseMatrix a = x;
    for (int l = 0; l < weights.size(); l++) {
      DenseMatrix w = weights.get(l);
      DenseMatrix z = new DenseMatrix(a.rows(), w.cols());
      Blas.gemm(false, false, 1.0, a, w, 0.0, z);
      if (l < weights.size() - 1 && activation == Activation.RELU) {
        double[] zd = z.data();
        for (int k = 0; k < zd.length; k++) {
          zd[k] = Math.max(zd[k], 0.0);
        }
      }
      a = z;
    }
    return a;
  }

  /** J(W) at (X, Y) for weight decay beta. */
  public double objective(DenseMatrix x, DenseMatrix y, double beta) {
    DenseMatrix f = forward(x);
    if (f.rows() != y.rows() || f.cols() != y.cols()) {
      throw new IllegalArgumentException("targets are " + y.rows() + "x" + y.cols()
          + " but the network outputs " + f.rows() + "x" + f.cols());
    }
    double s = 0.0;
    double[] fd = f.data();
    double[] yd = y.data();
    for (int k = 0; k < fd.length; k++) {
      double r = fd[k] - yd[k];
      s += r * r;
    }
    return 0.5 * s + 0.5 * beta * squaredNorm();
  }

  /**
   * The weights as text: per layer a line {@code # layer l rows x cols}, then one CSV line per
   * row of W_l (the format of the jobs' {@code network.csv} for L-layer networks).
   */
  public String toCsv() {
    StringBuilder sb = new StringBuilder("# activation ").append(activation.name()
        .toLowerCase(java.util.Locale.ROOT)).append('\n');
    for (int l = 0; l < weights.size(); l++) {
      DenseMatrix w = weights.get(l);
      sb.append("# layer ").append(l + 1).append(' ').append(w.rows()).append(" x ")
          .append(w.cols()).append('\n');
      for (int i = 0; i < w.rows(); i++) {
        for (int j = 0; j < w.cols(); j++) {
          sb.append(j == 0 ? "" : ",").append(w.get(i, j));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** A one-column target matrix from a label vector. */
  public static DenseMatrix column(double[] y) {
    return new DenseMatrix(y.length, 1, y.clone());
  }
}
