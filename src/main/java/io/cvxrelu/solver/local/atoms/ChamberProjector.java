package io.cvxrelu.solver.local.atoms;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Parallel;

/**
 * Projections onto the chambers K_j = {u : (2 D_j - I) X u &gt;= 0} of the sign patterns, many
 * at once. Each projection runs Lawson and Hanson's active set on its dual
 * ({@link DualActiveSet}); what makes them affordable at n = 10^4 rows is that all pending
 * projections price every row together, by one GEMM X [r_1 .. r_K] per step (level-3 BLAS; the
 * per-row work left is one scan of the product's column), and that each key's passive rows are
 * kept for its next projection: column generation projects nearly the same vector round after
 * round, and a warm passive set settles in a step or two.
 *
 * <p>A key names a block of the ReLU program: key k &lt; P is v_k over pattern k, key P + k is
 * w_k over the same pattern (the caller negates its vector).
 */
public final class ChamberProjector {
  private final DenseMatrix x;
  private final byte[] mask;
  private final int n;
  private final int d;
  private final int patterns;
  private final double[] rowNorms;
  /** The passive rows of each key's last projection (null before its first). */
  private final int[][] lastPassive;
  /**
   * Rows a block may take per lockstep step (each re-checked against the residual before it
   * enters): fewer GEMMs for the cold projections, which add tens of rows each.
   */
  static final int CANDIDATES = Integer.getInteger("cvxrelu.atoms.candidates", 8);
  private long steps;

  /**
   * @param x n x d data
   * @param mask n x P sign patterns, column-major, 1 where x_r^T g_j &gt;= 0
   */
  public ChamberProjector(DenseMatrix x, byte[] mask, int patterns) {
    this.x = x;
    this.mask = mask;
    this.n = x.rows();
    this.d = x.cols();
    this.patterns = patterns;
    this.rowNorms = new double[n];
    double[] xd = x.data();
    for (int i = 0; i < d; i++) {
      for (int r = 0; r < n; r++) {
        rowNorms[r] += xd[r + i * n] * xd[r + i * n];
      }
    }
    for (int r = 0; r < n; r++) {
      rowNorms[r] = Math.max(Math.sqrt(rowNorms[r]), Double.MIN_NORMAL);
    }
    this.lastPassive = new int[2 * patterns][];
  }

  /** Lockstep pricing steps run so far (one GEMM each). */
  public long steps() {
    return steps;
  }

