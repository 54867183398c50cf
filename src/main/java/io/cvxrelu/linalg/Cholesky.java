package io.cvxrelu.linalg;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Cholesky factor of a symmetric positive definite matrix (LAPACK dpotrf / dpotrs).
 *
 * <p>When the BLAS is single-threaded ({@link Parallel}), large matrices are factored by the
 * right-looking blocked algorithm (Golub and Van Loan, Matrix Computations, 4th ed.,
 * Algorithm 4.2.10) with its level-3 steps split across the cores: dpotrf on each diagonal
 * block, the panel's triangular solve by row ranges, and the trailing update
 * A22 -= A21 A21^T by column bands of equal triangle work. Solves split the right-hand sides.
 */
public final class Cholesky implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();
  private static final BLAS BLAS_IMPL = BLAS.getInstance();
  /** Columns per block of the blocked factorisation. */
  private static final int BLOCK = 512;
  /** Column bands of the trailing update per core. */
  private static final int BANDS_PER_PART = 8;
  private final int n;
  private final double[] factor;

  private Cholesky(int n, double[] factor) {
    this.n = n;
    this.factor = factor;
  }

  /**
   * Factors {@code a} (only its lower triangle is read; the matrix is not modified).
   *
   * @throws ArithmeticException when the matrix is not numerically positive definite
   */
  public static Cholesky factor(DenseMatrix a) {
    return factorLower(a, a.data().clone());
  }

  /**
   * As {@link #factor}, but factors {@code a}'s own storage, which the factor then owns: for a
   * scratch matrix built only to be factored, this saves a copy of n^2 doubles. {@code a} must
   * not be used afterwards.
   */
  public static Cholesky factorOverwriting(DenseMatrix a) {
    return factorLower(a, a.data());
  }

  private static Cholesky factorLower(DenseMatrix a, double[] f) {
    if (a.rows() != a.cols()) {
      throw new IllegalArgumentException("Cholesky needs a square matrix, got " + a);
    }
    int n = a.rows();
    int info = factorLower(f, n);
    if (info != 0) {
      throw new ArithmeticException("matrix is not positive definite (dpotrf info " + info + ")");
    }
    return new Cholesky(n, f);
  }

  /**
   * Lower Cholesky factor of the n x n matrix f (lda = n) in place; the strict upper triangle
   * is left unspecified. Returns 0, or LAPACK's info (the order of the first minor that is not
   * positive definite).
   */
  static int factorLower(double[] f, int n) {
    int parts = Parallel.partsFor(n, (double) n * n * n / 3.0, 2 * BLOCK);
    if (parts <= 1) {
      intW info = new intW(0);
      LAPACK_IMPL.dpotrf("L", n, f, 0, Math.max(1, n), info);
      return info.val;
    }
    for (int k0 = 0; k0 < n; k0 += BLOCK) {
      int kb = Math.min(BLOCK, n - k0);
      int diag = k0 + k0 * n;
      intW info = new intW(0);
      LAPACK_IMPL.dpotrf("L", kb, f, diag, n, info);
      if (info.val != 0) {
        return k0 + info.val;
      }
      int m2 = n - k0 - kb;
      if (m2 == 0) {
        break;
      }
      int panel = diag + kb;
      // A21 <- A21 L11^{-T}, by row ranges.
      Parallel.forRanges(m2, Parallel.partsFor(m2, (double) m2 * kb * kb, 64),
          (part, from, to) -> BLAS_IMPL.dtrsm("R", "L", "T", "N", to - from, kb, 1.0, f, diag,
              n, f, panel + from, n));
      // A22 <- A22 - A21 A21^T on and below the diagonal, by column bands of equal work.
      // Thin bands waste little on the part of each band above the diagonal that the GEMM
      // also computes; contiguous halves of equal-area bands keep the cores balanced.
      int bands = Math.max(1, Math.min(BANDS_PER_PART * parts, m2 / 32));
      int[] cuts = triangleCuts(m2, bands);
      int a22 = (k0 + kb) + (k0 + kb) * n;
      Parallel.forRanges(bands, parts, (part, from, to) -> {
        for (int band = from; band < to; band++) {
          int c0 = cuts[band];
          int c1 = cuts[band + 1];
          if (c1 > c0) {
            BLAS_IMPL.dgemm("N", "T", m2 - c0, c1 - c0, kb, -1.0, f, panel + c0, n, f,
                panel + c0, n, 1.0, f, a22 + c0 + c0 * n, n);
          }
        }
      });
    }
    return 0;
  }

  /**
   * Column cuts 0 = c_0 &lt;= ... &lt;= c_t = m splitting the lower triangle of an m x m matrix
   * into t bands of about equal area (column c holds m - c entries).
   */
  static int[] triangleCuts(int m, int t) {
    int[] cuts = new int[t + 1];
    for (int k = 1; k < t; k++) {
      double c = m * (1.0 - Math.sqrt(1.0 - (double) k / t));
      cuts[k] = Math.max(cuts[k - 1], Math.min(m, (int) Math.round(c)));
    }
    cuts[t] = m;
    return cuts;
  }

  /** Solves A X = B in place for the n x k right-hand sides B. */
  public void solveInPlace(DenseMatrix b) {
    if (b.rows() != n) {
      throw new IllegalArgumentException("right-hand side has " + b.rows() + " rows, expected " + n);
    }
    if (b.cols() == 0 || n == 0) {
      return;
    }
    int k = b.cols();
    double[] bd = b.data();
    int parts = Parallel.partsFor(k, 2.0 * n * n * k, 1);
    Parallel.forRanges(k, parts, (part, from, to) -> {
      intW info = new intW(0);
      LAPACK_IMPL.dpotrs("L", n, to - from, factor, 0, Math.max(1, n), bd, from * n,
          Math.max(1, n), info);
      if (info.val != 0) {
        throw new IllegalStateException("dpotrs failed with info " + info.val);
      }
    });
  }

  /**
   * Lower Cholesky factor, in place, of the SPD n x n block at {@code a[off ..]}; the strict
   * upper triangle is zeroed.
   *
   * @return false when the block is not numerically positive definite
   */
  public static boolean factorInPlace(double[] a, int off, int n) {
    intW info = new intW(0);
    LAPACK_IMPL.dpotrf("L", n, a, off, n, info);
    if (info.val != 0) {
      return false;
    }
    for (int c = 1; c < n; c++) {
      for (int r = 0; r < c; r++) {
        a[off + c * n + r] = 0.0;
      }
    }
    return true;
  }

  public int size() {
    return n;
  }
}
