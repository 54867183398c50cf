package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * An independent solver for the tests: the non-convex linear CNN itself,
 * min_{U, V} 1/2 ||A vec(U V^T) - y||^2 + beta/2 (||U||_F^2 + ||V||_F^2) with U h x r and V K x r,
 * by alternating exact ridge regressions (each factor's subproblem is a ridge regression solved
 * by Cholesky). It uses no SVD, no prox and no FFT, so agreeing with the nuclear-norm solver is
 * a check of the convex program, its solver and the equivalence of the two (with r = min(h, K)
 * the factored problem has the nuclear-norm optimum; Burer and Monteiro 2003).
 */
final class FactoredAls {
  private FactoredAls() {}

  /** Objective after {@code sweeps} alternations from a fixed dense start. */
  static double solve(DenseMatrix a, double[] y, int h, int kk, double beta, int sweeps) {
    int r = Math.min(h, kk);
    double[][] u = new double[h][r];
    double[][] v = new double[kk][r];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < r; j++) {
        u[i][j] = Math.sin(1.0 + i + 3.0 * j) * 0.1;
      }
    }
    for (int k = 0; k < kk; k++) {
      for (int j = 0; j < r; j++) {
        v[k][j] = Math.cos(2.0 + k + 5.0 * j) * 0.1;
      }
    }
    int n = a.rows();
    for (int sweep = 0; sweep < sweeps; sweep++) {
      // Fixed V: prediction_i = sum_{t,j} U_tj (sum_k A[i, t + k h] V_kj).
      DenseMatrix bu = new DenseMatrix(n, h * r);
      for (int i = 0; i < n; i++) {
        for (int t = 0; t < h; t++) {
          for (int j = 0; j < r; j++) {
            double s = 0.0;
            for (int k = 0; k < kk; k++) {
              s += a.get(i, t + k * h) * v[k][j];
            }
            bu.set(i, t + j * h, s);
          }
        }
      }
      double[] uvec = ridge(bu, y, beta);
      for (int t = 0; t < h; t++) {
        for (int j = 0; j < r; j++) {
          u[t][j] = uvec[t + j * h];
        }
      }
      // Fixed U: prediction_i = sum_{k,j} V_kj (sum_t A[i, t + k h] U_tj).
      DenseMatrix bv = new DenseMatrix(n, kk * r);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < kk; k++) {
          for (int j = 0; j < r; j++) {
            double s = 0.0;
            for (int t = 0; t < h; t++) {
              s += a.get(i, t + k * h) * u[t][j];
            }
            bv.set(i, k + j * kk, s);
          }
        }
      }
      double[] vvec = ridge(bv, y, beta);
      for (int k = 0; k < kk; k++) {
        for (int j = 0; j < r; j++) {
          v[k][j] = vvec[k + j * kk];
        }
      }
    }
    double loss = 0.0;
    for (int i = 0; i < n; i++) {
      double f = 0.0;
      for (int t = 0; t < h; t++) {
        for (int k = 0; k < kk; k++) {
          double z = 0.0;
          for (int j = 0; j < r; j++) {
            z += u[t][j] * v[k][j];
          }
          f += a.get(i, t + k * h) * z;
        }
      }
      loss += (f - y[i]) * (f - y[i]);
    }
    double decay = 0.0;
    for (double[] row : u) {
      for (double e : row) {
        decay += e * e;
      }
    }
    for (double[] row : v) {
      for (double e : row) {
        decay += e * e;
      }
    }
    return 0.5 * loss + 0.5 * beta * decay;
  }

  /** argmin 1/2 ||B x - y||^2 + beta/2 ||x||^2 through (B^T B + beta I) x = B^T y. */
  static double[] ridge(DenseMatrix b, double[] y, double beta) {
    int p = b.cols();
    DenseMatrix normal = new DenseMatrix(p, p);
    DenseMatrix rhs = new DenseMatrix(p, 1);
    for (int j = 0; j < p; j++) {
      for (int l = 0; l < p; l++) {
        double s = 0.0;
        for (int i = 0; i < b.rows(); i++) {
          s += b.get(i, j) * b.get(i, l);
        }
        normal.set(j, l, s + (j == l ? beta : 0.0));
      }
      double s = 0.0;
      for (int i = 0; i < b.rows(); i++) {
        s += b.get(i, j) * y[i];
      }
      rhs.set(j, 0, s);
    }
    Cholesky.factor(normal).solveInPlace(rhs);
    return rhs.data();
  }
}
