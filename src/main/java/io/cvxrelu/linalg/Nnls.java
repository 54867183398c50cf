package io.cvxrelu.linalg;

import java.util.function.IntToDoubleFunction;

/**
 * Non-negative least squares min ||A x - b||_2 subject to x &gt;= 0 by the active-set method of
 * Lawson and Hanson ("Solving Least Squares Problems", 1974, ch. 23). Meant for short, wide
 * systems (few rows, many columns), where the passive set stays small: each inner
 * least-squares solve is a Cholesky factorisation of A_P^T A_P.
 */
public final class Nnls {
  private Nnls() {}

  /**
   * Solves the problem for the m x k matrix {@code a} and the m-vector {@code b}.
   *
   * @param maxIterations cap on the outer (column-adding) iterations
   * @return the solution x (k entries, all &gt;= 0)
   */
  public static double[] solve(DenseMatrix a, double[] b, int maxIterations) {
    int m = a.rows();
    int k = a.cols();
    if (b.length != m) {
      throw new IllegalArgumentException("b has " + b.length + " entries, A has " + m + " rows");
    }
    double[] ad = a.data();
    double[] x = new double[k];
    boolean[] passive = new boolean[k];
    double[] resid = b.clone();
    double scale = 0.0;
    for (double v : ad) {
      scale = Math.max(scale, Math.abs(v));
    }
    double bNorm = Blas.nrm2(m, b, 0);
    double tol = 1e-12 * Math.max(1.0, scale * bNorm) * Math.max(m, k);
    for (int outer = 0; outer < maxIterations; outer++) {
      // w = A^T (b - A x); the most positive entry outside the passive set enters.
      int enter = entering(k, tol, j -> passive[j] ? Double.NaN : columnDot(ad, j, m, resid));
      if (enter < 0) {
        break;
      }
      passive[enter] = true;
      if (!solvePassive(a, b, passive, x)) {
        // A_P is rank deficient: the entering column is dependent; drop it and stop.
        passive[enter] = false;
        return x;
      }
      for (int r = 0; r < m; r++) {
        double s = b[r];
        for (int j = 0; j < k; j++) {
          if (x[j] != 0.0) {
            s -= ad[j * m + r] * x[j];
          }
        }
        resid[r] = s;
      }
    }
    return x;
  }

  /**
   * The inner loop: least squares on the passive set, stepping back along the segment from x
   * to the first passive entry that reaches zero and dropping it, until the solution is
   * positive; x is updated. False when A_P is rank deficient (x is then left as it was after
   * the last step).
   */
  private static boolean solvePassive(DenseMatrix a, double[] b, boolean[] passive,
      double[] x) {
    int k = x.length;
    while (true) {
      double[] z = passiveLeastSquares(a, b, passive);
      if (z == null) {
        return false;
      }
      int[] ix = new int[k];
      double[] zp = new double[k];
      int count = 0;
      for (int j = 0; j < k; j++) {
        if (passive[j]) {
          ix[count] = j;
          zp[count++] = z[j];
        }
      }
      if (stepBack(x, ix, zp, count) < 0) {
        System.arraycopy(z, 0, x, 0, k);
        return true;
      }
      for (int c = 0; c < count; c++) {
        if (x[ix[c]] <= 0.0) {
          x[ix[c]] = 0.0;
          passive[ix[c]] = false;
        }
      }
    }
  }

  /**
   * Lawson and Hanson's step back (1974, ch. 23): moves the passive multipliers x[ix[c]]
   * toward the least-squares solution z[c] (c &lt; count) along the segment between them until
   * the first reaches zero, or all the way when every z[c] is positive. The blocking entry is
   * set to exactly zero: rounding can leave it a hair above, and the same passive set would
   * then be solved again forever. The caller drops the entries left at or below zero.
   *
   * @return the position c of the blocking entry, or -1 when x took z
   */
  public static int stepBack(double[] x, int[] ix, double[] z, int count) {
    double alpha = 1.0;
    int blocking = -1;
    for (int c = 0; c < count; c++) {
      if (z[c] <= 0.0) {
        double xc = x[ix[c]];
        double den = xc - z[c];
        double ratio = den > 0.0 ? xc / den : 0.0;
        if (blocking < 0 || ratio < alpha) {
          alpha = Math.min(1.0, ratio);
          blocking = c;
        }
      }
    }
    for (int c = 0; c < count; c++) {
      x[ix[c]] += alpha * (z[c] - x[ix[c]]);
    }
    if (blocking >= 0) {
      x[ix[blocking]] = 0.0;
    }
    return blocking;
  }

  /**
   * The entering rule of Lawson-Hanson: the candidate in [0, count) with the largest score
   * above {@code floor} (the first on ties), or -1 when none is. A candidate the caller excludes
   * (already passive, not allowed) scores NaN.
   */
  public static int entering(int count, double floor, IntToDoubleFunction score) {
    int best = -1;
    double bestScore = floor;
    for (int j = 0; j < count; j++) {
      double w = score.applyAsDouble(j);
      if (w > bestScore) {
        bestScore = w;
        best = j;
      }
    }
    return best;
  }

  /** Column j of the m-row column-major {@code ad} dotted with v. */
  private static double columnDot(double[] ad, int j, int m, double[] v) {
    double w = 0.0;
    for (int r = 0; r < m; r++) {
      w += ad[j * m + r] * v[r];
    }
    return w;
  }

  /** Unconstrained least squares on the passive columns (others zero); null if singular. */
  private static double[] passiveLeastSquares(DenseMatrix a, double[] b, boolean[] passive) {
    int m = a.rows();
    int k = a.cols();
    int np = 0;
    for (boolean p : passive) {
      np += p ? 1 : 0;
    }
    int[] idx = new int[np];
    int c = 0;
    for (int j = 0; j < k; j++) {
      if (passive[j]) {
        idx[c++] = j;
      }
    }
    double[] ad = a.data();
    DenseMatrix gram = new DenseMatrix(np, np);
    DenseMatrix rhs = new DenseMatrix(np, 1);
    for (int p = 0; p < np; p++) {
      int jp = idx[p];
      double s = 0.0;
      for (int r = 0; r < m; r++) {
        s += ad[jp * m + r] * b[r];
      }
      rhs.data()[p] = s;
      for (int q = 0; q <= p; q++) {
        int jq = idx[q];
        double g = 0.0;
        for (int r = 0; r < m; r++) {
          g += ad[jp * m + r] * ad[jq * m + r];
        }
        gram.data()[q * np + p] = g;
        gram.data()[p * np + q] = g;
      }
    }
    Cholesky f;
    try {
      f = Cholesky.factor(gram);
    } catch (ArithmeticException e) {
      return null;
    }
    f.solveInPlace(rhs);
    double[] z = new double[k];
    for (int p = 0; p < np; p++) {
      z[idx[p]] = rhs.data()[p];
    }
    return z;
  }
}
