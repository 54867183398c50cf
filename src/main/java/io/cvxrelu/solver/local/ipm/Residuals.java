package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The residuals of the cone program's optimality conditions at an iterate (Vandenberghe 2010,
 * eq. (35)): the dual residual r_x = Q x + c + G^T z and the second-order-cone (Q) part of the
 * primal residual r_z = s + G x - h; the linear rows' part of r_z stays with the
 * {@link ConeRows}.
 */
final class Residuals {
  private final ConeQp qp;
  final DenseMatrix rxB;
  final double[] rxT;
  final double[] rzQ;

  Residuals(ConeQp qp) {
    this.qp = qp;
    this.rxB = new DenseMatrix(qp.d, qp.m);
    this.rxT = new double[qp.m];
    this.rzQ = new double[qp.d1 * qp.m];
  }

  /**
   * r_x = Q x + c + G^T z (b-part: sigma_j X^T D_j (A b - y) - K_j^T zL_j - zQ_b,j, the first
   * two terms the rows' {@code rowsPart}; t-part: beta - zQ_0,j) and r_z's cone part.
   */
  void compute(ConeIterate it, DenseMatrix rowsPart) {
    int m = qp.m;
    System.arraycopy(rowsPart.data(), 0, rxB.data(), 0, qp.d * m);
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
