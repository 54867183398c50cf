package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The residuals of the cone program's optimality conditions at an iterate (Vandenberghe 2010,
 * eq. (35)): the dual residual r_x = Q x + c + G^T z and the primal residual r_z = s + G x - h,
 * each split into its linear-row (L) and second-order-cone (Q) part.
 */
final class Residuals {
  private final ConeQp qp;
  final DenseMatrix rxB;
  final double[] rxT;
  final double[] rzL;
  final double[] rzQ;

  Residuals(ConeQp qp) {
    this.qp = qp;
    this.rxB = new DenseMatrix(qp.d, qp.m);
    this.rxT = new double[qp.m];
    this.rzL = new double[qp.n * qp.m];
    this.rzQ = new double[qp.d1 * qp.m];
  }

  /**
   * r_x = Q x + c + G^T z (b-part: sigma_j X^T D_j (A b - y) - K_j^T zL_j - zQ_b,j; t-part:
   * beta - zQ_0,j) and r_z = s + G x - h.
   */
  void compute(ConeIterate it) {
    int n = qp.n;
    int m = qp.m;
    int p = qp.p;
    double[] mask = qp.mask;
    DenseMatrix zx = new DenseMatrix(n, m);
    Blas.gemm(false, false, 1.0, qp.x, it.b, 0.0, zx);
    double[] zd = zx.data();
    double[] res = new double[n];
    for (int j = 0; j < m; j++) {
      double sg = j < p ? 1.0 : -1.0;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        res[k] += sg * mask[moff + k] * zd[j * n + k];
      }
    }
    for (int k = 0; k < n; k++) {
      res[k] -= qp.y[k];
    }
    DenseMatrix r = new DenseMatrix(n, m);
    double[] rd = r.data();
    for (int j = 0; j < m; j++) {
      double sg = j < p ? 1.0 : -1.0;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        rd[j * n + k] = sg * mask[moff + k] * res[k] - qp.sign[moff + k] * it.zL[j * n + k];
        rzL[j * n + k] = it.sL[j * n + k] - qp.sign[moff + k] * zd[j * n + k];
      }
    }
    Blas.gemm(true, false, 1.0, qp.x, r, 0.0, rxB);
    int d = qp.d;
    for (int j = 0; j < m; j++) {
      int off = j * qp.d1;
      rxT[j] = qp.beta - it.zQ[off];
      rzQ[off] = it.sQ[off] - it.t[j];
      for (int c = 0; c < d; c++) {
        rxB.data()[j * d + c] -= it.zQ[off + 1 + c];
        rzQ[off + 1 + c] = it.sQ[off + 1 + c] - it.b.data()[j * d + c];
      }
    }
  }
}
