package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;

/**
 * A two-layer linear CNN f(x) = sum_j sum_k (x_k^T u_j) alpha_jk with m filters u_j in R^h and
 * output weights alpha_j in R^K (Pilanci and Ergen 2020, section 5, case 2), read off a
 * solution Z of the nuclear-norm program: with Z = U diag(s) V^T, u_j = sqrt(s_j) U_j and
 * alpha_j = sqrt(s_j) V_j, so that sum_j u_j alpha_j^T = Z and the weight decay
 * beta/2 sum_j (||u_j||^2 + ||alpha_j||^2) equals beta ||Z||_*: the non-convex objective of the
 * recovered network is the convex optimum.
 *
 * @param filters h x m, column j is u_j
 * @param outputWeights K x m, column j is alpha_j
 * @param geometry how an example is cut into patches
 */
public record LinearCnn(DenseMatrix filters, DenseMatrix outputWeights, PatchGeometry geometry) {
  /** Singular values below this fraction of the largest count as zero. */
  public static final double RANK_TOLERANCE = 1e-13;

  /** The network of Z (h x K), one filter per non-zero singular value. */
  public static LinearCnn fromProduct(DenseMatrix z, PatchGeometry geometry) {
    int h = geometry.patchSize();
    int kk = geometry.patchCount();
    if (z.rows() != h || z.cols() != kk) {
      throw new IllegalArgumentException("Z is " + z.rows() + "x" + z.cols() + ", the geometry "
          + "needs " + h + "x" + kk);
    }
    ThinSvd svd = ThinSvd.of(z);
    // Singular values at rounding level of the largest are zeros of Z that the SVD did not
    // return as exact zeros; a filter for each would only carry noise.
    double floor = svd.s().length == 0 ? 0.0 : RANK_TOLERANCE * svd.s()[0];
    int m = 0;
    while (m < svd.s().length && svd.s()[m] > floor) {
      m++;
    }
    DenseMatrix u = new DenseMatrix(h, m);
    DenseMatrix alpha = new DenseMatrix(kk, m);
    int r = svd.vt().rows();
    for (int j = 0; j < m; j++) {
      double root = Math.sqrt(svd.s()[j]);
      for (int i = 0; i < h; i++) {
        u.set(i, j, root * svd.u().get(i, j));
      }
      for (int k = 0; k < kk; k++) {
        alpha.set(k, j, root * svd.vt().data()[j + k * r]);
      }
    }
    return new LinearCnn(u, alpha, geometry);
  }

  /** Number of filters m. */
  public int width() {
    return filters.cols();
  }

  /**
   * Predictions for the rows of X: for each patch k, the responses X_k U of all filters (one
   * GEMM on the patch rows' k-th block of columns), weighted by the output weights alpha_{k.}.
   */
  public double[] predict(DenseMatrix x) {
    DenseMatrix a = geometry.patchRows(x);
    int n = x.rows();
    int h = geometry.patchSize();
    int kk = geometry.patchCount();
    int m = width();
    double[] f = new double[n];
    DenseMatrix responses = new DenseMatrix(n, m);
    for (int k = 0; k < kk; k++) {
      // responses = A[:, kh:(k+1)h] U, then f += responses alpha_k.
      Blas.gemm(false, false, n, m, h, 1.0, a.data(), k * h * n, n, filters.data(), 0, h, 0.0,
          responses.data(), 0, n);
      Blas.gemm(false, true, n, 1, m, 1.0, responses.data(), 0, n, outputWeights.data(), k, kk,
          1.0, f, 0, n);
    }
    return f;
  }

  /** The training objective 1/2 sum_i (f(x_i) - y_i)^2 + beta/2 sum_j (||u_j||^2 + ||alpha_j||^2). */
  public double objective(DenseMatrix x, double[] y, double beta) {
    double[] f = predict(x);
    double loss = 0.0;
    for (int i = 0; i < f.length; i++) {
      loss += (f[i] - y[i]) * (f[i] - y[i]);
    }
    double decay = Blas.dot(filters.data().length, filters.data(), filters.data())
        + Blas.dot(outputWeights.data().length, outputWeights.data(), outputWeights.data());
    return 0.5 * loss + 0.5 * beta * decay;
  }
}
