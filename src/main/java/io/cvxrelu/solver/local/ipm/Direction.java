package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * A search direction of {@link PathFollowing}: the complementarity right-hand side e it is
 * solved for, the scaled residual q, the primal step (dx_b, dx_t), the slack and dual steps of
 * the linear (L) and second-order-cone (Q) rows, and their scaled forms W^-T ds and W dz that
 * the Mehrotra corrector multiplies.
 */
final class Direction {
  final double[] eL;
  final double[] eQ;
  final double[] qL;
  final double[] qQ;
  final DenseMatrix dxB;
  final double[] dxT;
  /** X dx_b, n x 2P. */
  final DenseMatrix xdb;
  final double[] dsL;
  final double[] dzL;
  final double[] dsQ;
  final double[] dzQ;
  final double[] dsT;
  final double[] dzT;
  final double[] dsTQ;
  final double[] dzTQ;

  Direction(int n, int d, int m) {
    int d1 = d + 1;
    eL = new double[n * m];
    eQ = new double[d1 * m];
    qL = new double[n * m];
    qQ = new double[d1 * m];
    dxB = new DenseMatrix(d, m);
    dxT = new double[m];
    xdb = new DenseMatrix(n, m);
    dsL = new double[n * m];
    dzL = new double[n * m];
    dsQ = new double[d1 * m];
    dzQ = new double[d1 * m];
    dsT = new double[n * m];
    dzT = new double[n * m];
    dsTQ = new double[d1 * m];
    dzTQ = new double[d1 * m];
  }
}
