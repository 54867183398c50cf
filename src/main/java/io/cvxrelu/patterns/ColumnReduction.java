package io.cvxrelu.patterns;

import static io.cvxrelu.patterns.Vectors.axpy;
import static io.cvxrelu.patterns.Vectors.dot;
import static io.cvxrelu.patterns.Vectors.norm;
import static io.cvxrelu.patterns.Vectors.scaleInPlace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows of a matrix expressed in an orthonormal basis of its column space, the first step
 * of {@link ArrangementEnumerator}: it makes the arrangement essential (rank r in R^r). Columns
 * are scaled to unit norm first and then orthogonalised with pivoting (Gram-Schmidt), so the
 * result does not depend on feature scales (a bias column of ones next to features of size 1e6
 * is common) and the rows come out whitened, which keeps every later tolerance meaningful.
 */
final class ColumnReduction {
  /** Relative residual below which a (unit-norm) column is taken to be dependent. */
  private static final double RANK_TOL = 1e-9;

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

  private ColumnReduction(int dim, int rank, int[] pivots, double[] scale, double[][] rTri,
      double[][] q, double[][] w) {
    this.dim = dim;
    this.rank = rank;
    this.pivots = pivots;
    this.scale = scale;
    this.rTri = rTri;
    this.q = q;
    this.w = w;
  }

  /**
   * Reduces the m x dim column-major matrix {@code a}.
   *
   * @throws IllegalArgumentException when the enumeration would exceed its budget (see
   *     {@link CellCounts#checkBudget}) or the cells would not fit in one gate matrix
   */
  static ColumnReduction of(double[] a, int m, int dim, long maxSubsets) {
    int nonZeroRows = nonZeroRows(a, m, dim);
    double[] colNorm = new double[dim];
    double[][] res = unitColumns(a, m, dim, colNorm);
    List<double[]> basis = new ArrayList<>();
    List<Integer> piv = new ArrayList<>();
    orthogonalise(res, nonZeroRows, maxSubsets, basis, piv);
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
    double[][] q = basisRows(basis, m);
    double[][] w = new double[q.length][];
    for (int i = 0; i < q.length; i++) {
      w[i] = q[i].clone();
      scaleInPlace(w[i], 1.0 / norm(w[i]));
    }
    if (r > 0 && CellCounts.cellBound(q.length, r) > (Integer.MAX_VALUE - 8L) / dim) {
      long cells = CellCounts.cellBound(q.length, r);
      throw new IllegalArgumentException("exact enumeration infeasible: " + q.length
          + " rows of rank " + r + " can have " + CellCounts.count(cells)
          + " cells, more than one gate matrix holds; use sampled gates");
    }
    return new ColumnReduction(dim, r, pivots, scale, rTri, q, w);
  }

  private static int nonZeroRows(double[] a, int m, int dim) {
    int nonZeroRows = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < dim; j++) {
        if (a[i + j * m] != 0.0) {
          nonZeroRows++;
          break;
        }
      }
    }
    return nonZeroRows;
  }

  /** The columns scaled to unit norm (null for a zero column); their norms into colNorm. */
  private static double[][] unitColumns(double[] a, int m, int dim, double[] colNorm) {
    double[][] res = new double[dim][];
    for (int j = 0; j < dim; j++) {
      double[] col = Arrays.copyOfRange(a, j * m, (j + 1) * m);
      double nrm = norm(col);
      colNorm[j] = nrm;
      if (nrm > 0.0) {
        scaleInPlace(col, 1.0 / nrm);
        res[j] = col;
      }
    }
    return res;
  }

  /**
   * Pivoted Gram-Schmidt on the unit columns {@code res} (their residuals are updated in place):
   * the column with the largest residual above RANK_TOL enters next. Appends the orthonormal
   * basis and the pivots; checks the budget as the rank grows, so a wide X fails early.
   */
  private static void orthogonalise(double[][] res, int nonZeroRows, long maxSubsets,
      List<double[]> basis, List<Integer> piv) {
    int dim = res.length;
    int maxRank = Math.min(nonZeroRows, dim);
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
      CellCounts.checkBudget(nonZeroRows, basis.size(), maxRank, maxSubsets);
    }
  }

  /** The rows of Q = [basis] that are not identically zero. */
  private static double[][] basisRows(List<double[]> basis, int m) {
    int r = basis.size();
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
    return qRows.toArray(new double[0][]);
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
