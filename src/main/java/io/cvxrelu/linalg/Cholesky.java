package io.cvxrelu.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/** Cholesky factor of a symmetric positive definite matrix (LAPACK dpotrf / dpotrs). */
public final class Cholesky {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();
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
    if (a.rows() != a.cols()) {
      throw new IllegalArgumentException("Cholesky needs a square matrix, got " + a);
    }
    int n = a.rows();
    double[] f = a.data().clone();
    intW info = new intW(0);
    LAPACK_IMPL.dpotrf("L", n, f, Math.max(1, n), info);
    if (info.val != 0) {
      throw new ArithmeticException("matrix is not positive definite (dpotrf info " + info.val + ")");
    }
    return new Cholesky(n, f);
  }

  /** Solves A X = B in place for the n x k right-hand sides B. */
  public void solveInPlace(DenseMatrix b) {
    if (b.rows() != n) {
      throw new IllegalArgumentException("right-hand side has " + b.rows() + " rows, expected " + n);
    }
    if (b.cols() == 0 || n == 0) {
      return;
    }
    intW info = new intW(0);
    LAPACK_IMPL.dpotrs("L", n, b.cols(), factor, Math.max(1, n), b.data(), Math.max(1, n), info);
    if (info.val != 0) {
      throw new IllegalStateException("dpotrs failed with info " + info.val);
    }
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
