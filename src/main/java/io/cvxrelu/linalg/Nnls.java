package io.cvxrelu.linalg;

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
      int enter = -1;
      double best = tol;
      for (int j = 0; j < k; j++) {
        if (passive[j]) {
          continue;
        }
        double w = 0.0;
        for (int r = 0; r < m; r++) {
          w += ad[j * m + r] * resid[r];
        }
        if (w > best) {
          best = w;
          enter = j;
        }
      }
      if (enter < 0) {
        break;
      }
      passive[enter] = true;
      while (true) {
        double[] z = passiveLeastSquares(a, b, passive);
        if (z == null) {
          // A_P is rank deficient: the entering column is dependent; drop it and stop.
          passive[enter] = false;
          return x;
        }
        double alpha = 1.0;
        boolean feasible = true;
        for (int j = 0; j < k; j++) {
          if (passive[j] && z[j] <= 0.0) {
            feasible = false;
            double denom = x[j] - z[j];
            if (denom > 0.0) {
              alpha = Math.min(alpha, x[j] / denom);
            }
          }
        }
        if (feasible) {
          System.arraycopy(z, 0, x, 0, k);
          break;
        }
        for (int j = 0; j < k; j++) {
          if (passive[j]) {
            x[j] += alpha * (z[j] - x[j]);
            if (x[j] <= 0.0) {
              x[j] = 0.0;
              passive[j] = false;
            }
          }
        }
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
