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
  private static final double RHO_BALANCE = 5.0;

  final ConvexReluProblem problem;
  final int n;
  final int d;
  final int p;
  final int q;
  final DenseMatrix x;
  final byte[] mask;
  final double[] maskValues;
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
  final DenseMatrix xw;
  final DenseMatrix tvec;
  final DenseMatrix mt;
  final DenseMatrix c;
  final DenseMatrix xc;
  final DenseMatrix mu;
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
    maskValues = problem.maskValues();
    sign = problem.coneSigns();
    beta = problem.beta();
    DenseMatrix gram = new DenseMatrix(d, d);
    Blas.gemm(true, false, 1.0, x, x, 0.0, gram);
    double tr = 0.0;
    for (int i = 0; i < d; i++) {
      tr += gram.get(i, i);
    }
    gamma = Math.max(tr / Math.max(d, 1), 1e-12);
    DenseMatrix e = gram.copy();
    for (int i = 0; i < d; i++) {
      e.set(i, i, e.get(i, i) + gamma);
    }
    cholE = Cholesky.factor(e);
    qmat = patternKernel();
    rho = 1.0;
    cholT = factorT(qmat, rho);
    fty = labelsAdjoint();
    u = warmStart != null ? warmStart.copy() : new DenseMatrix(d, q);
    z = u.copy();
    a = new DenseMatrix(d, q);
    xu = problem.forward(u);
    s = new DenseMatrix(n, q);
    b = new DenseMatrix(n, q);
    coneValues(sign, n, p, xu, s);
    double[] sd = s.data();
    for (int k = 0; k < sd.length; k++) {
      sd[k] = Math.max(0.0, sd[k]);
    }
    work = new DenseMatrix(n, q);
    rhs = new DenseMatrix(d, q);
    xw = new DenseMatrix(n, q);
    tvec = new DenseMatrix(n, 1);
    mt = new DenseMatrix(n, p);
    c = new DenseMatrix(d, p);
    xc = new DenseMatrix(n, p);
    mu = new DenseMatrix(n, q);
    zOld = z.data().clone();
  }

  /** Q = (X E^{-1} X^T) .* (M M^T), the n x n kernel in T = I + (2/rho) Q. */
  private DenseMatrix patternKernel() {
    DenseMatrix eInvXt = x.transpose();
    cholE.solveInPlace(eInvXt);
    DenseMatrix kernel = new DenseMatrix(n, n);
    Blas.gemm(false, false, 1.0, x, eInvXt, 0.0, kernel);
    DenseMatrix maskMatrix = new DenseMatrix(n, p);
    for (int k = 0; k < mask.length; k++) {
      maskMatrix.data()[k] = mask[k];
    }
    DenseMatrix mmt = new DenseMatrix(n, n);
    Blas.gemm(false, true, 1.0, maskMatrix, maskMatrix, 0.0, mmt);
    double[] qd = kernel.data();
    double[] md = mmt.data();
    for (int k = 0; k < qd.length; k++) {
      qd[k] *= md[k];
    }
    return kernel;
  }

  /** F^T y, the constant part of the u-step's right-hand side. */
  private double[] labelsAdjoint() {
    double[] y = problem.y();
    DenseMatrix my = new DenseMatrix(n, p);
    for (int k = 0; k < mask.length; k++) {
      my.data()[k] = mask[k] != 0 ? y[k % n] : 0.0;
    }
    return problem.adjoint(my).data();
  }

  void iterate() {
    buildRhs();
    solveU();
    updateZ();
    updateS();
  }

  /** rhs = F^T y + rho gamma (z - a) + rho G^T (s - b). */
  private void buildRhs() {
    double[] wd = work.data();
    double[] sd = s.data();
    double[] bd = b.data();
    for (int j = 0; j < q; j++) {
      int off = j * n;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        wd[off + k] = sign[moff + k] * rho * (sd[off + k] - bd[off + k]);
      }
    }
    Blas.gemm(true, false, 1.0, x, work, 0.0, rhs);
    double[] rd = rhs.data();
    double[] zd = z.data();
    double[] ad = a.data();
    double rg = rho * gamma;
    for (int j = 0; j < p; j++) {
      int o = j * d;
      int ow = (j + p) * d;
      for (int i = 0; i < d; i++) {
        double f = fty[o + i];
        rd[o + i] += f + rg * (zd[o + i] - ad[o + i]);
        rd[ow + i] += -f + rg * (zd[ow + i] - ad[ow + i]);
      }
    }
  }

  /** W = (I (x) E^{-1}) rhs;  u = (W - (I (x) E^{-1}) F^T T^{-1} F W) / rho, and X u. */
  private void solveU() {
    cholE.solveInPlace(rhs);
    Blas.gemm(false, false, 1.0, x, rhs, 0.0, xw);
    double[] td = tvec.data();
    java.util.Arrays.fill(td, 0.0);
    double[] xwd = xw.data();
    for (int j = 0; j < p; j++) {
      int off = j * n;
      int offW = (j + p) * n;
      for (int k = 0; k < n; k++) {
        td[k] += maskValues[off + k] * (xwd[off + k] - xwd[offW + k]);
      }
    }
    cholT.solveInPlace(tvec);
    double inv = 1.0 / rho;
    double[] mtd = mt.data();
    for (int j = 0; j < p; j++) {
      int off = j * n;
      for (int k = 0; k < n; k++) {
        mtd[off + k] = maskValues[off + k] * td[k] * inv;
      }
    }
    Blas.gemm(true, false, 1.0, x, mt, 0.0, c);
    cholE.solveInPlace(c);
    Blas.gemm(false, false, 1.0, x, c, 0.0, xc);
    double[] ud = u.data();
    double[] wdd = rhs.data();
    double[] cd = c.data();
    for (int j = 0; j < p; j++) {
      int o = j * d;
      int ow = (j + p) * d;
      for (int i = 0; i < d; i++) {
        ud[o + i] = inv * (wdd[o + i] - cd[o + i]);
        ud[ow + i] = inv * (wdd[ow + i] + cd[o + i]);
      }
    }
    double[] xud = xu.data();
    double[] xcd = xc.data();
    for (int j = 0; j < p; j++) {
      int off = j * n;
      int offW = (j + p) * n;
      for (int k = 0; k < n; k++) {
        xud[off + k] = inv * (xwd[off + k] - xcd[off + k]);
        xud[offW + k] = inv * (xwd[offW + k] + xcd[off + k]);
      }
    }
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
    double ratio = primal / Math.max(dual, 1e-300);
    if (ratio > RHO_BALANCE || ratio < 1.0 / RHO_BALANCE) {
      double factor = Math.min(100.0, Math.max(0.01, Math.sqrt(ratio)));
      double newRho = Math.min(1e8, Math.max(1e-8, rho * factor));
      if (newRho != rho) {
        Blas.scal(ad.length, rho / newRho, ad);
        Blas.scal(bd.length, rho / newRho, bd);
        rho = newRho;
        cholT = factorT(qmat, rho);
      }
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

  private static Cholesky factorT(DenseMatrix qmat, double rho) {
    int n = qmat.rows();
    DenseMatrix t = new DenseMatrix(n, n);
    double f = 2.0 / rho;
    double[] td = t.data();
    double[] qd = qmat.data();
    for (int k = 0; k < td.length; k++) {
      td[k] = f * qd[k];
    }
    for (int i = 0; i < n; i++) {
      td[i + i * n] += 1.0;
    }
    return Cholesky.factorOverwriting(t);
  }

  /** out = S .* XU (the cone values K_j u_j). */
  private static void coneValues(double[] sign, int n, int p, DenseMatrix xu, DenseMatrix out) {
    double[] xd = xu.data();
    double[] od = out.data();
    for (int j = 0; j < 2 * p; j++) {
      int off = j * n;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        od[off + k] = sign[moff + k] * xd[off + k];
      }
    }
  }
}
