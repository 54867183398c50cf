package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * A search direction of {@link PathFollowing}, the driver's part: the second-order-cone (Q)
 * complementarity right-hand side e, scaled residual q, the primal step (dx_b, dx_t), the
 * slack and dual steps and their scaled forms W^-T ds and W dz that the Mehrotra corrector
 * multiplies. The linear rows' parts are kept by the {@link ConeRows} under {@link #id}, which
 * also report their ratio test, {@link #rowStep}.
 */
final class Direction {
  /** {@link ConeRows#AFFINE} or {@link ConeRows#COMBINED}. */
  final int id;
  final double[] eQ;
  final double[] qQ;
  final DenseMatrix dxB;
  final double[] dxT;
  final double[] dsQ;
  final double[] dzQ;
  final double[] dsTQ;
  final double[] dzTQ;
  /** Largest step keeping the rows' s and z positive. */
  double rowStep;

  Direction(int id, int d, int m) {
    int d1 = d + 1;
    this.id = id;
    eQ = new double[d1 * m];
    qQ = new double[d1 * m];
    dxB = new DenseMatrix(d, m);
    dxT = new double[m];
    dsQ = new double[d1 * m];
    dzQ = new double[d1 * m];
    dsTQ = new double[d1 * m];
    dzTQ = new double[d1 * m];
  }
}
