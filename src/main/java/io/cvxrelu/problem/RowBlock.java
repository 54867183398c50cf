package io.cvxrelu.problem;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Parallel;
import io.cvxrelu.patterns.SignPatterns;
import java.io.Serializable;

/**
 * A block of rows of the convex program of Pilanci and Ergen (ICML 2020, eq. (8)): dense
 * column-major features X_b (n_b x d), labels y_b in the loss's canonical coding and the
 * n_b x P sign-pattern mask M_b = 1[X_b G &gt; 0] of these rows (ties inactive, the rule of
 * {@link SignPatterns#computeMask}).
 *
 * <p>The per-row kernels of the program live here once: the whole data set is one block on a
 * single node ({@link ConvexReluProblem}), and a distributed solver holds one block per chunk
 * of rows on the executors and adds their contributions. Every product is a GEMM on the block
 * (Z_b = X_b B, G += X_b^T R_b); the mask is used element-wise and D_i X is never formed.
 *
 * <p>Weights follow {@link ConvexReluProblem}: q = 2P columns [v_1..v_P, w_1..w_P] for
 * {@link Formulation#RELU}, q = P columns [u_1..u_P] for {@link Formulation#GATED}. The cone
 * signs S = 2 M - 1 (rows of K_i = (2 D_i - I) X) are derived from the mask on the fly.
 *
 * <p>The mask is held as one byte per entry, an eighth of the doubles it was once cached as:
 * the kernels multiply by it (a byte widened to exactly 0.0 or 1.0) rather than branch on it,
 * whose unpredictable branches cost several times the arithmetic.
 */
