package io.cvxrelu.patterns;

import io.cvxrelu.linalg.DenseMatrix;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Exact enumeration of every sign pattern D = diag(1[X g &gt; 0]) of the hyperplane arrangement
 * {g : x_j^T g = 0} (Pilanci and Ergen, ICML 2020, Sec. 2): one gate vector strictly inside
 * each full-dimensional cell, so the convex program built on these gates is the exact
 * reformulation rather than its sampled approximation. For n points in general position in rank
 * r there are {@link #generalPositionCellCount 2 sum_{k&lt;r} C(n-1, k)} cells (Cover, 1965),
 * which is what makes the exact program feasible only for small rank.
 *
 * <p>Method (exact for degenerate data too). X is first reduced to a basis of its column space
 * (column-scaled, pivoted Gram-Schmidt), so the cells live in R^r with r the numerical rank and
 * the arrangement is essential. In an essential central arrangement every cell is a pointed cone
 * and therefore has an extreme ray, the intersection of r-1 independent hyperplanes. For each
 * independent (r-1)-subset of rows we take that ray g, collect every hyperplane through it
 * (more than r-1 when the data are degenerate), enumerate the cells of those hyperplanes in the
 * orthogonal complement of g recursively, and step off the ray into each local cell:
 * c = +-g + eps h, with eps small enough that no hyperplane off the ray changes side. Cells are
 * deduplicated by sign vector. Work is O(C(n, r-1) n) for r &gt;= 2.
 *
 * <p>Tie rule: rows of X that vanish on the reduced column space (in particular zero rows) give
 * x_j^T g = 0 exactly and are inactive in every pattern, as in {@link SignPatterns}; every other
 * row is strictly non-zero on every returned gate.
 *
 * <p>Numerics: "exact" is up to fixed tolerances in the whitened coordinates (unit columns,
 * then orthonormal). Columns whose residual is below 1e-9 count as dependent, hyperplanes within
 * 1e-9 of a ray count as passing through it, and r-1 rows closer than 1e-6 to dependence do not
 * define a ray; cells thinner than these angles can be merged or missed. Data with a bias column
 * far from the origin are fine: the column scaling and whitening remove that conditioning.
 */
public final class ArrangementEnumerator {
  /** Relative residual below which a (unit-norm) column is taken to be dependent. */
  private static final double RANK_TOL = 1e-9;
  /** Distance to a hyperplane, in whitened unit-row coordinates, below which a row is on a ray. */
  private static final double TIE_TOL = 1e-9;
  /** Residual below which r-1 unit rows are taken to be dependent (their ray is ill-defined). */
  private static final double INDEP_TOL = 1e-6;
  /** Cells allowed per unit of the subset budget (see checkBudget). */
  private static final long CELLS_PER_SUBSET = 4;

  private ArrangementEnumerator() {}

  /**
   * Sign patterns of all cells of the arrangement of X's rows; the all-zero pattern is dropped
   * and duplicates removed by {@link SignPatterns#fromGates}.
   */
  public static SignPatterns enumerate(DenseMatrix x, long maxSubsets) {
    return SignPatterns.fromGates(x, enumerateGates(x, maxSubsets));
  }

  /**
   * One gate strictly inside each full-dimensional cell of the central arrangement
   * {g : x_j^T g = 0}, as the columns of a d x C matrix (unit norm). The patterns 1[X g &gt; 0] of
   * the columns are pairwise distinct and are all the patterns any gate can realise, the
   * all-zero one included when that cell exists.
   *
   * @param x n x d data
   * @param maxSubsets largest number of (r-1)-subsets of the non-zero rows (r = numerical rank
   *     of X) the enumeration may visit; the possible cells, 2 sum_{k&lt;r} C(m-1, k) for m
   *     non-zero rows, may not exceed four times this either
   * @throws IllegalArgumentException when either limit is exceeded, with a message that starts
   *     "exact enumeration infeasible"
   */
  public static DenseMatrix enumerateGates(DenseMatrix x, long maxSubsets) {
    if (maxSubsets < 0) {
      throw new IllegalArgumentException("maxSubsets must be non-negative, got " + maxSubsets);
    }
    int d = x.cols();
    if (d == 0) {
      throw new IllegalArgumentException("data has no features, there is no gate to enumerate");
    }
    if (!x.isFinite()) {
      throw new IllegalArgumentException("data contain NaN or infinite entries");
    }
    List<double[]> gates = cells(x.data(), x.rows(), d, maxSubsets);
    DenseMatrix out = new DenseMatrix(d, gates.size());
    for (int c = 0; c < gates.size(); c++) {
      System.arraycopy(gates.get(c), 0, out.data(), c * d, d);
    }
    return out;
  }

  /**
   * Number of cells of a central arrangement of n hyperplanes in general position in rank r,
   * 2 sum_{k&lt;r} C(n-1, k) (Cover, 1965); it is the largest number any n rows of rank r reach.
   * Returns 1 when n or r is 0 (the single cell is the whole space).
   *
   * @throws ArithmeticException when the count does not fit in a long
   */
  public static long generalPositionCellCount(int n, int r) {
    if (n < 0 || r < 0) {
      throw new IllegalArgumentException("n and r must be non-negative, got n = " + n
          + ", r = " + r);
    }
    long count = cellBound(n, r);
    if (count == Long.MAX_VALUE) {
      throw new ArithmeticException("cell count for n = " + n + ", r = " + r
          + " overflows a long");
    }
    return count;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * One direction per cell of the arrangement of the rows of the m x dim column-major matrix
   * {@code a}. Called on X itself and, recursively, on the hyperplanes through each ray.
   */
  private static List<double[]> cells(double[] a, int m, int dim, long maxSubsets) {
    Reduction red = Reduction.of(a, m, dim, maxSubsets);
    int r = red.rank;
    List<double[]> local;
    if (r == 0) {
      // No hyperplane: the whole space is one cell, any direction will do.
      local = List.of(new double[0]);
    } else if (r == 1) {
      // Every hyperplane of a rank-1 arrangement is the same one: two half-lines.
      local = List.of(new double[] {1.0}, new double[] {-1.0});
    } else if (red.w.length == r) {
      // r independent hyperplanes: a Boolean arrangement whose 2^r orthants are all cells; the
      // general search would find the same ones with r levels of recursion.
      local = orthants(red.q);
    } else {
      local = new RayWalk(red.w, r, maxSubsets).run();
    }
    List<double[]> out = new ArrayList<>(local.size());
    for (double[] h : local) {
      out.add(red.lift(h));
    }
    return out;
  }

  /** Directions h = Q^T s for every s in {-1, 1}^r, Q square orthogonal (rows = hyperplanes). */
  private static List<double[]> orthants(double[][] q) {
    int r = q.length;
    List<double[]> out = new ArrayList<>(1 << r);
    for (int bits = 0; bits < (1 << r); bits++) {
      double[] h = new double[r];
      for (int j = 0; j < r; j++) {
        double s = ((bits >> j) & 1) != 0 ? 1.0 : -1.0;
        for (int k = 0; k < r; k++) {
          h[k] += s * q[j][k];
        }
      }
      out.add(h);
    }
    return out;
  }

  /**
   * The rows of a matrix expressed in an orthonormal basis of its column space. Columns are
   * scaled to unit norm first and then orthogonalised with pivoting, so the result does not
   * depend on feature scales (a bias column of ones next to features of size 1e6 is common) and
   * the rows come out whitened, which keeps every later tolerance meaningful.
   */
  private static final class Reduction {
    final int dim;
    final int rank;
    /** Selected columns, in pivot order. */
    final int[] pivots;
    /** Norms of the selected columns (the column scaling undone by lift). */
    final double[] scale;
    /** r x r upper triangular: scaled selected columns = Q R. */
    final double[][] rTri;
    /** Rows of Q that are not identically zero, one array of length r per row. */
    final double[][] q;
    /** The same rows scaled to unit norm. */
    final double[][] w;

    private Reduction(int dim, int rank, int[] pivots, double[] scale, double[][] rTri,
        double[][] q, double[][] w) {
      this.dim = dim;
      this.rank = rank;
      this.pivots = pivots;
      this.scale = scale;
      this.rTri = rTri;
      this.q = q;
      this.w = w;
    }

    static Reduction of(double[] a, int m, int dim, long maxSubsets) {
      int nonZeroRows = 0;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < dim; j++) {
          if (a[i + j * m] != 0.0) {
            nonZeroRows++;
            break;
          }
        }
      }
      double[][] res = new double[dim][];
      double[] colNorm = new double[dim];
      for (int j = 0; j < dim; j++) {
        double[] col = Arrays.copyOfRange(a, j * m, (j + 1) * m);
        double nrm = norm(col);
        colNorm[j] = nrm;
        if (nrm > 0.0) {
          scaleInPlace(col, 1.0 / nrm);
          res[j] = col;
        }
      }
      int maxRank = Math.min(nonZeroRows, dim);
      List<double[]> basis = new ArrayList<>();
      List<Integer> piv = new ArrayList<>();
      boolean[] used = new boolean[dim];
      while (basis.size() < maxRank) {
        int best = -1;
        double bestNorm = RANK_TOL;
        for (int j = 0; j < dim; j++) {
          if (!used[j] && res[j] != null) {
            double nrm = norm(res[j]);
            if (nrm > bestNorm) {
              bestNorm = nrm;
              best = j;
            }
          }
        }
        if (best < 0) {
          break;
        }
        double[] qk = res[best].clone();
        // Second pass against the basis: "twice is enough" keeps Q orthonormal to rounding.
        for (double[] b : basis) {
          axpy(-dot(b, qk), b, qk);
        }
        scaleInPlace(qk, 1.0 / norm(qk));
        used[best] = true;
        basis.add(qk);
        piv.add(best);
        for (int j = 0; j < dim; j++) {
          if (!used[j] && res[j] != null) {
            axpy(-dot(qk, res[j]), qk, res[j]);
          }
        }
        checkBudget(nonZeroRows, basis.size(), maxRank, maxSubsets);
      }
      int r = basis.size();
      int[] pivots = new int[r];
      double[] scale = new double[r];
      double[][] rTri = new double[r][r];
      for (int s = 0; s < r; s++) {
        pivots[s] = piv.get(s);
        scale[s] = colNorm[pivots[s]];
        double[] col = Arrays.copyOfRange(a, pivots[s] * m, (pivots[s] + 1) * m);
        scaleInPlace(col, 1.0 / scale[s]);
        for (int t = 0; t <= s; t++) {
          rTri[t][s] = dot(basis.get(t), col);
        }
      }
      List<double[]> qRows = new ArrayList<>();
      for (int i = 0; i < m; i++) {
        double[] row = new double[r];
        boolean nonZero = false;
        for (int t = 0; t < r; t++) {
          row[t] = basis.get(t)[i];
          nonZero |= row[t] != 0.0;
        }
        // A row that is zero on every selected column has x^T g = 0 for every gate we build, so
        // it is tied (inactive) everywhere and cuts no cell; Gram-Schmidt keeps such rows exactly 0.
        if (nonZero) {
          qRows.add(row);
        }
      }
      double[][] q = qRows.toArray(new double[0][]);
      double[][] w = new double[q.length][];
      for (int i = 0; i < q.length; i++) {
        w[i] = q[i].clone();
        scaleInPlace(w[i], 1.0 / norm(w[i]));
      }
      if (r > 0 && cellBound(q.length, r) > (Integer.MAX_VALUE - 8L) / dim) {
        throw new IllegalArgumentException("exact enumeration infeasible: " + q.length
            + " rows of rank " + r + " can have " + count(cellBound(q.length, r))
            + " cells, more than one gate matrix holds; use sampled gates");
      }
      return new Reduction(dim, r, pivots, scale, rTri, q, w);
    }

    /** The gate in the original dim coordinates whose products with the rows equal Q h. */
    double[] lift(double[] h) {
      double[] g = new double[dim];
      if (rank == 0) {
        g[0] = 1.0;
        return g;
      }
      // scaled columns = Q R, so A_sel y = Q h for y = R^{-1} h; undo the column scaling.
      double[] y = h.clone();
      for (int s = rank - 1; s >= 0; s--) {
        double v = y[s];
        for (int t = s + 1; t < rank; t++) {
          v -= rTri[s][t] * y[t];
        }
        y[s] = v / rTri[s][s];
      }
      for (int s = 0; s < rank; s++) {
        g[pivots[s]] = y[s] / scale[s];
      }
      scaleInPlace(g, 1.0 / norm(g));
      return g;
    }
  }

  /**
   * Throws when the enumeration would exceed its budget: more than maxSubsets (r-1)-subsets of
   * the m rows, or more than {@value #CELLS_PER_SUBSET} x maxSubsets possible cells. For m well
   * above r the cells number about 2 C(m, r-1), so the second rule only bites when the rows
   * barely outnumber the rank, where the subsets stay few while the cells grow like 2^m.
   *
   * <p>Called while the rank is still growing, to fail before the full factorisation of a wide
   * X: the cell bound grows with r, and C(m, k) is unimodal in k, so the final subset count is at
   * least the smaller of the counts at the current rank and at the largest rank still possible.
   */
  private static void checkBudget(int m, int rankSoFar, int maxRank, long maxSubsets) {
    String rank = rankSoFar == maxRank ? "rank " + rankSoFar : "rank >= " + rankSoFar;
    long cells = cellBound(m, rankSoFar);
    long cellBudget = maxSubsets > Long.MAX_VALUE / CELLS_PER_SUBSET
        ? Long.MAX_VALUE : CELLS_PER_SUBSET * maxSubsets;
    if (cells > cellBudget) {
      throw new IllegalArgumentException("exact enumeration infeasible: " + m + " rows of "
          + rank + " can have " + count(cells) + " cells, above " + CELLS_PER_SUBSET
          + " x maxSubsets = " + cellBudget + "; use sampled gates");
    }
    long subsets = Math.min(binomial(m, rankSoFar - 1), binomial(m, maxRank - 1));
    if (subsets > maxSubsets) {
      throw new IllegalArgumentException("exact enumeration infeasible: " + m + " rows of "
          + rank + " need " + (rankSoFar == maxRank ? "" : "at least ") + count(subsets)
          + " (r-1)-subsets, above maxSubsets = " + maxSubsets + "; use sampled gates");
    }
  }

  private static String count(long saturated) {
    return saturated == Long.MAX_VALUE ? "more than 2^63" : Long.toString(saturated);
  }

  /**
   * Visits the rays spanned by independent (r-1)-subsets of the unit rows w (rank r &gt;= 2)
   * and steps off each ray into every local cell.
   */
  private static final class RayWalk {
    private final double[][] w;
    /** w row-major in one array: W v is the O(n) step done O(n^{r-1}) times. */
    private final double[] flat;
    private final int m;
    private final int r;
    private final long maxSubsets;
    private final double[][] prefix;
    private final Set<BitKey> raysSeen = new HashSet<>();
    private final Set<BitKey> cellsSeen = new HashSet<>();
    private final List<double[]> out = new ArrayList<>();

    RayWalk(double[][] w, int r, long maxSubsets) {
      this.w = w;
      this.m = w.length;
      this.r = r;
      this.maxSubsets = maxSubsets;
      this.prefix = new double[r - 1][];
      this.flat = new double[m * r];
      for (int j = 0; j < m; j++) {
        System.arraycopy(w[j], 0, flat, j * r, r);
      }
    }

    /** dst = W v. */
    private double[] times(double[] v) {
      double[] dst = new double[m];
      for (int j = 0, off = 0; j < m; j++, off += r) {
        double sum = 0.0;
        for (int t = 0; t < r; t++) {
          sum += flat[off + t] * v[t];
        }
        dst[j] = sum;
      }
      return dst;
    }

    List<double[]> run() {
      extend(0, 0);
      return out;
    }

    /** Depth-first over subsets with an incremental orthonormal basis of the chosen rows. */
    private void extend(int depth, int start) {
      if (depth == r - 1) {
        visitRay(nullVector(prefix, r));
        return;
      }
      for (int i = start; i <= m - (r - 1 - depth); i++) {
        double[] v = w[i].clone();
        for (int pass = 0; pass < 2; pass++) {
          for (int t = 0; t < depth; t++) {
            axpy(-dot(prefix[t], v), prefix[t], v);
          }
        }
        double nrm = norm(v);
        // Every superset of a dependent prefix is dependent too, so the whole branch is pruned.
        if (nrm <= INDEP_TOL) {
          continue;
        }
        scaleInPlace(v, 1.0 / nrm);
        prefix[depth] = v;
        extend(depth + 1, i + 1);
      }
    }

    private void visitRay(double[] g) {
      double[] dots = times(g);
      int[] tied = new int[m];
      int nTied = 0;
      double minOff = Double.POSITIVE_INFINITY;
      for (int j = 0; j < m; j++) {
        double ad = Math.abs(dots[j]);
        if (ad <= TIE_TOL) {
          tied[nTied++] = j;
        } else {
          minOff = Math.min(minOff, ad);
        }
      }
      // Many subsets span the same ray when hyperplanes are concurrent; its cells are the same.
      if (!raysSeen.add(BitKey.of(tied, nTied, m))) {
        return;
      }
      double[][] perp = complementBasis(g);
      int k = r - 1;
      double[] local = new double[nTied * k];
      for (int i = 0; i < nTied; i++) {
        double[] wj = w[tied[i]];
        for (int s = 0; s < k; s++) {
          local[i + s * nTied] = dot(perp[s], wj);
        }
      }
      boolean[] isTied = new boolean[m];
      for (int i = 0; i < nTied; i++) {
        isTied[tied[i]] = true;
      }
      for (double[] hl : cells(local, nTied, k, maxSubsets)) {
        double[] h = new double[r];
        for (int s = 0; s < k; s++) {
          axpy(hl[s], perp[s], h);
        }
        double[] wh = times(h);
        double maxOff = 0.0;
        for (int j = 0; j < m; j++) {
          if (!isTied[j]) {
            maxOff = Math.max(maxOff, Math.abs(wh[j]));
          }
        }
        // Half the smallest distance off the ray keeps every hyperplane not through g on g's
        // side; the tied ones take h's side. The largest such step keeps the tied margins wide,
        // but eps is capped at 1: a hyperplane through h but off the ray has w^T h at rounding
        // level, and a huge eps would turn that rounding into the sign.
        double eps = maxOff > 0.0 ? Math.min(1.0, 0.5 * minOff / maxOff) : 1.0;
        for (int sign = -1; sign <= 1; sign += 2) {
          // w_j^T c = sign w_j^T g + eps w_j^T h, so the cell is known without another pass.
          long[] bits = new long[(m + 63) >>> 6];
          for (int j = 0; j < m; j++) {
            if (sign * dots[j] + eps * wh[j] > 0.0) {
              bits[j >>> 6] |= 1L << (j & 63);
            }
          }
          if (cellsSeen.add(new BitKey(bits))) {
            double[] c = h.clone();
            scaleInPlace(c, eps);
            axpy(sign, g, c);
            scaleInPlace(c, 1.0 / norm(c));
            out.add(c);
          }
        }
      }
    }
  }

  /** Unit vector orthogonal to the r-1 orthonormal rows of {@code basis} (in R^r). */
  private static double[] nullVector(double[][] basis, int r) {
    // The coordinate axis with the largest residual: residuals squared sum to 1, so the best is
    // at least 1/r and the result is well conditioned.
    int best = 0;
    double bestRes = -1.0;
    for (int p = 0; p < r; p++) {
      double res = 1.0;
      for (double[] b : basis) {
        res -= b[p] * b[p];
      }
      if (res > bestRes) {
        bestRes = res;
        best = p;
      }
    }
    double[] g = new double[r];
    g[best] = 1.0;
    for (int pass = 0; pass < 2; pass++) {
      for (double[] b : basis) {
        axpy(-dot(b, g), b, g);
      }
    }
    scaleInPlace(g, 1.0 / norm(g));
    return g;
  }

  /** Orthonormal basis (r-1 vectors) of the complement of the unit vector g, via Householder. */
  private static double[][] complementBasis(double[] g) {
    int r = g.length;
    int p = 0;
    for (int i = 1; i < r; i++) {
      if (Math.abs(g[i]) > Math.abs(g[p])) {
        p = i;
      }
    }
    // H = I - 2 v v^T / v^T v with v = g + sign(g_p) e_p maps g to a multiple of e_p, so the
    // other columns of the symmetric orthogonal H span g's complement.
    double[] v = g.clone();
    v[p] += Math.copySign(1.0, g[p]);
    double vv = dot(v, v);
    double[][] basis = new double[r - 1][];
    int k = 0;
    for (int i = 0; i < r; i++) {
      if (i == p) {
        continue;
      }
      double[] col = new double[r];
      col[i] = 1.0;
      axpy(-2.0 * v[i] / vv, v, col);
      basis[k++] = col;
    }
    return basis;
  }

  /** Cell bound 2 sum_{k&lt;r} C(n-1, k), saturating at Long.MAX_VALUE. */
  private static long cellBound(int n, int r) {
    if (n == 0 || r == 0) {
      return 1L;
    }
    long sum = 0L;
    for (int k = 0; k < Math.min(r, n); k++) {
      long b = binomial(n - 1, k);
      if (b == Long.MAX_VALUE || sum > Long.MAX_VALUE - b) {
        return Long.MAX_VALUE;
      }
      sum += b;
    }
    return sum > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2L * sum;
  }

  /** C(n, k), saturating at Long.MAX_VALUE; 0 when k is outside [0, n]. */
  private static long binomial(int n, int k) {
    if (k < 0 || k > n) {
      return 0L;
    }
    int kk = Math.min(k, n - k);
    BigInteger limit = BigInteger.valueOf(Long.MAX_VALUE);
    BigInteger b = BigInteger.ONE;
    for (int i = 1; i <= kk; i++) {
      // b = C(n - kk + i, i), which grows with i: once past the limit the result is too.
      b = b.multiply(BigInteger.valueOf(n - kk + i)).divide(BigInteger.valueOf(i));
      if (b.compareTo(limit) >= 0) {
        return Long.MAX_VALUE;
      }
    }
    return b.longValue();
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] a) {
    double scale = 0.0;
    for (double v : a) {
      scale = Math.max(scale, Math.abs(v));
    }
    if (scale == 0.0) {
      return 0.0;
    }
    double s = 0.0;
    for (double v : a) {
      double t = v / scale;
      s += t * t;
    }
    return scale * Math.sqrt(s);
  }

  private static void axpy(double alpha, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) {
      y[i] += alpha * x[i];
    }
  }

  private static void scaleInPlace(double[] a, double alpha) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= alpha;
    }
  }

  /** Hashable bit set over the rows of one level (a tied set or a sign vector). */
  private static final class BitKey {
    private final long[] bits;
    private final int hash;

    BitKey(long[] bits) {
      this.bits = bits;
      this.hash = Arrays.hashCode(bits);
    }

    static BitKey of(int[] idx, int count, int m) {
      long[] bits = new long[(m + 63) >>> 6];
      for (int i = 0; i < count; i++) {
        bits[idx[i] >>> 6] |= 1L << (idx[i] & 63);
      }
      return new BitKey(bits);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BitKey k && k.hash == hash && Arrays.equals(k.bits, bits);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
