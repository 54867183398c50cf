package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The primal-dual iterate of {@link PathFollowing}, strictly inside its cones: the blocks b
 * (d x 2P, columns v_1..v_P, w_1..w_P) and epigraph variables t, and the slacks s = (t, b)
 * and duals z of the second-order cones (Q, d + 1 per block); the slacks K b and duals of the
 * linear rows (n per block; the cone multipliers mu of the certificate) are the
 * {@link ConeRows}'.
 */
final class ConeIterate {
  private final ConeQp qp;
  private final ConeRows rows;
  final DenseMatrix b;
  final double[] t;
  final double[] sQ;
  final double[] zQ;

  /** The centred start of {@link #initialise}; throws when a gate lies on a data hyperplane. */
  ConeIterate(ConeQp qp, ConeRows rows) {
    this.qp = qp;
    this.rows = rows;
    int m = qp.m;
    this.b = new DenseMatrix(qp.d, m);
    this.t = new double[m];
    this.sQ = new double[qp.d1 * m];
    this.zQ = new double[qp.d1 * m];
    initialise();
  }

  /**
   * A strictly feasible, centred start: v_i = w_i = c g_i / ||g_i|| lie inside their cone
   * (K_i g_i &gt; 0 for a gate in general position) and predict zero; t = 2c. The cone duals
   * start centred, z = mu0 s^-1, but the row multipliers start flat, zeta = beta / (n c):
   * centring them too (mu0 / s) makes K^T z huge through the rows nearest the hyperplanes and
   * costs many short steps to remove that dual infeasibility.
   */
  private void initialise() {
    long n = rows.rowCount();
    int d = qp.d;
    int p = qp.p;
    int d1 = qp.d1;
    double[] gd = qp.gates.data();
    DenseMatrix unit = new DenseMatrix(d, p);
    for (int i = 0; i < p; i++) {
      double norm = Blas.nrm2(d, gd, i * d);
      for (int c = 0; c < d; c++) {
        unit.data()[i * d + c] = gd[i * d + c] / norm;
      }
    }
    double sumSq = rows.startSumSquares(unit);
    double scale = 1.0 / Math.sqrt(sumSq / Math.max(1L, n * p));
    double mu0 = 1.5 * qp.beta * scale;
    double zeta = qp.beta / (n * scale);
    rows.start(unit, scale, zeta);
    for (int j = 0; j < qp.m; j++) {
      int i = j % p;
      for (int c = 0; c < d; c++) {
        b.data()[j * d + c] = scale * unit.data()[i * d + c];
      }
      t[j] = 2.0 * scale;
      int off = j * d1;
      sQ[off] = t[j];
      System.arraycopy(b.data(), j * d, sQ, off + 1, d);
      double det = SecondOrderCone.jnorm2(sQ, off, d1);
      zQ[off] = mu0 * sQ[off] / det;
      for (int c = 1; c < d1; c++) {
        zQ[off + c] = -mu0 * sQ[off + c] / det;
      }
    }
  }

  /** Current blocks (a copy). */
  DenseMatrix weights() {
    return b.copy();
  }

  /** s^T z over the second-order cones (the rows' part comes from {@link ConeRows#prepare}). */
  double coneComplementarity() {
    return dot(sQ, zQ);
  }

  /** (s + alpha ds)^T (z + alpha dz), the complementarity a step would reach. */
  double complementarityAfter(double alpha, Direction dir) {
    double gap = rows.complementarityAfter(dir.id, alpha);
    for (int k = 0; k < qp.d1 * qp.m; k++) {
      gap += (sQ[k] + alpha * dir.dsQ[k]) * (zQ[k] + alpha * dir.dzQ[k]);
    }
    return gap;
  }

  /** Largest step in [0, inf) keeping s + a ds and z + a dz inside their cones. */
  double stepToBoundary(Direction dir) {
    double a = dir.rowStep;
    for (int j = 0; j < qp.m; j++) {
      int off = j * qp.d1;
      a = Math.min(a, SecondOrderCone.maxStep(sQ, dir.dsQ, off, qp.d1));
      a = Math.min(a, SecondOrderCone.maxStep(zQ, dir.dzQ, off, qp.d1));
    }
    return a;
  }

  /** Moves the iterate a step alpha along the direction. */
  void advance(double alpha, Direction dir) {
    for (int k = 0; k < qp.d * qp.m; k++) {
      b.data()[k] += alpha * dir.dxB.data()[k];
    }
    for (int j = 0; j < qp.m; j++) {
      t[j] += alpha * dir.dxT[j];
    }
    rows.advance(dir.id, alpha);
    for (int k = 0; k < qp.d1 * qp.m; k++) {
      sQ[k] += alpha * dir.dsQ[k];
      zQ[k] += alpha * dir.dzQ[k];
    }
  }

  private static double dot(double[] a, double[] c) {
    double s = 0.0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * c[k];
    }
    return s;
  }
}
