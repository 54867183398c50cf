package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.local.AdmmWoodbury;
import java.io.Serializable;

/**
 * One row block's side of consensus ADMM (Boyd et al. 2011, Sec. 7.1, global variable
 * consensus with regularisation) for the cone-constrained ReLU program with the squared loss
 * (Pilanci and Ergen 2020, eq. (8)), each block split as in Bai, Gautam and Sojoudi (2022,
 * Alg. 1):
 * <pre>
 *   min sum_b 1/2 ||F_b u_b - y_b||^2 + beta sum_j ||z_j||
 *   s.t. u_b = z (weight gamma_b),  G_b u_b = s_b,  s_b &gt;= 0,
 * </pre>
 * (G_b u)_j = S_j .* (X_b u_j), S_j = 2 D_j - 1. The block keeps its own copy u_b, its slacks
 * s_b, the scaled duals a_b (of u_b = z) and c_b (of G_b u_b = s_b), and its factors: the
 * d x d Cholesky of E_b = gamma_b I + X_b^T X_b and the n_b x n_b Cholesky of
 * T_b = I + (2/rho) (X_b E_b^-1 X_b^T) .* (M_b M_b^T), through which (Woodbury, as in the
 * single-node {@code AdmmSplitting}) its u-step solves
 * (F_b^T F_b + rho (I (x) E_b)) u_b = F_b^T y_b + rho gamma_b (z - a_b) + rho G_b^T (s_b - c_b).
 * The driver averages gamma_b (u_b + a_b) and applies the group prox ({@link
 * DistributedAdmmReluSolver}).
 *
 * <p>A step returns a new state (the iterates are copied, the factors shared), so a retried task
 * recomputes from unchanged inputs.
 */
