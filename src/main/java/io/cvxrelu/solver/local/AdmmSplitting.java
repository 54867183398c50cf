package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * The iterates, work space and steps of {@link AdmmReluSolver}: over-relaxed ADMM on the
 * splitting u = z, G u = s of the cone-constrained ReLU program (Bai, Gautam and Sojoudi 2022,
 * Alg. 1). One {@link #iterate} is the u-step (a linear solve through the Woodbury identity with
 * the d x d factor of E = gamma I + X^T X and the n x n factor of
 * T = I + (2/rho) (X E^-1 X^T) .* (M M^T)), the z-step (group soft-threshold), the s-step
 * (projection onto s &gt;= 0) and the scaled dual updates a and b. Residual balancing
 * (Boyd et al. 2011, Sec. 3.4.1) adapts rho.
 */
final class AdmmSplitting {
  private static final double TINY = 1e-250;
  /** Over-relaxation. */
  private static final double ALPHA = 1.6;

  final ConvexReluProblem problem;
  final int n;
  final int d;
  final int p;
  final int q;
  final DenseMatrix x;
  final byte[] mask;
  final double[] sign;
  final double beta;
  final double gamma;
  final Cholesky cholE;
  final DenseMatrix qmat;
  Cholesky cholT;
  double rho;
  final double[] fty;
  final DenseMatrix u;
  final DenseMatrix z;
  final DenseMatrix a;
  final DenseMatrix xu;
  final DenseMatrix s;
  final DenseMatrix b;
  final DenseMatrix work;
  final DenseMatrix rhs;
  final DenseMatrix mu;
  private final AdmmWoodbury.Workspace workspace;
  final double[] zOld;
  double rp2;
  double zn2;
  double un2;
  double dz2;
  double ds2;

  AdmmSplitting(ConvexReluProblem problem, DenseMatrix warmStart) {
    this.problem = problem;
    n = problem.n();
    d = problem.d();
    p = problem.patternCount();
    q = 2 * p;
    x = problem.x();
    mask = problem.patterns().mask();
    sign = problem.coneSigns();
    beta = problem.beta();
    AdmmWoodbury.EFactor e = AdmmWoodbury.factorE(x);
    gamma = e.gamma();
    cholE = e.cholesky();
    qmat = AdmmWoodbury.patternKernel(x, mask, p, cholE);
    rho = 1.0;
    cholT = AdmmWoodbury.factorT(qmat, rho);
    fty = AdmmWoodbury.labelsAdjoint(x, mask, p, problem.y());
    u = warmStart != null ? warmStart.copy() : new DenseMatrix(d, q);
    z = u.copy();
    a = new DenseMatrix(d, q);
    xu = problem.forward(u);
    s = new DenseMatrix(n, q);
    b = new DenseMatrix(n, q);
    AdmmWoodbury.coneValues(mask, p, xu, s);
    double[] sd = s.data();
    for (int k = 0; k < sd.length; k++) {
      sd[k] = Math.max(0.0, sd[k]);
    }
    work = new DenseMatrix(n, q);
    rhs = new DenseMatrix(d, q);
    mu = new DenseMatrix(n, q);
    workspace = new AdmmWoodbury.Workspace(n, d, p);
    zOld = z.data().clone();
  }

  void iterate() {
    buildRhs();
    solveU();
    updateZ();
    updateS();
  }

  /** rhs = F^T y + rho gamma (z - a) + rho G^T (s - b). */
  private void buildRhs() {
    AdmmWoodbury.rightHandSide(x, mask, p, fty, rho, gamma, z, a, s, b, work, rhs);
  }

  /** W = (I (x) E^{-1}) rhs;  u = (W - (I (x) E^{-1}) F^T T^{-1} F W) / rho, and X u. */
  private void solveU() {
    AdmmWoodbury.solve(x, mask, p, cholE, cholT, rho, rhs, u, xu, workspace);
  }

