package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The data of a one-hidden-layer CNN with k non-overlapping patches (Bartan and Pilanci,
 * section 2): row i of the n x (k f) matrix X splits into contiguous blocks X_ij in R^{1 x f},
 * and the network with filter w predicts f(x_i) = sum_j (X_ij w)_+.
 *
 * <p>X is column-major, so patch j of every row is the contiguous n x f sub-matrix X_j at
 * offset j f n: every product over patches is one GEMM per patch on the backing array, without
 * copies. Per-(i, j) vectors are laid out patch-major (entry j n + i), the same order.
 */
public final class PatchDesign implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final DenseMatrix x;
  private final int blocks;
  private final int filterSize;

  /**
   * @param x n x (k f) data, patches contiguous in each row
   * @param blocks the number of patches k; must divide the column count
   * @throws IllegalArgumentException when k does not divide d or f would be 0
   */
  public PatchDesign(DenseMatrix x, int blocks) {
    if (blocks <= 0) {
      throw new IllegalArgumentException("the number of patches k must be positive, got "
          + blocks);
    }
    if (x.cols() == 0 || x.cols() % blocks != 0) {
      throw new IllegalArgumentException("d = " + x.cols() + " features do not split into k = "
          + blocks + " patches of f >= 1 features (d must be a positive multiple of k)");
    }
    this.x = x;
    this.blocks = blocks;
    this.filterSize = x.cols() / blocks;
  }

  public DenseMatrix x() {
    return x;
  }

  /** n, the number of samples. */
  public int n() {
    return x.rows();
  }

  /** k, the number of patches per sample. */
  public int blocks() {
    return blocks;
  }

  /** f = d / k, the filter size. */
  public int filterSize() {
    return filterSize;
  }

  /** n k, the number of patch variables z_ij. */
  public int patches() {
    return x.rows() * blocks;
  }

  /** The patch responses X_ij w for every (i, j), patch-major (entry j n + i). */
  public double[] responses(double[] w) {
    int n = n();
    double[] out = new double[n * blocks];
    for (int j = 0; j < blocks; j++) {
      Blas.gemm(false, false, n, 1, filterSize, 1.0, x.data(), j * filterSize * n, n, w, 0,
          filterSize, 0.0, out, j * n, n);
    }
    return out;
  }

  /** sum_ij v_ij X_ij^T (an f-vector) for a patch-major vector v of n k entries. */
  public double[] adjoint(double[] v) {
    int n = n();
    double[] out = new double[filterSize];
    for (int j = 0; j < blocks; j++) {
      Blas.gemm(true, false, filterSize, 1, n, 1.0, x.data(), j * filterSize * n, n, v, j * n, n,
          1.0, out, 0, filterSize);
    }
    return out;
  }

  /**
   * sum_ij e_ij X_ij^T X_ij (f x f) for patch-major weights e: one GEMM per patch against a
   * row-scaled copy of X_j.
   */
  public DenseMatrix weightedGram(double[] e) {
    int n = n();
    int f = filterSize;
    double[] scaled = new double[n * f * blocks];
    double[] xd = x.data();
    for (int j = 0; j < blocks; j++) {
      for (int l = 0; l < f; l++) {
        int col = (j * f + l) * n;
        for (int i = 0; i < n; i++) {
          scaled[col + i] = e[j * n + i] * xd[col + i];
        }
      }
    }
    DenseMatrix out = new DenseMatrix(f, f);
    for (int j = 0; j < blocks; j++) {
      Blas.gemm(true, false, f, f, n, 1.0, xd, j * f * n, n, scaled, j * f * n, n, 1.0,
          out.data(), 0, f);
    }
    return out;
  }

  /** The n x f matrix with rows sum_j e_ij X_ij, for patch-major weights e. */
  public DenseMatrix rowSums(double[] e) {
    int n = n();
    int f = filterSize;
    DenseMatrix g = new DenseMatrix(n, f);
    double[] gd = g.data();
    double[] xd = x.data();
    for (int j = 0; j < blocks; j++) {
      for (int l = 0; l < f; l++) {
        int col = (j * f + l) * n;
        for (int i = 0; i < n; i++) {
          gd[l * n + i] += e[j * n + i] * xd[col + i];
        }
      }
    }
    return g;
  }

  /** The network's outputs sum_j (X_ij w)_+ for every row. */
  public double[] predict(double[] w) {
    double[] resp = responses(w);
    int n = n();
    double[] out = new double[n];
    for (int j = 0; j < blocks; j++) {
      for (int i = 0; i < n; i++) {
        out[i] += Math.max(0.0, resp[j * n + i]);
      }
    }
    return out;
  }

  /** The mean squared error (1/n) sum_i (y_i - sum_j (X_ij w)_+)^2 of filter w. */
  public double meanSquaredError(double[] w, double[] y) {
    double[] p = predict(w);
    double s = 0.0;
    for (int i = 0; i < p.length; i++) {
      double r = y[i] - p[i];
      s += r * r;
    }
    return p.length == 0 ? 0.0 : s / p.length;
  }

  /**
   * The subgradients a_i = sum over the patches active under w (X_ij w &gt; 0) of X_ij^T, as
   * the rows of an n x f matrix: the normal cone of the LP's feasible set at a planted filter
   * is cone{a_i} (eq. 14).
   */
  public DenseMatrix activeRowSums(double[] w) {
    double[] resp = responses(w);
    double[] active = new double[resp.length];
    for (int p = 0; p < resp.length; p++) {
      active[p] = resp[p] > 0.0 ? 1.0 : 0.0;
    }
    return rowSums(active);
  }
}
