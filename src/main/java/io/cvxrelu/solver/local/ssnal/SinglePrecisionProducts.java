package io.cvxrelu.solver.local.ssnal;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Parallel;

/**
 * The two products of a conjugate-gradient step on the Newton system, A_S^T v (d x r) and
 * A_S T (n), for the r active groups S, with the GEMMs in single precision: the fused tiled
 * kernels of {@link io.cvxrelu.problem.RowBlock#predictWeights} and
 * {@link io.cvxrelu.problem.RowBlock#addMaskedAdjoint} with float tiles and sgemm, which runs
 * at twice dgemm's flops on AVX cores (98 against 48 GFLOP/s per core on this project's
 * machine, tiles of 256 rows by 512 patterns at d = 100). Inputs and outputs stay double; only
 * the GEMM operands and the tiles are float, and each range of rows sums its tiles in float
 * before the ranges are summed in double.
 *
 * <p>Why it is safe: CG needs the product only to the accuracy of the Newton direction it is
 * asked for (a relative residual of at least {@link ConjugateGradient#SINGLE_FROM}), against a
 * relative error of about 1e-6 here; the step, the line search on psi, A^T xi and every
 * certificate are computed in double, so the certificate never depends on these products.
 * Inexact Newton directions are part of SSNAL's design (Li, Sun and Toh 2018, Algorithm 2,
 * step 1).
 */
final class SinglePrecisionProducts {
  /** Fewest rows per tile, as in the double kernels. */
  private static final int MIN_TILE_ROWS = 256;
  /** Most active groups per chunk of a tile. */
  private static final int CHUNK_COLUMNS = 512;
  /** Floats per tile (512 KB). */
  private static final int TILE_FLOATS = 1 << 17;
  /** Fewest rows worth a part of a split product. */
  private static final int MIN_ROWS_PER_PART = 256;
  private static final ThreadLocal<float[]> TILE_SCRATCH = new ThreadLocal<>();

  private final int n;
  private final int d;
  /** X in single precision, n x d column-major. */
  private final float[] x;

  /** Copies X to single precision once (n d floats). */
  SinglePrecisionProducts(DenseMatrix x) {
    this.n = x.rows();
    this.d = x.cols();
    double[] xd = x.data();
    this.x = new float[xd.length];
    for (int k = 0; k < xd.length; k++) {
      this.x[k] = (float) xd[k];
    }
  }

  /**
   * X^T (M .* (v 1^T)) for the n x r 0/1 mask M (column-major bytes), d x r.
   */
  DenseMatrix adjoint(byte[] mask, int r, double[] v) {
    float[] vf = toFloat(v);
    int parts = Parallel.partsFor(n, 2.0 * n * d * r, MIN_ROWS_PER_PART);
    float[][] partial = new float[parts][];
    Parallel.forRanges(n, parts, (part, from, to) -> {
      float[] acc = new float[d * r];
      forEachTile(from, to, r, (r0, len, p0, m, tile) -> {
        for (int i = 0; i < m; i++) {
          int mo = (p0 + i) * n + r0;
          int to0 = i * len;
          for (int k = 0; k < len; k++) {
            tile[to0 + k] = mask[mo + k] * vf[r0 + k];
          }
        }
        Blas.sgemm(true, false, d, m, len, 1.0f, x, r0, n, tile, 0, len, 1.0f, acc, p0 * d, d);
      });
      partial[part] = acc;
    });
    DenseMatrix out = new DenseMatrix(d, r);
    double[] od = out.data();
    for (float[] acc : partial) {
      for (int k = 0; k < od.length; k++) {
        od[k] += acc[k];
      }
    }
    return out;
  }

  /** sum_c M[:, c] .* (X t_c) for t d x r, n values. */
  double[] forward(byte[] mask, int r, DenseMatrix t) {
    float[] tf = toFloat(t.data());
    double[] out = new double[n];
    int parts = Parallel.partsFor(n, 2.0 * n * d * r, MIN_ROWS_PER_PART);
    Parallel.forRanges(n, parts, (part, from, to) ->
        forEachTile(from, to, r, (r0, len, p0, m, tile) -> {
          Blas.sgemm(false, false, len, m, d, 1.0f, x, r0, n, tf, p0 * d, d, 0.0f, tile, 0,
              len);
          for (int i = 0; i < m; i++) {
            int mo = (p0 + i) * n + r0;
            int ti = i * len;
            for (int k = 0; k < len; k++) {
              out[r0 + k] += mask[mo + k] * tile[ti + k];
            }
          }
        }));
    return out;
  }

  @FunctionalInterface
  private interface Tile {
    void apply(int r0, int len, int p0, int m, float[] tile);
  }

  /** Tiles of rows [from, to) by chunks of the r groups, with this thread's scratch. */
  private static void forEachTile(int from, int to, int r, Tile body) {
    int span = to - from;
    if (span <= 0 || r == 0) {
      return;
    }
    int chunk = Math.min(r, CHUNK_COLUMNS);
    int size = Math.min(span, Math.max(MIN_TILE_ROWS, TILE_FLOATS / chunk));
    float[] tile = TILE_SCRATCH.get();
    if (tile == null || tile.length < size * chunk) {
      tile = new float[size * chunk];
      TILE_SCRATCH.set(tile);
    }
    for (int r0 = from; r0 < to; r0 += size) {
      int len = Math.min(size, to - r0);
      for (int p0 = 0; p0 < r; p0 += chunk) {
        body.apply(r0, len, p0, Math.min(chunk, r - p0), tile);
      }
    }
  }

  private static float[] toFloat(double[] v) {
    float[] out = new float[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = (float) v[k];
    }
    return out;
  }
}
