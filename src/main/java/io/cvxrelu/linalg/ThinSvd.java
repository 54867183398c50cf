package io.cvxrelu.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Thin singular value decomposition A = U diag(s) V^T of an m x n matrix by LAPACK's
 * {@code dgesvd}: U is m x r, V^T is r x n, r = min(m, n), s in decreasing order. The nuclear-norm
 * programs use it for singular value thresholding and for the spectral (operator) norm.
 *
 * @param u m x r left singular vectors
 * @param s the r singular values, largest first
 * @param vt r x n right singular vectors, as rows
 */
public record ThinSvd(DenseMatrix u, double[] s, DenseMatrix vt) {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();

  /** The thin decomposition of {@code a} (not modified). */
  public static ThinSvd of(DenseMatrix a) {
    int m = a.rows();
    int n = a.cols();
    int r = Math.min(m, n);
    DenseMatrix u = new DenseMatrix(m, r);
    DenseMatrix vt = new DenseMatrix(r, n);
    double[] s = run("S", a, u.data(), Math.max(1, m), vt.data(), Math.max(1, r));
    return new ThinSvd(u, s, vt);
  }

  /** The singular values of {@code a} alone, largest first. */
  public static double[] singularValues(DenseMatrix a) {
    return run("N", a, new double[1], 1, new double[1], 1);
  }

  /** The spectral norm (largest singular value); 0 for an empty matrix. */
  public static double spectralNorm(DenseMatrix a) {
    double[] s = singularValues(a);
    return s.length == 0 ? 0.0 : s[0];
  }

  private static double[] run(String job, DenseMatrix a, double[] u, int ldu, double[] vt,
      int ldvt) {
    int m = a.rows();
    int n = a.cols();
    double[] s = new double[Math.min(m, n)];
    if (s.length == 0) {
      return s;
    }
    double[] copy = a.data().clone();
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK_IMPL.dgesvd(job, job, m, n, copy, Math.max(1, m), s, u, ldu, vt, ldvt, query, -1,
        info);
    if (info.val != 0) {
      throw new IllegalStateException("dgesvd workspace query failed with info " + info.val);
    }
    double[] work = new double[Math.max(1, (int) query[0])];
    LAPACK_IMPL.dgesvd(job, job, m, n, copy, Math.max(1, m), s, u, ldu, vt, ldvt, work,
        work.length, info);
    if (info.val != 0) {
      throw new ArithmeticException("dgesvd did not converge (info " + info.val + ")");
    }
    return s;
  }
}
