package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * Distance from a vector r to the cone spanned by the columns of an f x m matrix G:
 * min_{u &gt;= 0} ||G u - r|| by the active-set method of Lawson and Hanson (1974, ch. 23),
 * with the blocking column of every interpolation step dropped by index (not by testing its
 * updated value for &lt;= 0, which rounding can leave a hair above zero and loop), and every
 * loop capped. Used for the cone test of eq. (14) and for the Farkas ray of an unbounded draw.
 */
final class ConeNnls {
  private ConeNnls() {}

  /** The residual r - G u at the NNLS solution u. */
  static double[] residual(DenseMatrix g, double[] r) {
    int f = g.rows();
    int m = g.cols();
    double[] gd = g.data();
    double[] u = new double[m];
    boolean[] passive = new boolean[m];
    double[] res = r.clone();
    double scale = 0.0;
    for (double v : gd) {
      scale = Math.max(scale, Math.abs(v));
    }
    double tol = 1e-13 * Math.max(1.0, scale * Blas.nrm2(f, r, 0)) * Math.max(f, 1);
    for (int outer = 0; outer < 20 * f + 100; outer++) {
      double[] grad = new double[m];
      Blas.gemm(true, false, m, 1, f, 1.0, gd, 0, f, res, 0, f, 0.0, grad, 0, m);
      int enter = -1;
      double best = tol;
      for (int j = 0; j < m; j++) {
        if (!passive[j] && grad[j] > best) {
          best = grad[j];
          enter = j;
        }
      }
      if (enter < 0) {
        break;
      }
      passive[enter] = true;
      for (int inner = 0; inner <= m; inner++) {
        double[] z = passiveSolve(g, r, passive);
        if (z == null) {
          // The entering column depends on the passive ones: the fit cannot improve.
          passive[enter] = false;
          return residualAt(g, r, u);
        }
        int block = -1;
        double alpha = 1.0;
        for (int j = 0; j < m; j++) {
          if (passive[j] && z[j] <= 0.0) {
            double den = u[j] - z[j];
            double a = den > 0.0 ? u[j] / den : 0.0;
            if (block < 0 || a < alpha) {
              alpha = a;
              block = j;
            }
          }
        }
        if (block < 0) {
          System.arraycopy(z, 0, u, 0, m);
          break;
        }
        for (int j = 0; j < m; j++) {
          if (passive[j]) {
            u[j] += alpha * (z[j] - u[j]);
          }
        }
        u[block] = 0.0;
        passive[block] = false;
        for (int j = 0; j < m; j++) {
          if (passive[j] && u[j] <= 0.0) {
            u[j] = 0.0;
            passive[j] = false;
          }
        }
      }
      res = residualAt(g, r, u);
    }
    return res;
  }

  private static double[] residualAt(DenseMatrix g, double[] r, double[] u) {
    int f = g.rows();
    double[] d = r.clone();
    Blas.gemm(false, false, f, 1, g.cols(), -1.0, g.data(), 0, f, u, 0, g.cols(), 1.0, d, 0,
        f);
    return d;
  }

  /** Least squares on the passive columns via the normal equations; null when singular. */
  private static double[] passiveSolve(DenseMatrix g, double[] r, boolean[] passive) {
    int f = g.rows();
    int m = g.cols();
    int np = 0;
    for (boolean p : passive) {
      np += p ? 1 : 0;
    }
    DenseMatrix sub = new DenseMatrix(f, np);
    int[] idx = new int[np];
    for (int j = 0, c = 0; j < m; j++) {
      if (passive[j]) {
        idx[c] = j;
        System.arraycopy(g.data(), j * f, sub.data(), c * f, f);
        c++;
      }
    }
    DenseMatrix gram = new DenseMatrix(np, np);
    Blas.gemm(true, false, 1.0, sub, sub, 0.0, gram);
    DenseMatrix rhs = new DenseMatrix(np, 1);
    Blas.gemm(true, false, np, 1, f, 1.0, sub.data(), 0, f, r, 0, f, 0.0, rhs.data(), 0, np);
    try {
      Cholesky.factor(gram).solveInPlace(rhs);
    } catch (ArithmeticException e) {
      return null;
    }
    double[] z = new double[m];
    for (int c = 0; c < np; c++) {
      z[idx[c]] = rhs.data()[c];
    }
    return z;
  }
}
