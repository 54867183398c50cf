package io.cvxrelu.solver.local.ipm;

/**
 * The Jordan algebra of the second-order cone {(u0, u1) : u0 &gt;= ||u1||} that the
 * Nesterov-Todd scaling and the Mehrotra corrector need (Vandenberghe 2010, sec. 2): the
 * J-norm u0^2 - ||u1||^2, the solve of a Jordan product, and the largest step to the boundary.
 * Blocks of size {@code d1} sit at an offset in flat arrays.
 */
final class SecondOrderCone {
  private SecondOrderCone() {}

  /** u0^2 - |u1|^2 of the block at off. */
  static double jnorm2(double[] u, int off, int d1) {
    double s = u[off] * u[off];
    for (int c = 1; c < d1; c++) {
      s -= u[off + c] * u[off + c];
    }
    return s;
  }

  /** Solves lambda o x = dv for x (Jordan product of the second-order cone). */
  static void jordanSolve(double[] lam, int off, double[] dv, double[] out, int ooff, int d1) {
    double l0 = lam[off];
    double l1d1 = 0.0;
    double det = l0 * l0;
    for (int c = 1; c < d1; c++) {
      l1d1 += lam[off + c] * dv[c];
      det -= lam[off + c] * lam[off + c];
    }
    double x0 = (l0 * dv[0] - l1d1) / det;
    out[ooff] = x0;
    for (int c = 1; c < d1; c++) {
      out[ooff + c] = (dv[c] - x0 * lam[off + c]) / l0;
    }
  }

  /** Largest a with u + a v in the second-order cone, for u in its interior. */
  static double maxStep(double[] u, double[] v, int off, int d1) {
    double u0 = u[off];
    double v0 = v[off];
    double uu = u0 * u0;
    double vv = v0 * v0;
    double uv = u0 * v0;
    for (int c = 1; c < d1; c++) {
      uu -= u[off + c] * u[off + c];
      vv -= v[off + c] * v[off + c];
      uv -= u[off + c] * v[off + c];
    }
    // f(a) = uu + 2 a uv + a^2 vv with f(0) = uu > 0; first root on a > 0, and u0 + a v0 >= 0.
    double best = Double.POSITIVE_INFINITY;
    if (v0 < 0.0) {
      best = -u0 / v0;
    }
    double root = Double.POSITIVE_INFINITY;
    if (vv == 0.0) {
      if (uv < 0.0) {
        root = -uu / (2.0 * uv);
      }
    } else {
      double disc = uv * uv - vv * uu;
      if (disc >= 0.0) {
        double sq = Math.sqrt(disc);
        // Stable roots of vv a^2 + 2 uv a + uu.
        double q = -(uv + Math.copySign(sq, uv));
        double r1 = q / vv;
        double r2 = q != 0.0 ? uu / q : Double.POSITIVE_INFINITY;
        if (r1 > 0.0) {
          root = Math.min(root, r1);
        }
        if (r2 > 0.0) {
          root = Math.min(root, r2);
        }
      }
    }
    return Math.min(best, root);
  }
}
