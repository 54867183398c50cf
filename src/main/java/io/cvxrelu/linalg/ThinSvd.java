package io.cvxrelu.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * The thin singular value decomposition A = U S V^T of an m x n matrix (LAPACK's divide and
 * conquer {@code dgesdd}), with the numerical rank by LAPACK's usual rule: singular values
 * above max(m, n) * eps * s_max count. It gives what the theory diagnostics need from A: its
 * rank, its range (the first r columns of U), the pseudo-inverse and the ridge path
 * (A^T A + mu I)^{-1} A^T y; the nuclear-norm programs of the CNNs ({@code io.cvxrelu.cnn})
 * use it for singular value thresholding and, through {@link #singularValues} (values only,
 * {@code dgesvd}), for the spectral norm.
 *
 * @param u m x k left singular vectors, k = min(m, n)
 * @param s the k singular values, in decreasing order
 * @param vt k x n right singular vectors (transposed)
 * @param rank the numerical rank r
 */
public record ThinSvd(DenseMatrix u, double[] s, DenseMatrix vt, int rank) {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();

  /** Decomposes {@code a} (not modified). */
  public static ThinSvd of(DenseMatrix a) {
    int m = a.rows();
    int n = a.cols();
    int k = Math.min(m, n);
    if (k == 0) {
      throw new IllegalArgumentException("cannot decompose an empty matrix " + a);
    }
    double[] work0 = a.data().clone();
    double[] s = new double[k];
    DenseMatrix u = new DenseMatrix(m, k);
    DenseMatrix vt = new DenseMatrix(k, n);
    int[] iwork = new int[8 * k];
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK_IMPL.dgesdd("S", m, n, work0, m, s, u.data(), m, vt.data(), k, query, -1, iwork,
        info);
    if (info.val != 0) {
      throw new IllegalStateException("dgesdd workspace query failed with info " + info.val);
    }
    double[] work = new double[(int) query[0]];
    LAPACK_IMPL.dgesdd("S", m, n, work0, m, s, u.data(), m, vt.data(), k, work, work.length,
        iwork, info);
    if (info.val != 0) {
      throw new ArithmeticException("dgesdd did not converge (info " + info.val + ")");
    }
    double cut = Math.max(m, n) * Math.ulp(1.0) * s[0];
    int rank = 0;
    while (rank < k && s[rank] > cut) {
      rank++;
    }
    return new ThinSvd(u, s, vt, rank);
  }

  /** V (n x k), the right singular vectors as columns. */
  public DenseMatrix v() {
    return vt.transpose();
  }

  /** The number of singular values above {@code tol} times the largest. */
  public int rank(double tol) {
    int r = 0;
    while (r < s.length && s[r] > tol * s[0]) {
      r++;
    }
    return r;
  }

  /** The first r = rank columns of U: an orthonormal basis of the range of A. */
  public DenseMatrix rangeBasis() {
    return u.columns(0, rank);
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
