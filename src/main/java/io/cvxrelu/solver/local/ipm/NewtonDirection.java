package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The Newton direction of {@link PathFollowing} for a complementarity right-hand side e: the
 * scaled Newton system of Vandenberghe (2010, eq. (37)-(39)) with our G, reduced to
 * dx = (H + A^T A)^-1 (-r_x - G^T q), q = Phi r_z + W^-1 e, solved through the
 * {@link NormalEquations} with one step of iterative refinement, and then
 * dz = Phi G dx + q, ds = -G dx - r_z. The linear rows' parts (their e, q, ds, dz) are the
 * {@link ConeRows}'; this class does the second-order cones and the reduced system.
 */
final class NewtonDirection {
  private final ConeQp qp;
  private final ConeRows rows;
  private final Residuals residuals;
  private final NesterovToddScaling scaling;
  private final NormalEquations normal;

  NewtonDirection(ConeQp qp, ConeRows rows, Residuals residuals, NesterovToddScaling scaling,
      NormalEquations normal) {
    this.qp = qp;
    this.rows = rows;
    this.residuals = residuals;
    this.scaling = scaling;
    this.normal = normal;
  }

  /**
   * Fills {@code dir} for its right-hand side: {@code dir.eQ} on the cones and, on the rows,
   * the one {@link ConeRows#rightHandSide} forms from sigma and mu.
   */
  void solve(Direction dir, double sigma, double mu) {
    int d = qp.d;
    int m = qp.m;
    DenseMatrix rhsB = rows.rightHandSide(dir.id, sigma, mu);
    scaledResidual(dir);
    double[] rhsT = new double[m];
    reducedRightHandSide(dir, rhsB, rhsT);
    solveRefined(rhsB, rhsT, dir);
    dir.rowStep = rows.recover(dir.id, dir.dxB);
    recoverConeBlocks(dir);
  }

  /** q = Phi r_z + W^-1 e on the cones. */
  private void scaledResidual(Direction dir) {
    int d1 = qp.d1;
    double[] tmp = new double[d1];
    for (int j = 0; j < qp.m; j++) {
      int off = j * d1;
      scaling.applyPhi(j, residuals.rzQ, off, dir.qQ, off);
      scaling.applyWinv(j, dir.eQ, off, tmp, 0);
      for (int c = 0; c < d1; c++) {
        dir.qQ[off + c] += tmp[c];
      }
    }
  }

  /**
   * rhs = -r_x - G^T q, G^T q = (-X^T (S .* qL) - qQ_b, -qQ_0); {@code rhsB} holds the rows'
   * X^T (S .* qL) on entry.
   */
  private void reducedRightHandSide(Direction dir, DenseMatrix rhsB, double[] rhsT) {
    int d = qp.d;
    int m = qp.m;
    for (int j = 0; j < m; j++) {
      int off = j * qp.d1;
      rhsT[j] = -residuals.rxT[j] + dir.qQ[off];
      for (int c = 0; c < d; c++) {
        rhsB.data()[j * d + c] += -residuals.rxB.data()[j * d + c] + dir.qQ[off + 1 + c];
      }
    }
  }

  /** dx from the normal equations, then one step of iterative refinement against the operator. */
  private void solveRefined(DenseMatrix rhsB, double[] rhsT, Direction dir) {
    int d = qp.d;
    int m = qp.m;
    normal.solve(rhsB, rhsT, dir.dxB, dir.dxT);
    DenseMatrix resB = new DenseMatrix(d, m);
    double[] resT = new double[m];
    normal.apply(dir.dxB, dir.dxT, resB, resT);
    for (int k = 0; k < d * m; k++) {
      resB.data()[k] = rhsB.data()[k] - resB.data()[k];
    }
    for (int j = 0; j < m; j++) {
      resT[j] = rhsT[j] - resT[j];
    }
    DenseMatrix corrB = new DenseMatrix(d, m);
    double[] corrT = new double[m];
    normal.solve(resB, resT, corrB, corrT);
    for (int k = 0; k < d * m; k++) {
      dir.dxB.data()[k] += corrB.data()[k];
    }
    for (int j = 0; j < m; j++) {
      dir.dxT[j] += corrT[j];
    }
  }

  /**
   * ds = -G dx - r_z and dz = Phi G dx + q on the cones (-G dx is (dx_t, dx_b) there), with
   * their scaled forms W^-T ds and W dz for the corrector.
   */
  private void recoverConeBlocks(Direction dir) {
    int d1 = qp.d1;
    double[] rzQ = residuals.rzQ;
    double[] g = new double[d1];
    for (int j = 0; j < qp.m; j++) {
      int off = j * d1;
      g[0] = dir.dxT[j];
      System.arraycopy(dir.dxB.data(), j * qp.d, g, 1, qp.d);
      scaling.applyPhi(j, g, 0, dir.dzQ, off);
      for (int c = 0; c < d1; c++) {
        dir.dzQ[off + c] = -dir.dzQ[off + c] + dir.qQ[off + c];
        dir.dsQ[off + c] = g[c] - rzQ[off + c];
      }
      scaling.applyW(j, dir.dzQ, off, dir.dzTQ, off);
      scaling.applyWinv(j, dir.dsQ, off, dir.dsTQ, off);
    }
  }
}
