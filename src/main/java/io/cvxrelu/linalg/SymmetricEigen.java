package io.cvxrelu.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/** Eigen-decomposition of a symmetric matrix by LAPACK's divide and conquer ({@code dsyevd}). */
public final class SymmetricEigen {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();

  private SymmetricEigen() {}

  /**
   * The {@code k} eigenvectors of the largest eigenvalues, as the columns of a d x k matrix in
   * decreasing order of eigenvalue. Only the lower triangle of {@code a} is read.
   */
  public static DenseMatrix topEigenvectors(DenseMatrix a, int k) {
    int d = a.rows();
    if (a.cols() != d) {
      throw new IllegalArgumentException("eigen-decomposition needs a square matrix, got " + a);
    }
    if (k < 1 || k > d) {
      throw new IllegalArgumentException("cannot take " + k + " eigenvectors of a " + d + "x" + d
          + " matrix");
    }
    double[] v = a.data().clone();
    double[] w = new double[d];
    intW info = new intW(0);
    double[] workQuery = new double[1];
    int[] iworkQuery = new int[1];
    LAPACK_IMPL.dsyevd("V", "L", d, v, d, w, workQuery, -1, iworkQuery, -1, info);
    if (info.val != 0) {
      throw new IllegalStateException("dsyevd workspace query failed with info " + info.val);
    }
    double[] work = new double[(int) workQuery[0]];
    int[] iwork = new int[iworkQuery[0]];
    LAPACK_IMPL.dsyevd("V", "L", d, v, d, w, work, work.length, iwork, iwork.length, info);
    if (info.val != 0) {
      throw new ArithmeticException("dsyevd did not converge (info " + info.val + ")");
    }
    // dsyevd returns eigenvalues in ascending order: the last k columns, reversed.
    DenseMatrix top = new DenseMatrix(d, k);
    for (int c = 0; c < k; c++) {
      System.arraycopy(v, (d - 1 - c) * d, top.data(), c * d, d);
    }
    return top;
  }
}
