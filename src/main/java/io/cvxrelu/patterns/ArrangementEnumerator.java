package io.cvxrelu.patterns;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>The steps: {@link ColumnReduction} (the reduction to an essential arrangement),
 * {@link RayWalk} (the rays and the cells around them) and {@link CellCounts} (Cover's bound and
 * the budget that refuses an enumeration too large to finish).
 */
public final class ArrangementEnumerator {
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
    long count = CellCounts.cellBound(n, r);
    if (count == Long.MAX_VALUE) {
      throw new ArithmeticException("cell count for n = " + n + ", r = " + r
          + " overflows a long");
    }
    return count;
  }

  /**
   * One direction per cell of the arrangement of the rows of the m x dim column-major matrix
   * {@code a}. Called on X itself and, recursively, on the hyperplanes through each ray.
   */
  static List<double[]> cells(double[] a, int m, int dim, long maxSubsets) {
    ColumnReduction red = ColumnReduction.of(a, m, dim, maxSubsets);
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
}
