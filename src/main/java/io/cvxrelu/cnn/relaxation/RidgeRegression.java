package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * Ridge regression with an unpenalised intercept, min ||y - b - Z u||^2 + lambda ||u||^2 on
 * features Z standardised with the training set's statistics (see {@link #statistics}), lambda chosen from a grid by
 * K-fold cross-validation on the training set: the baseline and the read-out of Bartan and
 * Pilanci's Table 1.
 *
 * <p>The (d+1) x (d+1) Gram matrix of [1, Z] is formed once by GEMM; a fold's Gram matrix is
 * it minus the held-out rows' (another GEMM), so each (fold, lambda) costs one Cholesky. The
 * standardisation uses the whole training set in every fold (it does not see the test set).
 */
public final class RidgeRegression {
  /** A fitted model: the chosen lambda, its cross-validated RMSE, and the predictor. */
  public record Fit(double lambda, double cvRmse, double[] mean, double[] scale, double[] u) {
    /** Predictions for the rows of x (raw features). */
    public double[] predict(DenseMatrix x) {
      DenseMatrix z = design(x, mean, scale);
      double[] p = new double[x.rows()];
      Blas.gemm(false, false, x.rows(), 1, z.cols(), 1.0, z.data(), 0, x.rows(), u, 0,
          z.cols(), 0.0, p, 0, x.rows());
      return p;
    }
  }

  private RidgeRegression() {}

  /** Fits with lambda from {@code grid} by {@code folds}-fold cross-validation (contiguous). */
  public static Fit crossValidated(DenseMatrix x, double[] y, double[] grid, int folds) {
    int n = x.rows();
    double[] mean = new double[x.cols()];
    double[] scale = new double[x.cols()];
    statistics(x, mean, scale);
    DenseMatrix z = design(x, mean, scale);
    int d = z.cols();
    DenseMatrix gram = new DenseMatrix(d, d);
    Blas.gemm(true, false, 1.0, z, z, 0.0, gram);
    double[] rhs = new double[d];
    Blas.gemm(true, false, d, 1, n, 1.0, z.data(), 0, n, y, 0, n, 0.0, rhs, 0, d);
    double[] sse = new double[grid.length];
    for (int fold = 0; fold < folds; fold++) {
      int from = (int) ((long) n * fold / folds);
      int to = (int) ((long) n * (fold + 1) / folds);
      int m = to - from;
      // The held-out rows of z are rows from..to of each column: a sub-matrix with ld n.
      DenseMatrix g = gram.copy();
      Blas.gemm(true, false, d, d, m, -1.0, z.data(), from, n, z.data(), from, n, 1.0,
          g.data(), 0, d);
      double[] b = rhs.clone();
      Blas.gemm(true, false, d, 1, m, -1.0, z.data(), from, n, y, from, n, 1.0, b, 0, d);
      for (int t = 0; t < grid.length; t++) {
        double[] u = solve(g, b, grid[t]);
        double[] p = new double[m];
        Blas.gemm(false, false, m, 1, d, 1.0, z.data(), from, n, u, 0, d, 0.0, p, 0, m);
        for (int i = 0; i < m; i++) {
          sse[t] += (p[i] - y[from + i]) * (p[i] - y[from + i]);
        }
      }
    }
    int best = 0;
    for (int t = 1; t < grid.length; t++) {
      best = sse[t] < sse[best] ? t : best;
    }
    return new Fit(grid[best], Math.sqrt(sse[best] / n), mean, scale,
        solve(gram, rhs, grid[best]));
  }

  /** (G + lambda diag(0, 1, ..., 1))^{-1} b: the intercept (column 0) is not penalised. */
  private static double[] solve(DenseMatrix g, double[] b, double lambda) {
    DenseMatrix a = g.copy();
    for (int c = 1; c < a.cols(); c++) {
      a.set(c, c, a.get(c, c) + lambda);
    }
    DenseMatrix u = new DenseMatrix(b.length, 1, b.clone());
    Cholesky.factorOverwriting(a).solveInPlace(u);
    return u.data();
  }

  /**
   * Means and scales sqrt(var_c + eps), eps = 1% of the mean variance: a pixel that is almost
   * always blank in training (a corner the rotations rarely reach) is not blown up to huge
   * values on the test images where it has ink; a constant feature stays 0 after centring.
   */
  private static void statistics(DenseMatrix x, double[] mean, double[] scale) {
    int n = x.rows();
    double[] xd = x.data();
    double meanVar = 0.0;
    for (int c = 0; c < x.cols(); c++) {
      double s = 0.0;
      double ss = 0.0;
      for (int i = 0; i < n; i++) {
        s += xd[c * n + i];
        ss += xd[c * n + i] * xd[c * n + i];
      }
      mean[c] = s / n;
      scale[c] = Math.max(0.0, ss / n - mean[c] * mean[c]);
      meanVar += scale[c] / x.cols();
    }
    double eps = Math.max(0.01 * meanVar, 1e-12);
    for (int c = 0; c < x.cols(); c++) {
      scale[c] = Math.sqrt(scale[c] + eps);
    }
  }

  /** [1, (x - mean) / scale]. */
  static DenseMatrix design(DenseMatrix x, double[] mean, double[] scale) {
    int n = x.rows();
    DenseMatrix z = new DenseMatrix(n, x.cols() + 1);
    double[] xd = x.data();
    double[] zd = z.data();
    java.util.Arrays.fill(zd, 0, n, 1.0);
    for (int c = 0; c < x.cols(); c++) {
      for (int i = 0; i < n; i++) {
        zd[(c + 1) * n + i] = (xd[c * n + i] - mean[c]) / scale[c];
      }
    }
    return z;
  }

  /** Root mean squared error. */
  public static double rmse(double[] p, double[] y) {
    double s = 0.0;
    for (int i = 0; i < y.length; i++) {
      s += (p[i] - y[i]) * (p[i] - y[i]);
    }
    return Math.sqrt(s / y.length);
  }
}
