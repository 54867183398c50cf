package io.cvxrelu.solver.local.ssnal;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Parallel;

/**
 * An inverse of the model E + sigma X C X^T of I + sigma A J A^T, applied by the
 * Sherman-Morrison-Woodbury formula with one d x d Cholesky factor. Writing
 * D_i = E[D_i] + (D_i - E[D_i]), the mean part of sum_i D_i X J_i X^T D_i is
 * X (sum_i q_i^2 J_i) X^T (q_i the fraction of rows pattern i switches on), a rank-d
 * term carrying the large eigenvalues that dominate CG's iteration count; the diagonal
 * E = I + sigma (diag(A J A^T) - diag(X C X^T)) keeps the model's diagonal exact.
 * Setting it up costs one n x d x r GEMM (for the diagonal) and O(n d^2).
 */
final class WoodburyPreconditioner {
  private final GeneralizedJacobian jac;
  private final int n;
  private final int d;
  private final double[] inverseE;
  private final DenseMatrix u;
  private final Cholesky small;

  /** @throws ArithmeticException when the model C is not numerically positive definite */
  WoodburyPreconditioner(GeneralizedJacobian jac, double[] onFraction, double sigma) {
    this.jac = jac;
    this.n = jac.n;
    this.d = jac.d;
    int r = jac.cols.length;
    double[] wd = jac.w.data();
    // Unit directions of the active w_i, C = sum_i q_i^2 J_i.
    DenseMatrix unit = new DenseMatrix(d, r);
    double[] ud = unit.data();
    double[] scaled = new double[d * r];
    double identity = 0.0;
    double[] offOn = new double[r];
    for (int c = 0; c < r; c++) {
      int j = jac.cols[c];
      double wn = jac.norms[j];
      double qq = onFraction[j] * onFraction[j];
      identity += qq * (1.0 - jac.coef[c]);
      offOn[c] = 1.0 - jac.coef[c];
      for (int k = 0; k < d; k++) {
        ud[c * d + k] = wd[j * d + k] / wn;
        scaled[c * d + k] = qq * jac.coef[c] * ud[c * d + k];
      }
    }
    DenseMatrix cm = new DenseMatrix(d, d);
    Blas.gemm(false, true, d, d, r, 1.0, scaled, 0, d, ud, 0, d, 0.0, cm.data(), 0, d);
    for (int k = 0; k < d; k++) {
      cm.data()[k * d + k] += identity;
    }
    double[] lower = cm.data();
    if (!Cholesky.factorInPlace(lower, 0, d)) {
      throw new ArithmeticException("preconditioner model is not positive definite");
    }
    // U = X L with C = L L^T, so X C X^T = U U^T.
    u = new DenseMatrix(n, d);
    Blas.gemm(false, false, n, d, d, 1.0, jac.problem.x().data(), 0, n, lower, 0, d, 0.0,
        u.data(), 0, n);
    inverseE = inverseDiagonal(diagonal(unit, offOn), sigma);
    small = Cholesky.factor(capacitance(sigma));
  }

  /** E^-1 = 1 / (1 + sigma max(0, diag(A J A^T) - diag(U U^T))). */
  private double[] inverseDiagonal(double[] diag, double sigma) {
    double[] udata = u.data();
    double[] out = new double[n];
    for (int k = 0; k < n; k++) {
      double rowU = 0.0;
      for (int c = 0; c < d; c++) {
        double v = udata[c * n + k];
        rowU += v * v;
      }
      out[k] = 1.0 / (1.0 + sigma * Math.max(0.0, diag[k] - rowU));
    }
    return out;
  }

  /** S = I / sigma + U^T E^{-1} U, the d x d capacitance matrix of the Woodbury formula. */
  private DenseMatrix capacitance(double sigma) {
    double[] udata = u.data();
    DenseMatrix scaledU = new DenseMatrix(n, d);
    double[] su = scaledU.data();
    for (int c = 0; c < d; c++) {
      for (int k = 0; k < n; k++) {
        su[c * n + k] = inverseE[k] * udata[c * n + k];
      }
    }
    DenseMatrix sm = new DenseMatrix(d, d);
    Blas.gemm(true, false, 1.0, u, scaledU, 0.0, sm);
    for (int k = 0; k < d; k++) {
      sm.data()[k * d + k] += 1.0 / sigma;
    }
    return sm;
  }

  /**
   * diag(A J A^T)_k = sum_i m_ki ((1 - c_i) ||x_k||^2 + c_i (x_k . w_i / ||w_i||)^2),
   * from the n x r product X W (tiled, split across cores).
   */
  private double[] diagonal(DenseMatrix unit, double[] offOn) {
    int r = jac.cols.length;
    double[] coef = jac.coef;
    double[] out = new double[n];
    double[] xd = jac.problem.x().data();
    byte[] m = jac.rows.mask();
    int parts = Parallel.partsFor(n, 2.0 * n * d * r, 256);
    Parallel.forRanges(n, parts, (part, from, to) -> {
      int tile = Math.max(32, Math.min(to - from, (1 << 18) / Math.max(1, r)));
      double[] z = new double[tile * r];
      for (int r0 = from; r0 < to; r0 += tile) {
        int len = Math.min(tile, to - r0);
        Blas.gemm(false, false, len, r, d, 1.0, xd, r0, n, unit.data(), 0, d, 0.0, z, 0,
            len);
        // Column by column, so that the mask, X W and the output are read contiguously.
        double[] xx = new double[len];
        for (int c = 0; c < d; c++) {
          int off = c * n + r0;
          for (int k = 0; k < len; k++) {
            double v = xd[off + k];
            xx[k] += v * v;
          }
        }
        for (int c = 0; c < r; c++) {
          double off = offOn[c];
          double co = coef[c];
          int mOff = c * n + r0;
          int zOff = c * len;
          for (int k = 0; k < len; k++) {
            double zz = z[zOff + k];
            out[r0 + k] += m[mOff + k] * (off * xx[k] + co * zz * zz);
          }
        }
      }
    });
    return out;
  }

  /** (E + sigma U U^T)^-1 v by the Woodbury formula. */
  double[] apply(double[] v) {
    double[] ev = new double[n];
    for (int k = 0; k < n; k++) {
      ev[k] = inverseE[k] * v[k];
    }
    DenseMatrix t = new DenseMatrix(d, 1);
    Blas.gemm(true, false, d, 1, n, 1.0, u.data(), 0, n, ev, 0, n, 0.0, t.data(), 0, d);
    small.solveInPlace(t);
    double[] ut = new double[n];
    Blas.gemm(false, false, n, 1, d, 1.0, u.data(), 0, n, t.data(), 0, d, 0.0, ut, 0, n);
    for (int k = 0; k < n; k++) {
      ev[k] -= inverseE[k] * ut[k];
    }
    return ev;
  }
}