final class ConsensusAdmmBlock implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double TINY = 1e-250;

  final int n;
  final int d;
  final int p;
  final double gamma;
  private final Cholesky cholE;
  private final Cholesky cholT;
  final double rho;
  /** The first half of F_b^T y_b, X_b^T (M_b .* y_b) (d x P; the second is its negative). */
  private final double[] fty;
  final DenseMatrix u;
  final DenseMatrix a;
  final DenseMatrix s;
  final DenseMatrix c;

  private ConsensusAdmmBlock(int n, int d, int p, double gamma, Cholesky cholE, Cholesky cholT,
      double rho, double[] fty, DenseMatrix u, DenseMatrix a, DenseMatrix s, DenseMatrix c) {
    this.n = n;
    this.d = d;
    this.p = p;
    this.gamma = gamma;
    this.cholE = cholE;
    this.cholT = cholT;
    this.rho = rho;
    this.fty = fty;
    this.u = u;
    this.a = a;
    this.s = s;
    this.c = c;
  }

  /** The block's start: u_b = z0, s_b = (G_b z0)_+, zero duals, factors at rho. */
  static ConsensusAdmmBlock start(RowBlock blk, DenseMatrix z0, double rho) {
    int n = blk.rows();
    int d = blk.d();
    int p = blk.patternCount();
    AdmmWoodbury.EFactor e = AdmmWoodbury.factorE(blk.x());
    double[] fty = AdmmWoodbury.labelsAdjoint(blk.x(), blk.mask(), p, blk.y());
    DenseMatrix s = blk.forward(z0);
    AdmmWoodbury.coneValues(blk.mask(), p, s, s);
    double[] sd = s.data();
    for (int k = 0; k < sd.length; k++) {
      sd[k] = Math.max(0.0, sd[k]);
    }
    return new ConsensusAdmmBlock(n, d, p, e.gamma(), e.cholesky(),
        factorT(blk, e.cholesky(), rho), rho, fty,
        z0.copy(), new DenseMatrix(d, 2 * p), s, new DenseMatrix(n, 2 * p));
  }

  /** T = I + (2/rho) (X E^-1 X^T) .* (M M^T), factored ({@link AdmmWoodbury}). */
  private static Cholesky factorT(RowBlock blk, Cholesky cholE, double rho) {
    return AdmmWoodbury.factorT(
        AdmmWoodbury.patternKernel(blk.x(), blk.mask(), blk.patternCount(), cholE), rho);
  }

  /**
   * One ADMM iteration of the block: first a_b += u_b - z (the consensus dual, from the last
   * u_b and the z the driver formed from it; skipped on the first step), then the u-step with z,
   * the s-step and c_b += G_b u_b - s_b. With a new rho the scaled duals are rescaled by
   * rho_old / rho and T_b is factored again.
   *
   * @param first true on the first step (no dual update yet)
   */
  ConsensusAdmmBlock step(RowBlock blk, DenseMatrix z, double newRho, boolean first) {
    int q = 2 * p;
    DenseMatrix x = blk.x();
    byte[] mask = blk.mask();
    double scale = rho / newRho;
    Cholesky t = newRho == rho ? cholT : factorT(blk, cholE, newRho);
    DenseMatrix a1 = a.copy();
    double[] ad = a1.data();
    double[] ud = u.data();
    double[] zd = z.data();
    for (int k = 0; k < ad.length; k++) {
      ad[k] = (first ? ad[k] : ad[k] + ud[k] - zd[k]) * scale;
    }
    DenseMatrix c1 = c.copy();
    double[] cd = c1.data();
    if (scale != 1.0) {
      for (int k = 0; k < cd.length; k++) {
        cd[k] *= scale;
      }
    }
    // rhs = F^T y + rho gamma (z - a) + rho G^T (s - c).
    DenseMatrix rhs = new DenseMatrix(d, q);
    AdmmWoodbury.rightHandSide(x, mask, p, fty, newRho, gamma, z, a1, s, c1,
        new DenseMatrix(n, q), rhs);
    // W = (I (x) E^-1) rhs; u = (W - (I (x) E^-1) F^T T^-1 F W) / rho, and X u.
    DenseMatrix u1 = new DenseMatrix(d, q);
    DenseMatrix gu = new DenseMatrix(n, q);
    AdmmWoodbury.solve(x, mask, p, cholE, t, newRho, rhs, u1, gu,
        new AdmmWoodbury.Workspace(n, d, p));
    // s = (G u + c)_+,  c += G u - s.
    AdmmWoodbury.coneValues(mask, p, gu, gu);
    double[] gd = gu.data();
    DenseMatrix s1 = new DenseMatrix(n, q);
    double[] s1d = s1.data();
    for (int k = 0; k < gd.length; k++) {
      double v = gd[k] + cd[k];
      if (Math.abs(v) < TINY) {
        v = 0.0;
      }
      double sv = Math.max(v, 0.0);
      s1d[k] = sv;
      cd[k] = v - sv;
    }
    return new ConsensusAdmmBlock(n, d, p, gamma, cholE, t, newRho, fty, u1, a1, s1, c1);
  }

  /** The cone multipliers mu_b = (-rho c_b)_+ (n_b x 2P) for the certificate. */
  DenseMatrix coneMultipliers() {
    DenseMatrix mu = new DenseMatrix(n, 2 * p);
    double[] md = mu.data();
    double[] cd = c.data();
    for (int k = 0; k < md.length; k++) {
      md[k] = Math.max(0.0, -rho * cd[k]);
    }
    return mu;
  }

  /**
   * What the driver sums after a step: gamma_b (u_b + a_b) (the next z's operand), and for the
   * residuals gamma_b u_b, gamma_b ||u_b||^2, gamma_b, ||G_b u_b - s_b||^2 (= ||c_new - c_old||^2)
   * and ||s_b - s_old||^2.
   */
  static final class Sums implements Serializable {
    private static final long serialVersionUID = 1L;
    final DenseMatrix operand;
    final DenseMatrix weightedU;
    double weightedUNorm2;
    double gamma;
    double conePrimal2;
    double slackMove2;
    double slackNorm2;
    /** gamma_b ||a_b||^2 + ||c_b||^2 (the scaled duals, for the relative dual residual). */
    double dualNorm2;
    /** ||G_b u_b||^2 (the cone operand, for the relative primal residual). */
    double coneNorm2;

    Sums(int d, int q) {
      operand = new DenseMatrix(d, q);
      weightedU = new DenseMatrix(d, q);
    }

    Sums add(ConsensusAdmmBlock before, ConsensusAdmmBlock after) {
      double[] od = operand.data();
      double[] wd = weightedU.data();
      double[] ud = after.u.data();
      double[] ad = after.a.data();
      double g = after.gamma;
      for (int k = 0; k < od.length; k++) {
        od[k] += g * (ud[k] + ad[k]);
        wd[k] += g * ud[k];
        weightedUNorm2 += g * ud[k] * ud[k];
        dualNorm2 += g * ad[k] * ad[k];
      }
      gamma += g;
      double[] c0 = before.c.data();
      double[] c1 = after.c.data();
      double[] s0 = before.s.data();
      double[] s1 = after.s.data();
      double scale = before.rho / after.rho;
      for (int k = 0; k < c1.length; k++) {
        double r = c1[k] - c0[k] * scale;
        conePrimal2 += r * r;
        double m = s1[k] - s0[k];
        slackMove2 += m * m;
        slackNorm2 += s1[k] * s1[k];
        dualNorm2 += c1[k] * c1[k];
        double gu = s1[k] + r; // G u = s + (c_new - c_old)
        coneNorm2 += gu * gu;
      }
      return this;
    }

    Sums merge(Sums o) {
      OrderedAggregate.addInto(operand, o.operand);
      OrderedAggregate.addInto(weightedU, o.weightedU);
      weightedUNorm2 += o.weightedUNorm2;
      gamma += o.gamma;
      conePrimal2 += o.conePrimal2;
      slackMove2 += o.slackMove2;
      slackNorm2 += o.slackNorm2;
      dualNorm2 += o.dualNorm2;
      coneNorm2 += o.coneNorm2;
      return this;
    }
  }
}
