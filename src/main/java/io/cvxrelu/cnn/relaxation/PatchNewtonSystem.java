package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The Newton system of the primal-dual interior point for the relaxations (8) and (9), reduced
 * to f x f. With slacks s_ij = z_ij - X_ij w, multipliers lambda (of s &gt;= 0), mu (of
 * z &gt;= 0) and v (of sum_j z_ij - y_i - kappa v_i = 0; kappa = 0 for the LP, 1 for the QP,
 * where v is then the residual), the linearised KKT equations are
 *
 * <pre>
 *   sum_ij X_ij^T dlambda_ij        = -r_w
 *   dv_i - dlambda_ij - dmu_ij      = -r_z,ij
 *   sum_j dz_ij - kappa dv_i        = -r_eq,i
 *   ds_ij - dz_ij + X_ij dw         = -r_s,ij
 *   lambda ds + s dlambda           = -r_c1,   mu dz + z dmu = -r_c2.
 * </pre>
 *
 * Every (i, j) unknown but dw is eliminated elementwise: dz_ij from the second row (weights
 * h = lambda/s + mu/z), then dv_i from the third (a scalar per sample), leaving
 * M dw = rhs with M = sum_ij E_ij X_ij^T X_ij + sum_i g_i g_i^T / (S_i + kappa), where
 * E = (lambda/s)(mu/z)/h, g_i = sum_j (lambda/s)/h X_ij^T and S_i = sum_j 1/h_ij. Forming M
 * costs O(n k f^2) in GEMMs; it is factored once per iteration and serves the predictor and
 * the corrector.
 */
final class PatchNewtonSystem {
  private final PatchDesign design;
  private final double kappa;
  private final double[] s;
  private final double[] z;
  private final double[] lambda;
  private final double[] mu;
  private final double[] d1;
  private final double[] h;
  private final double[] ratio;
  private final double[] rowWeight;
  private final DenseMatrix g;
  private final Cholesky factor;

  /** Builds and factors M at the iterate; slacks and multipliers must be positive. */
  PatchNewtonSystem(PatchDesign design, double kappa, double[] s, double[] z, double[] lambda,
      double[] mu) {
    this.design = design;
    this.kappa = kappa;
    this.s = s;
    this.z = z;
    this.lambda = lambda;
    this.mu = mu;
    int n = design.n();
    int count = s.length;
    d1 = new double[count];
    h = new double[count];
    ratio = new double[count];
    double[] e = new double[count];
    double[] invH = new double[n];
    for (int p = 0; p < count; p++) {
      d1[p] = lambda[p] / s[p];
      double d2 = mu[p] / z[p];
      h[p] = d1[p] + d2;
      ratio[p] = d1[p] / h[p];
      e[p] = d1[p] * d2 / h[p];
      invH[p % n] += 1.0 / h[p];
    }
    rowWeight = new double[n];
    for (int i = 0; i < n; i++) {
      rowWeight[i] = 1.0 / (invH[i] + kappa);
    }
    g = design.rowSums(ratio);
    DenseMatrix m = design.weightedGram(e);
    int f = design.filterSize();
    DenseMatrix scaledG = new DenseMatrix(n, f);
    double[] gd = g.data();
    double[] sg = scaledG.data();
    for (int l = 0; l < f; l++) {
      for (int i = 0; i < n; i++) {
        sg[l * n + i] = rowWeight[i] * gd[l * n + i];
      }
    }
    Blas.gemm(true, false, 1.0, g, scaledG, 1.0, m);
    factor = factorRegularised(m);
  }

  /**
   * Cholesky of M; near the end of a degenerate LP M can lose definiteness in the last digits,
   * so a relative ridge of growing size is added until the factor exists (the corrector and the
   * next iteration absorb the tiny error, which the residual test then measures).
   */
  private static Cholesky factorRegularised(DenseMatrix m) {
    int f = m.rows();
    double trace = 0.0;
    for (int l = 0; l < f; l++) {
      trace += m.get(l, l);
    }
    double ridge = 0.0;
    for (int attempt = 0; attempt < 12; attempt++) {
      DenseMatrix a = m.copy();
      for (int l = 0; l < f; l++) {
        a.set(l, l, a.get(l, l) + ridge);
      }
      try {
        return Cholesky.factorOverwriting(a);
      } catch (ArithmeticException e) {
        ridge = ridge == 0.0 ? 1e-14 * Math.max(trace / f, Double.MIN_NORMAL) : ridge * 100.0;
      }
    }
    throw new ArithmeticException("the reduced Newton matrix is not positive definite");
  }

  /** A Newton direction. */
  record Direction(double[] dw, double[] dz, double[] ds, double[] dlambda, double[] dmu,
      double[] dv) {}

  /** Solves the system for the residuals (as defined in the class comment). */
  Direction solve(double[] rw, double[] rz, double[] req, double[] rs, double[] rc1,
      double[] rc2) {
    int n = design.n();
    int count = s.length;
    double[] q = new double[count];
    double[] t = new double[count];
    double[] rowQ = new double[n];
    for (int p = 0; p < count; p++) {
      t[p] = -rc1[p] / s[p] + d1[p] * rs[p];
      q[p] = t[p] - rz[p] - rc2[p] / z[p];
      rowQ[p % n] += q[p] / h[p];
      t[p] -= ratio[p] * q[p];
    }
    double[] rowRhs = new double[n];
    for (int i = 0; i < n; i++) {
      rowRhs[i] = (rowQ[i] + req[i]) * rowWeight[i];
    }
    double[] rhs = design.adjoint(t);
    int f = design.filterSize();
    double[] grhs = new double[f];
    Blas.gemm(true, false, f, 1, n, 1.0, g.data(), 0, n, rowRhs, 0, n, 0.0, grhs, 0, f);
    for (int l = 0; l < f; l++) {
      rhs[l] = -rw[l] - rhs[l] - grhs[l];
    }
    DenseMatrix dwm = new DenseMatrix(f, 1, rhs);
    factor.solveInPlace(dwm);
    double[] dw = dwm.data();
    double[] bdw = design.responses(dw);
    double[] gdw = new double[n];
    Blas.gemm(false, false, n, 1, f, 1.0, g.data(), 0, n, dw, 0, f, 0.0, gdw, 0, n);
    double[] dv = new double[n];
    for (int i = 0; i < n; i++) {
      dv[i] = rowRhs[i] + gdw[i] * rowWeight[i];
    }
    double[] dz = new double[count];
    double[] ds = new double[count];
    double[] dl = new double[count];
    double[] dm = new double[count];
    for (int p = 0; p < count; p++) {
      dz[p] = (q[p] - dv[p % n] + d1[p] * bdw[p]) / h[p];
      ds[p] = -rs[p] + dz[p] - bdw[p];
      dl[p] = (-rc1[p] - lambda[p] * ds[p]) / s[p];
      dm[p] = (-rc2[p] - mu[p] * dz[p]) / z[p];
    }
    return new Direction(dw, dz, ds, dl, dm, dv);
  }
}