  /** z-step: group soft-threshold of (relaxed u) + a at beta / (rho gamma); a += u - z. */
  private void updateZ() {
    double thr = beta / (rho * gamma);
    double[] ud = u.data();
    double[] zd = z.data();
    double[] ad = a.data();
    SplitSums sums = new SplitSums();
    for (int j = 0; j < q; j++) {
      int off = j * d;
      double norm2 = 0.0;
      for (int i = off; i < off + d; i++) {
        double uh = ALPHA * ud[i] + (1.0 - ALPHA) * zOld[i];
        double v = uh + ad[i];
        zd[i] = v;
        norm2 += v * v;
      }
      double norm = Math.sqrt(norm2);
      double shrink = norm > thr ? 1.0 - thr / norm : 0.0;
      for (int i = off; i < off + d; i++) {
        double uh = ALPHA * ud[i] + (1.0 - ALPHA) * zOld[i];
        double nz = zd[i] * shrink;
        zd[i] = nz;
        sums.add(ud[i], nz, zOld[i]);
        ad[i] += uh - nz;
        zOld[i] = nz;
      }
    }
    rp2 = gamma * sums.primal;
    zn2 = gamma * sums.split;
    un2 = gamma * sums.operand;
    dz2 = sums.move;
  }

  /** s-step: projection onto s &gt;= 0 of relaxed G u + b; b += G u - s. */
  private void updateS() {
    double[] xud = xu.data();
    double[] sd = s.data();
    double[] bd = b.data();
    SplitSums sums = new SplitSums();
    for (int j = 0; j < q; j++) {
      int off = j * n;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        double gu = sign[moff + k] * xud[off + k];
        if (Math.abs(gu) < TINY) {
          gu = 0.0;
        }
        double sOld = sd[off + k];
        double gh = ALPHA * gu + (1.0 - ALPHA) * sOld;
        double v = gh + bd[off + k];
        // Inactive rows' duals decay geometrically; flush them before they become subnormal,
        // which costs ~100x per arithmetic operation on x86.
        if (Math.abs(v) < TINY) {
          v = 0.0;
        }
        double sv = Math.max(v, 0.0);
        sums.add(gu, sv, sOld);
        sd[off + k] = sv;
        bd[off + k] = v - sv;
      }
    }
    rp2 += sums.primal;
    zn2 += sums.split;
    un2 += sums.operand;
    ds2 = sums.move;
  }

  /**
   * The sums of squares one split step contributes to residual balancing: the primal residual
   * (operand - split variable), the split variable and the operand (its scale), and the move of
   * the split variable (the dual residual).
   */
  private static final class SplitSums {
    double primal;
    double split;
    double operand;
    double move;

    void add(double operandValue, double splitValue, double previous) {
      double dm = splitValue - previous;
      move += dm * dm;
      double r = operandValue - splitValue;
      primal += r * r;
      split += splitValue * splitValue;
      operand += operandValue * operandValue;
    }
  }

  /**
   * Residual balancing (Boyd et al. 2011, Sec. 3.4.1) on relative residuals, with the scaled
   * duals rescaled so the unscaled multipliers are unchanged.
   */
  void balanceRho() {
    double[] ad = a.data();
    double[] bd = b.data();
    double primal = Math.sqrt(rp2) / Math.max(Math.sqrt(Math.max(zn2, un2)), 1e-300);
    double dual = rho * Math.sqrt(gamma * dz2 + ds2) / Math.max(
        rho * Math.sqrt(gamma * norm2(ad) + norm2(bd)), 1e-300);
    double newRho = AdmmWoodbury.balancedRho(rho, primal, dual);
    if (newRho != rho) {
      Blas.scal(ad.length, rho / newRho, ad);
      Blas.scal(bd.length, rho / newRho, bd);
      rho = newRho;
      cholT = AdmmWoodbury.factorT(qmat, rho);
    }
  }

  /** Cone multipliers mu = max(0, -rho b). */
  void multipliers() {
    double[] mud = mu.data();
    double[] bd = b.data();
    for (int k = 0; k < mud.length; k++) {
      mud[k] = Math.max(0.0, -rho * bd[k]);
    }
  }

  private static double norm2(double[] v) {
    double s = 0.0;
    for (double x : v) {
      s += x * x;
    }
    return s;
  }
}
