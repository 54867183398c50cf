package io.cvxrelu.linalg;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Thin, named entry points to the netlib BLAS that {@code dev.ludovic.netlib} selects at run
 * time (native OpenBLAS through JNI when {@code libblas.so.3} is installed, otherwise the
 * vectorised or plain Java implementations). All solver products go through {@link #gemm}.
 */
public final class Blas {
  private static final BLAS BLAS_IMPL = BLAS.getInstance();

  private Blas() {}

  /** Name of the implementation class in use, e.g. {@code JNIBLAS} or {@code VectorBLAS}. */
  public static String backend() {
    return BLAS_IMPL.getClass().getSimpleName();
  }

  /**
   * C = alpha * op(A) * op(B) + beta * C for column-major matrices.
   *
   * @param transA true for A^T
   * @param transB true for B^T
   */
  public static void gemm(boolean transA, boolean transB, double alpha, DenseMatrix a,
      DenseMatrix b, double beta, DenseMatrix c) {
    int m = transA ? a.cols() : a.rows();
    int k = transA ? a.rows() : a.cols();
    int kb = transB ? b.cols() : b.rows();
    int n = transB ? b.rows() : b.cols();
    if (k != kb || c.rows() != m || c.cols() != n) {
      throw new IllegalArgumentException("gemm shape mismatch: op(A) " + m + "x" + k + ", op(B) "
          + kb + "x" + n + ", C " + c.rows() + "x" + c.cols());
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      scal(c.data().length, beta, c.data());
      return;
    }
    int lda = Math.max(1, a.rows());
    int ldb = Math.max(1, b.rows());
    int ldc = Math.max(1, c.rows());
    // Large products are split into bands of C across the cores when the BLAS is
    // single-threaded ({@link Parallel}): rows of C when it is taller than wide, else columns.
    boolean byRows = m >= n;
    int parts = Parallel.partsFor(byRows ? m : n, 2.0 * m * n * k, 64);
    String ta = transA ? "T" : "N";
    String tb = transB ? "T" : "N";
    double[] ad = a.data();
    double[] bd = b.data();
    double[] cd = c.data();
    if (parts <= 1) {
      BLAS_IMPL.dgemm(ta, tb, m, n, k, alpha, ad, lda, bd, ldb, beta, cd, ldc);
    } else if (byRows) {
      Parallel.forRanges(m, parts, (part, from, to) -> BLAS_IMPL.dgemm(ta, tb, to - from, n, k,
          alpha, ad, transA ? from * lda : from, lda, bd, 0, ldb, beta, cd, from, ldc));
    } else {
      Parallel.forRanges(n, parts, (part, from, to) -> BLAS_IMPL.dgemm(ta, tb, m, to - from, k,
          alpha, ad, 0, lda, bd, transB ? from : from * ldb, ldb, beta, cd, from * ldc, ldc));
    }
  }

  /**
   * C = alpha * op(A) * op(B) + beta * C on column-major sub-matrices given by offsets and
   * leading dimensions (e.g. a block of rows of a tall matrix, without copying it).
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double beta, double[] c,
      int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    BLAS_IMPL.dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha, a, aOff,
        Math.max(1, lda), b, bOff, Math.max(1, ldb), beta, c, cOff, Math.max(1, ldc));
  }

  /**
   * Single-precision {@link #gemm(boolean, boolean, int, int, int, double, double[], int, int,
   * double[], int, int, double, double[], int, int)}: twice the flops per cycle of dgemm on
   * AVX cores, for products whose use tolerates a relative error near 1e-7 per term.
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c,
      int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    BLAS_IMPL.sgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha, a, aOff,
        Math.max(1, lda), b, bOff, Math.max(1, ldb), beta, c, cOff, Math.max(1, ldc));
  }

  /**
   * The upper triangle of C (n x n) = alpha * A^T A + beta * C for a k x n column-major A:
   * half the flops of the gemm that forms all of C (dsyrk, trans "T").
   */
  public static void syrkUpperTransposed(int n, int k, double alpha, double[] a, int lda,
      double beta, double[] c, int ldc) {
    if (n == 0) {
      return;
    }
    BLAS_IMPL.dsyrk("U", "T", n, k, alpha, a, 0, Math.max(1, lda), beta, c, 0, Math.max(1, ldc));
  }

  /** Euclidean norm of x[off .. off+n). */
  public static double nrm2(int n, double[] x, int off) {
    return BLAS_IMPL.dnrm2(n, x, off, 1);
  }

  public static double dot(int n, double[] x, double[] y) {
    return BLAS_IMPL.ddot(n, x, 1, y, 1);
  }

  /** x *= alpha. */
  public static void scal(int n, double alpha, double[] x) {
    if (alpha == 0.0) {
      java.util.Arrays.fill(x, 0, n, 0.0);
    } else {
      BLAS_IMPL.dscal(n, alpha, x, 1);
    }
  }
}