  /**
   * The projections of the columns of {@code c} for the given keys.
   *
   * @param c d x K vectors (column k for key keys[k]); not modified
   * @param enough a key stops as soon as its bound is at or below this (0: project exactly);
   *     for pricing, beta: a key whose bound is within beta needs no atom
   */
  public Projections project(int[] keys, DenseMatrix c, double enough) {
    int kk = keys.length;
    DualActiveSet[] sets = new DualActiveSet[kk];
    double[] cn = new double[kk];
    Parallel.forRanges(kk, Parallel.partsFor(kk, (double) kk * d * d, 1), (part, from, to) -> {
      for (int k = from; k < to; k++) {
        double[] ck = new double[d];
        System.arraycopy(c.data(), k * d, ck, 0, d);
        cn[k] = Blas.nrm2(d, ck, 0);
        sets[k] = new DualActiveSet(ck);
        int[] warm = lastPassive[keys[k]];
        if (warm != null) {
          for (int r : warm) {
            sets[k].add(r, row(keys[k], r));
          }
          sets[k].warm();
        }
      }
    });
    boolean[] inCone = new boolean[kk];
    boolean[] open = new boolean[kk];
    int[][] rejected = new int[kk][0];
    java.util.Arrays.fill(open, true);
    int[] pending = new int[kk];
    for (int k = 0; k < kk; k++) {
      pending[k] = k;
    }
    int count = kk;
    for (int step = 0; step < 4 * d + 50 && count > 0; step++) {
      steps++;
      final int m = count;
      final int[] pend = java.util.Arrays.copyOf(pending, m);
      DenseMatrix res = new DenseMatrix(d, m);
      for (int z = 0; z < m; z++) {
        System.arraycopy(sets[pend[z]].residual(), 0, res.data(), z * d, d);
      }
      DenseMatrix g = new DenseMatrix(n, m);
      Blas.gemm(false, false, 1.0, x, res, 0.0, g);
      Parallel.forRanges(m, Parallel.partsFor(m, (double) m * n * 4, 1), (part, from, to) -> {
        for (int z = from; z < to; z++) {
          int k = pend[z];
          DualActiveSet s = sets[k];
          if (Blas.nrm2(d, s.residual(), 0) <= enough) {
            open[k] = false;
            continue;
          }
          // Relative to the residual (the atom is the normalised residual), with a tiny
          // multiple of c for residuals that vanish.
          double floor = 1e-12 * Blas.nrm2(d, s.residual(), 0) + 1e-13 * cn[k];
          int[] candidates = mostViolated(keys[k], g.data(), z * n, s, rejected[k], floor);
          if (candidates.length == 0) {
            // In the cone, unless a row that could not enter (dependent on the passive rows)
            // is still violated: then the point is only a bound, never an atom.
            boolean clean = true;
            for (int r : rejected[k]) {
              clean &= Blas.dot(d, row(keys[k], r), s.residual()) / rowNorms[r] >= -floor;
            }
            inCone[k] = clean;
            open[k] = false;
            continue;
          }
          // Lawson-Hanson adds one row at a time; the later candidates enter only if the
          // residual after the earlier ones still violates them (a fresh d-flop check), so
          // every entering row prices negative where it enters, as the method requires.
          for (int c0 = 0; c0 < candidates.length; c0++) {
            int r = candidates[c0];
            double[] a = row(keys[k], r);
            if (c0 > 0 && Blas.dot(d, a, s.residual()) / rowNorms[r] >= -floor) {
              continue;
            }
            if (s.passiveCount() >= d) {
              // A full passive set leaves a zero residual once settled; the row is tried
              // again at the next step rather than set aside.
              break;
            }
            if (s.add(r, a)) {
              s.settle();
            } else {
              rejected[k] = java.util.Arrays.copyOf(rejected[k], rejected[k].length + 1);
              rejected[k][rejected[k].length - 1] = r;
            }
          }
        }
      });
      count = 0;
      for (int z = 0; z < m; z++) {
        if (open[pend[z]]) {
          pending[count++] = pend[z];
        }
      }
    }
    DenseMatrix points = new DenseMatrix(d, kk);
    double[] bounds = new double[kk];
    for (int k = 0; k < kk; k++) {
      double[] r = sets[k].residual();
      System.arraycopy(r, 0, points.data(), k * d, d);
      bounds[k] = Blas.nrm2(d, r, 0);
      lastPassive[keys[k]] = sets[k].passiveRows();
    }
    return new Projections(points, bounds, inCone);
  }

  /**
   * Up to {@link #CANDIDATES} rows most violated by the current residual (its product column
   * g[off..off+n)), scaled by the row norm, most violated first, outside the passive and
   * rejected rows; empty when none is below -floor.
   */
  private int[] mostViolated(int key, double[] g, int off, DualActiveSet s, int[] rejected,
      double floor) {
    int j = key % patterns;
    int mOff = j * n;
    // Passive and rejected rows cannot enter: blank them in this key's own product column.
    for (int r : s.passiveRows()) {
      g[off + r] = 0.0;
    }
    for (int r : rejected) {
      g[off + r] = 0.0;
    }
    int[] arg = new int[CANDIDATES];
    double[] val = new double[CANDIDATES];
    int count = 0;
    for (int r = 0; r < n; r++) {
      double v = (mask[mOff + r] != 0 ? g[off + r] : -g[off + r]) / rowNorms[r];
      if (v < -floor && (count < CANDIDATES || v < val[count - 1])) {
        int at = Math.min(count, CANDIDATES - 1);
        while (at > 0 && val[at - 1] > v) {
          val[at] = val[at - 1];
          arg[at] = arg[at - 1];
          at--;
        }
        val[at] = v;
        arg[at] = r;
        count = Math.min(count + 1, CANDIDATES);
      }
    }
    return java.util.Arrays.copyOf(arg, count);
  }

  /** Row r of K_j: (2 D_j - I)_rr x_r. */
  private double[] row(int key, int r) {
    int j = key % patterns;
    double s = mask[j * n + r] != 0 ? 1.0 : -1.0;
    double[] a = new double[d];
    double[] xd = x.data();
    for (int i = 0; i < d; i++) {
      a[i] = s * xd[r + i * n];
    }
    return a;
  }

  /**
   * Projections and their bounds.
   *
   * @param points d x K: c_k + A^T mu_k, the projection where {@code inCone[k]}
   * @param bounds ||points_k||, an upper bound on ||Pi_K c_k|| in every case
   * @param inCone whether no row of the chamber is violated by points_k (beyond 1e-12 ||p_k||
   *     per unit row): the point is then the projection
   */
  public record Projections(DenseMatrix points, double[] bounds, boolean[] inCone) {
  }
}
