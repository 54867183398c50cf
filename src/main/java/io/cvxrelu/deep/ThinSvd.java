package io.cvxrelu.deep;

import dev.ludovic.netlib.lapack.LAPACK;
import io.cvxrelu.linalg.DenseMatrix;
import org.netlib.util.intW;

/**
 * The thin singular value decomposition A = U diag(s) V^T of an m x n matrix (k = min(m, n)
 * columns of U and V, s decreasing) by LAPACK's {@code dgesvd}: the soft-thresholded SVD of the
 * deep linear closed form and the whitening and rank-one checks of the ReLU ones.
 *
 * @param u m x k left singular vectors
 * @param s k singular values, decreasing
 * @param v n x k right singular vectors
 */
public record ThinSvd(DenseMatrix u, double[] s, DenseMatrix v) {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();

  /** The thin SVD of {@code a} (not modified). */
  public static ThinSvd of(DenseMatrix a) {
    int m = a.rows();
    int n = a.cols();
    int k = Math.min(m, n);
    if (k == 0) {
      return new ThinSvd(new DenseMatrix(m, 0), new double[0], new DenseMatrix(n, 0));
    }
    double[] work = a.data().clone();
    double[] s = new double[k];
    DenseMatrix u = new DenseMatrix(m, k);
    DenseMatrix vt = new DenseMatrix(k, n);
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK_IMPL.dgesvd("S", "S", m, n, work, m, s, u.data(), m, vt.data(), k, query, -1, info);
    if (info.val != 0) {
      throw new IllegalStateException("dgesvd workspace query failed with info " + info.val);
    }
    double[] buffer = new double[Math.max(1, (int) query[0])];
    LAPACK_IMPL.dgesvd("S", "S", m, n, work, m, s, u.data(), m, vt.data(), k, buffer,
        buffer.length, info);
    if (info.val != 0) {
      throw new ArithmeticException("dgesvd did not converge (info " + info.val + ")");
    }
    return new ThinSvd(u, s, vt.transpose());
  }

  /** The number of singular values above {@code tol} times the largest. */
  public int rank(double tol) {
    int r = 0;
    while (r < s.length && s[r] > tol * s[0]) {
      r++;
    }
    return r;
  }
}
