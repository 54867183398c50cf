package io.cvxrelu.model;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained convex model: the gates that define its sign patterns, the solved blocks, and the
 * settings needed to use it on new rows.
 *
 * <p>For {@link Formulation#RELU} the model is the network recovered by Theorem 1 of Pilanci and
 * Ergen (2020): one neuron per non-zero block, u = v_i / sqrt(||v_i||), alpha = sqrt(||v_i||)
 * and u = w_i / sqrt(||w_i||), alpha = -sqrt(||w_i||); predictions use that network. For
 * {@link Formulation#GATED} predictions are sum_i 1[x^T g_i &gt; 0] x^T u_i with the training
 * gates.
 *
 * @param gates d x P gate vectors (d includes the bias column when {@code bias})
 * @param weights d x q blocks ([v, w] for ReLU, [u] for gated)
 * @param bias whether a column of ones is appended to raw features
 */
public record ConvexReluModel(Formulation formulation, String loss, double beta, boolean bias,
    DenseMatrix gates, DenseMatrix weights) {



  public ConvexReluModel {
    int p = gates.cols();
    int q = formulation == Formulation.RELU ? 2 * p : p;
    if (weights.cols() != q || weights.rows() != gates.rows()) {
      throw new IllegalArgumentException("weights " + weights + " do not match " + p
          + " gates of dimension " + gates.rows());
    }
  }

  /** Dimension of raw feature vectors (without the bias column). */
  public int inputDimension() {
    return gates.rows() - (bias ? 1 : 0);
  }

  public int patternCount() {
    return gates.cols();
  }

  /** Adds the bias column when the model uses one. */
  public DenseMatrix design(DenseMatrix raw) {
    if (raw.cols() != inputDimension()) {
      throw new IllegalArgumentException("model expects " + inputDimension()
          + " features, got " + raw.cols());
    }
    return bias ? raw.withOnesColumn() : raw;
  }

  /**
   * The network of Theorem 1: one neuron per non-zero block (ReLU). For gated models the
   * first-layer weights are the split blocks u_i / sqrt(||u_i||) with alpha = sqrt(||u_i||),
   * whose gates are the columns of {@link #gates()} of their blocks.
   */
  public ReluNetwork network() {
    int d = weights.rows();
    List<double[]> cols = new ArrayList<>();
    List<Double> alphas = new ArrayList<>();
    for (int j = 0; j < weights.cols(); j++) {
      double norm = weights.columnNorm(j);
      if (norm <= 0.0) {
        continue;
      }
      double s = Math.sqrt(norm);
      double[] u = weights.column(j);
      for (int k = 0; k < d; k++) {
        u[k] /= s;
      }
      cols.add(u);
      boolean negative = formulation == Formulation.RELU && j >= gates.cols();
      alphas.add(negative ? -s : s);
    }
    DenseMatrix hidden = new DenseMatrix(d, cols.size());
    double[] alpha = new double[cols.size()];
    for (int k = 0; k < cols.size(); k++) {
      System.arraycopy(cols.get(k), 0, hidden.data(), k * d, d);
      alpha[k] = alphas.get(k);
    }
    return new ReluNetwork(hidden, alpha);
  }

  /** Predictions on a design matrix (bias column already added, see {@link #design}). */
  public double[] predictDesign(DenseMatrix x) {
    if (formulation == Formulation.RELU) {
      return network().predict(x);
    }
    int n = x.rows();
    int p = gates.cols();
    DenseMatrix xg = new DenseMatrix(n, p);
    Blas.gemm(false, false, 1.0, x, gates, 0.0, xg);
    DenseMatrix xu = new DenseMatrix(n, p);
    Blas.gemm(false, false, 1.0, x, weights, 0.0, xu);
    double[] out = new double[n];
    double[] gd = xg.data();
    double[] ud = xu.data();
    // Column by column and branch-free, as ReluNetwork#predict.
    for (int j = 0; j < p; j++) {
      int off = j * n;
      for (int i = 0; i < n; i++) {
        out[i] += gd[off + i] > 0.0 ? ud[off + i] : 0.0;
      }
    }
    return out;
  }

  /**
   * Objective of the non-convex network on a design matrix, with weight decay beta/2 on both
   * layers: the ReLU network of {@link #network()}, or for gated models the gated network
   * sum_j 1[x^T g_j &gt; 0] (x^T u_j) alpha_j with the split weights of {@link #network()}.
   */
  public double nonconvexObjective(DenseMatrix x, double[] y, io.cvxrelu.problem.Loss loss) {
    ReluNetwork net = network();
    if (formulation == Formulation.RELU) {
      return net.objective(x, y, loss, beta);
    }
    double reg = 0.0;
    for (double v : net.hidden().data()) {
      reg += v * v;
    }
    for (double a : net.alpha()) {
      reg += a * a;
    }
    return loss.value(predictDesign(x), loss.canonicalLabels(y)) + 0.5 * beta * reg;
  }

  /** Predictions on raw feature rows. */
  public double[] predict(DenseMatrix raw) {
    return predictDesign(design(raw));
  }
}
