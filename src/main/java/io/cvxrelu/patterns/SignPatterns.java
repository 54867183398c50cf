package io.cvxrelu.patterns;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Hyperplane-arrangement sign patterns D_i = diag(1[X g_i &gt; 0]) of Pilanci and Ergen (ICML
 * 2020, eq. (6)), kept as their gate vectors g_i and, for the training rows, as an n x P 0/1
 * mask M (column i is the diagonal of D_i).
 *
 * <p>Tie rule: an entry with x^T g = 0 exactly is inactive (0), matching ReLU(0) = 0. Patterns
 * are deduplicated (the first gate of a pattern is kept) and the all-zero pattern is dropped,
 * since its block contributes nothing to the model. The mask is never expanded into D_i X:
 * solvers use it elementwise on the n x P product X U.
 */
public final class SignPatterns {
  private final DenseMatrix gates;
  private final byte[] mask;
  private final int rows;

  private SignPatterns(DenseMatrix gates, byte[] mask, int rows) {
    this.gates = gates;
    this.mask = mask;
    this.rows = rows;
  }

  /**
   * Patterns of the given gates on X, with duplicates and the all-zero pattern removed.
   *
   * @param x n x d data
   * @param candidateGates d x P gate vectors (one per column)
   */
  public static SignPatterns fromGates(DenseMatrix x, DenseMatrix candidateGates) {
    if (candidateGates.rows() != x.cols()) {
      throw new IllegalArgumentException("gates have dimension " + candidateGates.rows()
          + " but the data has " + x.cols() + " features");
    }
    int n = x.rows();
    int p = candidateGates.cols();
    byte[] all = computeMask(x, candidateGates);
    Set<BitKey> seen = new HashSet<>();
    List<Integer> kept = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      BitKey key = BitKey.ofMask(all, j * n, n);
      if (key.isEmpty() || !seen.add(key)) {
        continue;
      }
      kept.add(j);
    }
    return select(x.rows(), candidateGates, all, kept);
  }

  /**
   * Samples gates g ~ N(0, I_d) with the given seed until {@code p} distinct non-zero patterns
   * are found or {@code maxDraws} gates have been drawn (the approximate convex program of
   * Pilanci and Ergen 2020, Remark 3.3). Gates are drawn in batches and their patterns computed
   * with one GEMM per batch.
   */
  public static SignPatterns sample(DenseMatrix x, int p, long seed, int maxDraws) {
    int n = x.rows();
    DenseMatrix gates = sampleGates(x.cols(), p, seed, maxDraws, g -> {
      byte[] m = computeMask(x, g);
      List<BitKey> keys = new ArrayList<>(g.cols());
      for (int j = 0; j < g.cols(); j++) {
        keys.add(BitKey.ofMask(m, j * n, n));
      }
      return keys;
    }, BitKey::isEmpty);
    return new SignPatterns(gates, computeMask(x, gates), n);
  }

  /**
   * The gates of {@link #sample} (d x kept), with the patterns seen through {@code keysOf}: for
   * a batch of gates (d x m), one key per gate that is equal for equal patterns, and
   * {@code empty} for the all-zero pattern. The draws, batches and rule are {@link #sample}'s,
   * so keys computed elsewhere (aggregated over rows held by a cluster) keep the same gates.
   */
  public static <K> DenseMatrix sampleGates(int d, int p, long seed, int maxDraws,
      java.util.function.Function<DenseMatrix, List<K>> keysOf,
      java.util.function.Predicate<K> empty) {
    if (p <= 0) {
      throw new IllegalArgumentException("number of patterns must be positive, got " + p);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    Set<K> seen = new HashSet<>();
    List<double[]> keptGates = new ArrayList<>();
    int drawn = 0;
    while (keptGates.size() < p && drawn < maxDraws) {
      int batch = Math.min(Math.max(p - keptGates.size(), 16), maxDraws - drawn);
      DenseMatrix g = new DenseMatrix(d, batch);
      double[] gd = g.data();
      for (int k = 0; k < gd.length; k++) {
        gd[k] = rng.nextGaussian();
      }
      drawn += batch;
      List<K> keys = keysOf.apply(g);
      for (int j = 0; j < batch && keptGates.size() < p; j++) {
        K key = keys.get(j);
        if (!empty.test(key) && seen.add(key)) {
          keptGates.add(g.column(j));
        }
      }
    }
    DenseMatrix gates = new DenseMatrix(d, keptGates.size());
    for (int j = 0; j < keptGates.size(); j++) {
      System.arraycopy(keptGates.get(j), 0, gates.data(), j * d, d);
    }
    return gates;
  }

  private static SignPatterns select(int n, DenseMatrix gates, byte[] all, List<Integer> kept) {
    int d = gates.rows();
    DenseMatrix g = new DenseMatrix(d, kept.size());
    byte[] m = new byte[n * kept.size()];
    for (int k = 0; k < kept.size(); k++) {
      int j = kept.get(k);
      System.arraycopy(gates.data(), j * d, g.data(), k * d, d);
      System.arraycopy(all, j * n, m, k * n, n);
    }
    return new SignPatterns(g, m, n);
  }

  /** The n x P mask 1[X G &gt; 0] (column-major bytes), computed with one GEMM. */
  public static byte[] computeMask(DenseMatrix x, DenseMatrix gates) {
    DenseMatrix xg = new DenseMatrix(x.rows(), gates.cols());
    Blas.gemm(false, false, 1.0, x, gates, 0.0, xg);
    double[] v = xg.data();
    byte[] m = new byte[v.length];
    for (int k = 0; k < v.length; k++) {
      m[k] = v[k] > 0.0 ? (byte) 1 : (byte) 0;
    }
    return m;
  }

  /**
   * For each column of an n x m 0/1 mask over the same rows (e.g. {@link #computeMask} of a
   * network's neurons), the index of the equal pattern in this set, or -1 when it has none
   * (the all-zero pattern of a dead neuron among them).
   */
  public int[] indexOf(byte[] masks, int m) {
    if (masks.length != (long) m * rows) {
      throw new IllegalArgumentException("masks cover " + masks.length + " entries, expected "
          + m + " x " + rows);
    }
    Map<BitKey, Integer> index = new HashMap<>();
    for (int i = 0; i < count(); i++) {
      index.putIfAbsent(BitKey.ofMask(mask, i * rows, rows), i);
    }
    int[] out = new int[m];
    for (int j = 0; j < m; j++) {
      out[j] = index.getOrDefault(BitKey.ofMask(masks, j * rows, rows), -1);
    }
    return out;
  }

  /** Number of patterns P. */
  public int count() {
    return gates.cols();
  }

  /** Number of training rows n the mask covers. */
  public int rows() {
    return rows;
  }

  /** d x P gates, one per column (shared, do not modify). */
  public DenseMatrix gates() {
    return gates;
  }

  /** n x P column-major 0/1 mask of the training rows (shared, do not modify). */
  public byte[] mask() {
    return mask;
  }

  /** Mask column {@code i} as booleans, for tests and diagnostics. */
  public boolean[] pattern(int i) {
    boolean[] b = new boolean[rows];
    for (int r = 0; r < rows; r++) {
      b[r] = mask[i * rows + r] != 0;
    }
    return b;
  }
}
