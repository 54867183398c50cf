package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;

/**
 * The nuclear norm ||Z||_* (sum of singular values) of an h x K matrix stored as vec(Z),
 * column-major, the regulariser of the linear CNN (Pilanci and Ergen 2020, section 5, case 2).
 * Its prox is singular value thresholding (Cai, Candes and Shen 2010) and its dual norm the
 * spectral norm ||.||_op.
 *
 * @param rows h, the filter size
 * @param cols K, the number of patches
 */
public record NuclearNorm(int rows, int cols) implements ConvexNorm {

  @Override
  public int dimension() {
    return rows * cols;
  }

  private DenseMatrix matrix(double[] x) {
    return new DenseMatrix(rows, cols, x.clone());
  }

  @Override
  public double value(double[] x) {
    double sum = 0.0;
    for (double s : ThinSvd.singularValues(matrix(x))) {
      sum += s;
    }
    return sum;
  }

  /** Singular value thresholding: U max(S - t, 0) V^T. */
  @Override
  public void prox(double[] v, double t, double[] out) {
    ThinSvd svd = ThinSvd.of(matrix(v));
    int keep = 0;
    while (keep < svd.s().length && svd.s()[keep] > t) {
      keep++;
    }
    // U_keep diag(s - t) (one scaled copy), times V^T_keep: one GEMM.
    DenseMatrix scaled = new DenseMatrix(rows, keep);
    for (int j = 0; j < keep; j++) {
      double shrink = svd.s()[j] - t;
      double[] u = svd.u().data();
      for (int i = 0; i < rows; i++) {
        scaled.data()[i + j * rows] = shrink * u[i + j * rows];
      }
    }
    DenseMatrix vt = new DenseMatrix(keep, cols);
    int r = svd.vt().rows();
    for (int c = 0; c < cols; c++) {
      System.arraycopy(svd.vt().data(), c * r, vt.data(), c * keep, keep);
    }
    DenseMatrix z = new DenseMatrix(rows, cols, out);
    Blas.gemm(false, false, 1.0, scaled, vt, 0.0, z);
  }

  @Override
  public double dual(double[] c) {
    return ThinSvd.spectralNorm(matrix(c));
  }
}