public final class RowBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long id;
  private final DenseMatrix x;
  private final double[] y;
  private final byte[] mask;
  private final int patterns;

  /**
   * @param id identifier of the block (stable across runs over the same data: files of
   *     per-block state are named by it)
   * @param x n_b x d features
   * @param y n_b labels, already in the loss's canonical coding
   * @param mask n_b x P column-major 0/1 mask (shared, not modified)
   * @param patterns P
   */
  public RowBlock(long id, DenseMatrix x, double[] y, byte[] mask, int patterns) {
    if (y.length != x.rows() || (long) x.rows() * patterns != mask.length) {
      throw new IllegalArgumentException("block shapes disagree: " + x + ", " + y.length
          + " labels, mask of " + mask.length + " for P = " + patterns);
    }
    this.id = id;
    this.x = x;
    this.y = y;
    this.mask = mask;
    this.patterns = patterns;
  }

  /** As above with the 0/1 mask given as doubles (a selection of mask columns). */
  public RowBlock(long id, DenseMatrix x, double[] y, double[] mask, int patterns) {
    this(id, x, y, bytes(mask), patterns);
  }

  private static byte[] bytes(double[] mask01) {
    byte[] out = new byte[mask01.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = mask01[k] != 0.0 ? (byte) 1 : (byte) 0;
    }
    return out;
  }

  /** The block of rows X_b, y_b with its mask computed from the gates (d x P) by one GEMM. */
  public static RowBlock withGates(long id, DenseMatrix x, double[] y, DenseMatrix gates) {
    return new RowBlock(id, x, y, SignPatterns.computeMask(x, gates), gates.cols());
  }

  /** a * m + b for a 0/1 byte mask, as doubles (hot loops multiply instead of branching). */
  public static double[] affine(byte[] m, double a, double b) {
    double[] out = new double[m.length];
    for (int k = 0; k < m.length; k++) {
      out[k] = a * m[k] + b;
    }
    return out;
  }

  public long id() {
    return id;
  }

  public int rows() {
    return x.rows();
  }

  public int d() {
    return x.cols();
  }

  public int patternCount() {
    return patterns;
  }

  /** X_b (shared, do not modify). */
  public DenseMatrix x() {
    return x;
  }

  /** y_b in canonical coding (shared, do not modify). */
  public double[] y() {
    return y;
  }

  /** The n_b x P column-major 0/1 mask (shared, do not modify). */
  public byte[] mask() {
    return mask;
  }

  /** Z_b = X_b B (n_b x q), one GEMM. */
  public DenseMatrix forward(DenseMatrix b) {
    DenseMatrix z = new DenseMatrix(rows(), b.cols());
    Blas.gemm(false, false, 1.0, x, b, 0.0, z);
    return z;
  }

  /** G += X_b^T R (d x q), one GEMM accumulating into G. */
  public void addAdjoint(DenseMatrix r, DenseMatrix g) {
    Blas.gemm(true, false, 1.0, x, r, 1.0, g);
  }

  /**
   * Network output per row, sum_i D_i (Z_v,i - Z_w,i) (ReLU) or sum_i D_i Z_i (gated), written
   * into {@code out} (length n_b).
   */
  public void predict(DenseMatrix z, Formulation formulation, double[] out) {
    predict(z, formulation, 0, patterns, out);
  }

  /**
   * The part of the network output owed to the patterns {@code from..to-1} (a pattern block),
   * written into {@code out}: Z is X_b times that block's columns of the weights, in the layout
   * [v_from..v_to-1, w_from..w_to-1] (ReLU) or [u_from..u_to-1] (gated). Summed over a partition
   * of the patterns these give {@link #predict(DenseMatrix, Formulation, double[])}.
   */
  public void predict(DenseMatrix z, Formulation formulation, int from, int to, double[] out) {
    int n = rows();
    int m = to - from;
    java.util.Arrays.fill(out, 0, n, 0.0);
    boolean relu = formulation == Formulation.RELU;
    for (int i = 0; i < m; i++) {
      addMaskedColumn(out, 0, mask, (from + i) * n, z.data(), i * n, (i + m) * n, n, relu);
    }
  }

  /**
   * Writes into {@code r} (n_b x q) the matrix whose X_b^T-image is the gradient of
   * L(predict(X_b B)) given g = dL/dz: R_i = D_i g for v_i (and u_i), -D_i g for w_i.
   */
  public void maskedResidual(double[] g, Formulation formulation, DenseMatrix r) {
    maskedResidual(g, formulation, 0, patterns, r);
  }

  /** {@link #maskedResidual(double[], Formulation, DenseMatrix)} for the patterns from..to-1. */
  public void maskedResidual(double[] g, Formulation formulation, int from, int to,
      DenseMatrix r) {
    int n = rows();
    int m = to - from;
    boolean relu = formulation == Formulation.RELU;
    for (int i = 0; i < m; i++) {
      writeMaskedColumn(r.data(), i * n, (i + m) * n, mask, (from + i) * n, g, 0, n, relu);
    }
  }

  /**
   * out[o..o+len) += M_i .* (Z_v,i - Z_w,i) (ReLU) or M_i .* Z_i (gated) for one pattern i: its
   * mask column from {@code moff}, its columns of Z from {@code off} (and {@code offW}).
   */
  private static void addMaskedColumn(double[] out, int o, byte[] mk, int moff, double[] z,
      int off, int offW, int len, boolean relu) {
    if (relu) {
      for (int r = 0; r < len; r++) {
        out[o + r] += mk[moff + r] * (z[off + r] - z[offW + r]);
      }
    } else {
      for (int r = 0; r < len; r++) {
        out[o + r] += mk[moff + r] * z[off + r];
      }
    }
  }

  /**
   * R_i = M_i .* g (from {@code off}) and, for ReLU, R_w,i = -M_i .* g (from {@code offW}) for
   * one pattern i, with g read from {@code go}.
   */
  private static void writeMaskedColumn(double[] r, int off, int offW, byte[] mk, int moff,
      double[] g, int go, int len, boolean relu) {
    for (int k = 0; k < len; k++) {
      double v = mk[moff + k] * g[go + k];
      r[off + k] = v;
      if (relu) {
        r[offW + k] = -v;
      }
    }
  }

  /**
   * Largest violation of the cone constraints on these rows, max over the 2P blocks and rows of
   * the negative part of S_i .* Z_j (Z of the ReLU weights, n_b x 2P).
   */
  public double constraintViolation(DenseMatrix z) {
    return constraintViolation(z, 0, patterns);
  }

  /** {@link #constraintViolation(DenseMatrix)} for the patterns from..to-1 (Z is n_b x 2m). */
  public double constraintViolation(DenseMatrix z, int from, int to) {
    int n = rows();
    int m = to - from;
    byte[] mk = mask;
    double[] zd = z.data();
    double worst = 0.0;
    for (int j = 0; j < 2 * m; j++) {
      int off = j * n;
      int moff = (from + j % m) * n;
      for (int k = 0; k < n; k++) {
        worst = Math.max(worst, -(2.0 * mk[moff + k] - 1.0) * zd[off + k]);
      }
    }
    return worst;
  }

  /**
   * The augmented-Lagrangian penalty of these rows,
   * 1/(2 rho) sum [ (mu - rho S .* Z)_+^2 - mu^2 ] (Rockafellar's form for the inequality
   * constraints S .* Z &gt;= 0); when {@code gz} is given its gradient -S .* (mu - rho S .* Z)_+
   * is added into it.
   */
  public double augmentedPenalty(DenseMatrix z, DenseMatrix mu, double rho, DenseMatrix gz) {
    return augmentedPenalty(z, mu, rho, gz, 0, patterns);
  }

  /**
   * {@link #augmentedPenalty(DenseMatrix, DenseMatrix, double, DenseMatrix)} for the patterns
   * from..to-1: Z, mu and the gradient are the n_b x 2m columns of that pattern block.
   */
  public double augmentedPenalty(DenseMatrix z, DenseMatrix mu, double rho, DenseMatrix gz,
      int from, int to) {
    return coneStep(z, mu, rho, gz, null, from, to);
  }

  /**
   * The terms of the augmented Lagrangian over the cone columns of the patterns from..to-1,
   * from t = (mu - rho S .* Z)_+: returns the penalty, adds its gradient -S .* t into
   * {@code gz} and writes the multiplier update t into {@code next} (each when given).
   */
  private double coneStep(DenseMatrix z, DenseMatrix mu, double rho, DenseMatrix gz,
      DenseMatrix next, int from, int to) {
    int n = rows();
    int m = to - from;
    byte[] mk = mask;
    double[] zd = z.data();
    double[] md = mu.data();
    double[] gd = gz == null ? null : gz.data();
    double[] nd = next == null ? null : next.data();
    double s = 0.0;
    for (int j = 0; j < 2 * m; j++) {
      int off = j * n;
      int moff = (from + j % m) * n;
      for (int k = 0; k < n; k++) {
        double sign = 2.0 * mk[moff + k] - 1.0;
        double muk = md[off + k];
        double t = Math.max(muk - rho * sign * zd[off + k], 0.0);
        s += t * t - muk * muk;
        if (gd != null) {
          gd[off + k] -= sign * t;
        }
        if (nd != null) {
          nd[off + k] = t;
        }
      }
    }
    return s / (2.0 * rho);
  }

  /** The multiplier update mu+ = (mu - rho S .* Z)_+ written into {@code out} (n_b x 2P). */
  public void updatedMultipliers(DenseMatrix z, DenseMatrix mu, double rho, DenseMatrix out) {
    updatedMultipliers(z, mu, rho, out, 0, patterns);
  }

  /** The multiplier update for the patterns from..to-1 (all matrices n_b x 2m). */
  public void updatedMultipliers(DenseMatrix z, DenseMatrix mu, double rho, DenseMatrix out,
      int from, int to) {
    coneStep(z, mu, rho, null, out, from, to);
  }

  /**
   * Writes the dual direction lambda = -grad L(prediction) of these rows, Z = X_b B, into
   * {@code lambda}; returns L.
   */
  public double dualDirection(DenseMatrix z, Loss loss, Formulation formulation,
      double[] lambda) {
    double[] pred = new double[rows()];
    predict(z, formulation, pred);
    return negatedGradient(pred, loss, lambda);
  }

  /**
   * {@link #dualDirection} at the weights B through the fused kernel
   * ({@link #predictWeights}): the n_b x q product X_b B is never stored.
   */
  public double dualDirectionAt(DenseMatrix b, Loss loss, Formulation formulation,
      double[] lambda) {
    double[] pred = new double[rows()];
    predictWeights(b, formulation, pred);
    return negatedGradient(pred, loss, lambda);
  }

  /** lambda = -grad L(pred); returns L(pred). */
  private double negatedGradient(double[] pred, Loss loss, double[] lambda) {
    double value = loss.valueAndGradient(pred, y, lambda);
    for (int k = 0; k < lambda.length; k++) {
      lambda[k] = -lambda[k];
    }
    return value;
  }

  /** R += S .* mu: the K_i^T mu_i term of the dual constraint (before X_b^T). */
  public void addConeTerm(DenseMatrix mu, DenseMatrix r) {
    addConeTerm(mu, r, 0, patterns);
  }

  /** {@link #addConeTerm(DenseMatrix, DenseMatrix)} for the patterns from..to-1 (n_b x 2m). */
  public void addConeTerm(DenseMatrix mu, DenseMatrix r, int from, int to) {
    int n = rows();
    int m = to - from;
    byte[] mk = mask;
    double[] md = mu.data();
    double[] rd = r.data();
    for (int j = 0; j < 2 * m; j++) {
      int off = j * n;
      int moff = (from + j % m) * n;
      for (int k = 0; k < n; k++) {
        rd[off + k] += (2.0 * mk[moff + k] - 1.0) * md[off + k];
      }
    }
  }
  /** Fewest rows worth a part of a split kernel ({@link Parallel}). */
  private static final int MIN_ROWS_PER_PART = 256;

  /**
   * {@link #predictWeights(DenseMatrix, Formulation, double[])} into a new array, the rows
   * split across the cores ({@link Parallel}); each range writes only its own rows.
   */
  public double[] predictWeightsSplit(DenseMatrix b, Formulation formulation) {
    int n = rows();
    double[] out = new double[n];
    int parts = Parallel.partsFor(n, 2.0 * n * d() * b.cols(), MIN_ROWS_PER_PART);
    Parallel.forRanges(n, parts, (part, from, to) -> predictWeights(b, formulation, from, to,
        out));
    return out;
  }

  /**
   * X_b^T R (d x q) as {@link #addMaskedAdjoint(double[], Formulation, DenseMatrix)} into a new
   * matrix, the rows split across the cores; the parts' partial products are summed in a fixed
   * order, so the result depends on the split, never on the timing.
   */
  public DenseMatrix maskedAdjointSplit(double[] g, Formulation formulation, int q) {
    int n = rows();
    int parts = Parallel.partsFor(n, 2.0 * n * d() * q, MIN_ROWS_PER_PART);
    DenseMatrix[] partial = new DenseMatrix[parts];
    Parallel.forRanges(n, parts, (part, from, to) -> {
      partial[part] = new DenseMatrix(d(), q);
      addMaskedAdjoint(g, formulation, from, to, partial[part]);
    });
    double[] sum = partial[0].data();
    for (int part = 1; part < parts; part++) {
      double[] other = partial[part].data();
      for (int k = 0; k < sum.length; k++) {
        sum[k] += other[k];
      }
    }
    return partial[0];
  }

  /**
   * Doubles per tile of the fused kernels (512 KB): one core's L2 cache. With 2 MB tiles the
   * GEMM output spilled to the shared L3, and two threads (or two Spark tasks on one machine)
   * slowed each other down: measured on this project's 2-core machine, the kernels at d = 100,
   * q = 1,000 ran at 54-63% of dgemm with 2 MB tiles and 71-79% with 512 KB, and two tasks'
   * summed run time per pass grew by 35% over one task's with 2 MB tiles, 15% with smaller
   * ones. The CIFAR-size kernels (d = 3,073) were as fast or faster.
   */
  static final int TILE_DOUBLES = 1 << 16;

  /**
   * Rows per tile of the fused kernels: a tile of X_b B (rows x q doubles) is kept near
   * {@link #TILE_DOUBLES} so that it is consumed from cache right after the GEMM that produced
   * it.
   */
  static int tileRows(int n, int q) {
    int rows = Math.max(32, TILE_DOUBLES / Math.max(1, q));
    return Math.min(n, rows);
  }

  /**
   * Network output per row for the weights B, {@link #predict} of X_b B without materialising
   * the n_b x q product: the rows are taken a tile at a time, each tile's GEMM output is
   * reduced with the mask while it is in cache, and only the n_b predictions leave. Same
   * flops as {@link #forward}; the memory traffic of the n_b x q intermediate (several passes
   * of it per step in the unfused form) disappears.
   *
   * @param out n_b predictions (overwritten)
   */
  public void predictWeights(DenseMatrix b, Formulation formulation, double[] out) {
    predictWeights(b, formulation, 0, rows(), out);
  }

  /**
   * {@link #predictWeights(DenseMatrix, Formulation, double[])} for the rows [from, to) only:
   * writes out[from..to) and nothing else, so disjoint ranges may run concurrently.
   */
  public void predictWeights(DenseMatrix b, Formulation formulation, int from, int to,
      double[] out) {
    boolean relu = formulation == Formulation.RELU;
    int n = rows();
    int d = d();
    java.util.Arrays.fill(out, from, to, 0.0);
    forEachPatternTile(from, to, relu, (r0, len, p0, m, z) -> {
      // Columns p0..p0+m-1 of B (and, for ReLU, their w partners P + p0..) into the tile.
      Blas.gemm(false, false, len, m, d, 1.0, x.data(), r0, n, b.data(), p0 * d, d, 0.0, z, 0,
          len);
      if (relu) {
        Blas.gemm(false, false, len, m, d, 1.0, x.data(), r0, n, b.data(), (patterns + p0) * d,
            d, 0.0, z, m * len, len);
      }
      for (int i = 0; i < m; i++) {
        addMaskedColumn(out, r0, mask, (p0 + i) * n + r0, z, i * len, (m + i) * len, len,
            relu);
      }
    });
  }

  /**
   * G += X_b^T R with R = {@link #maskedResidual}(g), without materialising the n_b x q matrix
   * R: each tile of rows builds its slice of R in cache and adds its GEMM into G.
   *
   * @param g dL/dz per row (length n_b)
   * @param grad d x q, accumulated into
   */
  public void addMaskedAdjoint(double[] g, Formulation formulation, DenseMatrix grad) {
    addMaskedAdjoint(g, formulation, 0, rows(), grad);
  }

  /**
   * {@link #addMaskedAdjoint(double[], Formulation, DenseMatrix)} over the rows [from, to) only:
   * G += X_b[from..to)^T R[from..to).
   */
  public void addMaskedAdjoint(double[] g, Formulation formulation, int from, int to,
      DenseMatrix grad) {
    boolean relu = formulation == Formulation.RELU;
    int n = rows();
    int d = d();
    forEachPatternTile(from, to, relu, (r0, len, p0, m, r) -> {
      for (int i = 0; i < m; i++) {
        writeMaskedColumn(r, i * len, (m + i) * len, mask, (p0 + i) * n + r0, g, r0, len,
            relu);
      }
      Blas.gemm(true, false, d, m, len, 1.0, x.data(), r0, n, r, 0, len, 1.0, grad.data(),
          p0 * d, d);
      if (relu) {
        Blas.gemm(true, false, d, m, len, 1.0, x.data(), r0, n, r, m * len, len, 1.0,
            grad.data(), (patterns + p0) * d, d);
      }
    });
  }

  /**
   * The row-wise step between the two products of {@link #addForwardAdjoint}: given a tile's
   * predictions under each weight group (rows [r0, r0 + len) of the block), writes the per-row
   * weights g of the adjoint product (length len). Row-wise maps only: the loss gradient of a
   * separable loss, or the predictions themselves for A^T A B.
   */
  @FunctionalInterface
  public interface RowMap {
    void apply(int r0, int len, double[][] predictions, double[] g);
  }

  /**
   * One forward and one adjoint product fused per tile of rows: the tile's predictions under
   * every weight group B_1..B_k (each d x q) from one GEMM X_t [B_1 .. B_k], the row map from
   * them to g_t, then G += X_t^T (M_t .* g_t), all while the tile of X is in cache. Same flops
   * as k {@link #predictWeights} and one {@link #addMaskedAdjoint}, but X is streamed from
   * memory once per pass instead of k + 1 times, and the forward GEMM is k times wider; a FISTA
   * pass (value at the candidate, value and gradient at the extrapolated point) and the normal
   * operator A^T A B run through it.
   *
   * @param groups k weight matrices of the same shape (d x q)
   * @param grad d x q, accumulated into
   */
  public void addForwardAdjoint(DenseMatrix[] groups, Formulation formulation, RowMap map,
      DenseMatrix grad) {
    boolean relu = formulation == Formulation.RELU;
    int n = rows();
    int d = d();
    int k = groups.length;
    int q = grad.cols();
    double[] wide = new double[d * q * k];
    for (int g = 0; g < k; g++) {
      if (groups[g].rows() != d || groups[g].cols() != q) {
        throw new IllegalArgumentException("weight group " + groups[g] + " is not " + d + " x "
            + q);
      }
      System.arraycopy(groups[g].data(), 0, wide, g * d * q, d * q);
    }
    double[][] predictions = new double[k][];
    double[][] weights = new double[1][];
    forEachTile(0, n, q * k, (r0, len, buffer) -> {
      if (weights[0] == null || weights[0].length != len) {
        // The row map sees arrays of the tile's length (a shorter last tile gets its own).
        for (int g = 0; g < k; g++) {
          predictions[g] = new double[len];
        }
        weights[0] = new double[len];
      }
      Blas.gemm(false, false, len, q * k, d, 1.0, x.data(), r0, n, wide, 0, d, 0.0, buffer, 0,
          len);
      for (int g = 0; g < k; g++) {
        double[] out = predictions[g];
        java.util.Arrays.fill(out, 0.0);
        int base = g * q;
        for (int i = 0; i < patterns; i++) {
          addMaskedColumn(out, 0, mask, i * n + r0, buffer, (base + i) * len,
              (base + i + patterns) * len, len, relu);
        }
      }
      map.apply(r0, len, predictions, weights[0]);
      for (int i = 0; i < patterns; i++) {
        writeMaskedColumn(buffer, i * len, (i + patterns) * len, mask, i * n + r0, weights[0], 0,
            len, relu);
      }
      Blas.gemm(true, false, d, q, len, 1.0, x.data(), r0, n, buffer, 0, len, 1.0,
          grad.data(), 0, d);
    });
  }

  /** One tile of rows [r0, r0 + len) of a fused kernel, with a scratch buffer of len x q. */
  @FunctionalInterface
  private interface Tile {
    void apply(int r0, int len, double[] buffer);
  }

  /** Fewest rows per tile of {@link #forEachPatternTile}. */
  static final int MIN_TILE_ROWS = 256;

  /** Most patterns per chunk of {@link #forEachPatternTile} (columns of the tile, per sign). */
  static final int CHUNK_COLUMNS = 512;

  /** One tile of rows [r0, r0 + len) and patterns [p0, p0 + m) of a fused kernel. */
  @FunctionalInterface
  private interface PatternTile {
    void apply(int r0, int len, int p0, int m, double[] buffer);
  }

  /**
   * Runs {@code tile} over tiles of rows [from, to) and chunks of at most {@link
   * #CHUNK_COLUMNS} columns of patterns (half as many patterns for ReLU, whose v and w columns
   * travel together), with rows enough for about {@link #TILE_DOUBLES} doubles per tile and at
   * least {@link #MIN_TILE_ROWS}. With every pattern in one tile of 65 rows (q = 1,000 at
   * d = 100, 512 KB), a tile read 65 bytes from each of 1,000 mask columns n bytes apart, and
   * the adjoint GEMM had an inner dimension of 65 against the whole d x q output. Measured at
   * n = 10^4, d = 100, q = 1,000 on two threads (each kernel against a dgemm timed beside it,
   * medians of 40 pairs, three runs in rotated order): 65 x 1,000 tiles ran the forward kernel
   * at 65-75% of dgemm and the adjoint at 69-77%; 128 x 512, 77-80% and 76-78%; 256 x 512,
   * 87-88% and 88-90%; 512 x 256, 86-87% and 86-87%; 512 x 512, 85-87% and 85%. At the CIFAR
   * size (q = 200 and 400) one chunk holds every pattern.
   */
  private void forEachPatternTile(int from, int to, boolean relu, PatternTile tile) {
    int width = relu ? 2 : 1;
    int span = to - from;
    if (span <= 0 || patterns == 0) {
      return;
    }
    int chunk = Math.min(patterns, CHUNK_COLUMNS / width);
    int size = Math.min(span, Math.max(MIN_TILE_ROWS, TILE_DOUBLES / (chunk * width)));
    double[] buffer = tileScratch(size * chunk * width);
    for (int r0 = from; r0 < to; r0 += size) {
      int len = Math.min(size, to - r0);
      for (int p0 = 0; p0 < patterns; p0 += chunk) {
        tile.apply(r0, len, p0, Math.min(chunk, patterns - p0), buffer);
      }
    }
  }

  /** Each thread's tile buffer of the fused kernels, kept between calls. */
  private static final ThreadLocal<double[]> TILE_SCRATCH = new ThreadLocal<>();

  /**
   * This thread's scratch of at least {@code length} doubles. A fresh 1 MB buffer per call
   * made the kernels' speed depend on the heap's layout: at n = 10^4, d = 100, q = 1,000 they
   * ran at 90% of dgemm under {@code -Xmx4g} and drifted between 55% and 96% under
   * {@code -Xmx6g} as eden filled with the buffers (G1, one JVM each).
   */
  private static double[] tileScratch(int length) {
    double[] buffer = TILE_SCRATCH.get();
    if (buffer == null || buffer.length < length) {
      buffer = new double[length];
      TILE_SCRATCH.set(buffer);
    }
    return buffer;
  }

  /** Runs {@code tile} over the tiles of the rows [from, to), with this thread's scratch. */
  private static void forEachTile(int from, int to, int q, Tile tile) {
    int size = tileRows(to - from, q);
    double[] buffer = tileScratch(size * q);
    for (int r0 = from; r0 < to; r0 += size) {
      tile.apply(r0, Math.min(size, to - r0), buffer);
    }
  }
}
