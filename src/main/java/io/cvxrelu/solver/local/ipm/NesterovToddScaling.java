package io.cvxrelu.solver.local.ipm;

/**
 * The Nesterov-Todd scaling W of the current iterate's second-order cones (Vandenberghe 2010,
 * sec. 4), with W z = W^-T s = lambda. (On a linear row it is the number w = sqrt(s / z), kept
 * by the {@link ConeRows}.) On a second-order cone block it is eta W-bar,
 * W-bar = 2 w-bar w-bar^T - J, with the scaling point w-bar computed from the normalised s and
 * z. Phi = W^-T W^-1 is the block of the Newton matrix
 * that the scaling contributes.
 */
final class NesterovToddScaling {
  private final ConeQp qp;
  final double[] wbar;
  final double[] eta;
  final double[] lamQ;

  NesterovToddScaling(ConeQp qp) {
    this.qp = qp;
    this.wbar = new double[qp.d1 * qp.m];
    this.eta = new double[qp.m];
    this.lamQ = new double[qp.d1 * qp.m];
  }

  /** Nesterov-Todd scaling points: W z = W^-T s = lambda (Vandenberghe 2010, sec. 4). */
  void update(ConeIterate it) {
    double[] sQ = it.sQ;
    double[] zQ = it.zQ;
    int d1 = qp.d1;
    for (int j = 0; j < qp.m; j++) {
      int off = j * d1;
      double sn = Math.sqrt(SecondOrderCone.jnorm2(sQ, off, d1));
      double zn = Math.sqrt(SecondOrderCone.jnorm2(zQ, off, d1));
      if (!(sn > 0.0) || !(zn > 0.0)) {
        throw new ArithmeticException("iterate left the second-order cone");
      }
      double sz = 0.0;
      for (int c = 0; c < d1; c++) {
        sz += sQ[off + c] * zQ[off + c];
      }
      double gamma = Math.sqrt(0.5 * (1.0 + sz / (sn * zn)));
      wbar[off] = (sQ[off] / sn + zQ[off] / zn) / (2.0 * gamma);
      for (int c = 1; c < d1; c++) {
        wbar[off + c] = (sQ[off + c] / sn - zQ[off + c] / zn) / (2.0 * gamma);
      }
      eta[j] = Math.sqrt(sn / zn);
      applyW(j, zQ, off, lamQ, off);
    }
  }

  /** out = W_j v for the second-order-cone block j: eta W-bar v. */
  void applyW(int j, double[] v, int off, double[] out, int ooff) {
    applyScaling(j, v, off, out, ooff, 1.0);
  }

  /** out = W_j^-1 v = eta^-1 J W-bar J v. */
  void applyWinv(int j, double[] v, int off, double[] out, int ooff) {
    applyScaling(j, v, off, out, ooff, -1.0);
  }

  /**
   * eta^s (J^k W-bar J^k) v with s = +1 (k = 0, W) or -1 (k = 1, W^-1): conjugating by J flips
   * the sign of the cross terms between the first and the other coordinates.
   */
  private void applyScaling(int j, double[] v, int off, double[] out, int ooff, double s) {
    int d1 = qp.d1;
    int woff = j * d1;
    double w0 = wbar[woff];
    double v0 = v[off];
    double w1v1 = 0.0;
    for (int c = 1; c < d1; c++) {
      w1v1 += wbar[woff + c] * v[off + c];
    }
    double e = s > 0 ? eta[j] : 1.0 / eta[j];
    double coef = s * v0 + w1v1 / (1.0 + w0);
    out[ooff] = e * (w0 * v0 + s * w1v1);
    for (int c = 1; c < d1; c++) {
      out[ooff + c] = e * (v[off + c] + coef * wbar[woff + c]);
    }
  }

  /** out = Phi_j v = eta^-2 (2 J w (J w)^T v - J v). */
  void applyPhi(int j, double[] v, int off, double[] out, int ooff) {
    int d1 = qp.d1;
    int woff = j * d1;
    double w0 = wbar[woff];
    double jwv = w0 * v[off];
    for (int c = 1; c < d1; c++) {
      jwv -= wbar[woff + c] * v[off + c];
    }
    double e2 = 1.0 / (eta[j] * eta[j]);
    out[ooff] = e2 * (2.0 * jwv * w0 - v[off]);
    for (int c = 1; c < d1; c++) {
      out[ooff + c] = e2 * (-2.0 * jwv * wbar[woff + c] + v[off + c]);
    }
  }
}
