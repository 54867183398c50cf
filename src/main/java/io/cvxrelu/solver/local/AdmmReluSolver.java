package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.polish.ActiveSetPolish;
import java.util.ArrayList;
import java.util.List;

/**
 * ADMM for the cone-constrained ReLU program with squared loss (Pilanci and Ergen 2020,
 * eq. (8)), splitting as in Bai, Gautam and Sojoudi (2022, Alg. 1):
 * <pre>
 *   min 1/2 ||F u - y||^2 + beta sum_j ||z_j|| + I(s &gt;= 0)
 *   s.t. u = z,  G u = s,     (G u)_j = S_j .* (X u_j),  S_j = 2 D_j - 1,
 * </pre>
 * F u = sum_i D_i X (v_i - w_i). The u-step solves (F^T F + rho (I (x) E)) u = r with
 * E = gamma I + X^T X, since K_j^T K_j = X^T X for every block. By Woodbury it needs only the
 * d x d factor of E and the n x n factor of T = I + (2/rho) (X E^{-1} X^T) .* (M M^T), both
 * computed once per rho; each iteration is four GEMMs and two triangular solves. The group
 * soft-threshold gives z, the projection onto s &gt;= 0 gives the slacks, and the scaled dual of
 * G u = s gives the cone multipliers mu = -rho b for the {@link Certificate}.
 *
 * <p>Needs O(n^2) memory for T, so it is meant for n up to a few 10^4; beyond that, or for other
 * losses, use {@link AugmentedLagrangianSolver}.
 */
public final class AdmmReluSolver implements ConvexSolver {
  private static final double TINY = 1e-250;
  private static final int RHO_UPDATE_EVERY = 25;
  private static final double RHO_BALANCE = 5.0;
  private static final double ALPHA = 1.6;
  private static final double POLISH_GAP = 1e-2;
  private static final long POLISH_INTERVAL = 200;
  private final int certificateEvery;

  public AdmmReluSolver() {
    this(10);
  }

  public AdmmReluSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  /**
   * max(1, max |y|), the scale of the labels that {@link SolverOptions#feasibilityTolerance} is
   * relative to.
   */
  static double feasibilityScale(ConvexReluProblem problem) {
    double feasScale = 1.0;
    for (double v : problem.y()) {
      feasScale = Math.max(feasScale, Math.abs(v));
    }
    return feasScale;
  }

  /** The cone-constraint violation allowed at convergence, in the units of the data. */
  static double feasibilityTolerance(ConvexReluProblem problem, SolverOptions options) {
    return options.feasibilityTolerance() * feasibilityScale(problem);
  }

  /** True when this solver applies: ReLU formulation, squared loss. */
  public static boolean supports(ConvexReluProblem problem) {
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("ADMM solves the ReLU formulation with squared loss");
    }
    long start = System.nanoTime();
    double feasScale = feasibilityScale(problem);
    double feasTol = options.feasibilityTolerance() * feasScale;
    State st = new State(problem, warmStart);
    ActiveSetPolish polisher = new ActiveSetPolish(problem);
    boolean polishAffordable = ActiveSetPolish.affordable(problem);

    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = null;
    DenseMatrix bestWeights = null;
    DenseMatrix bestMu = null;
    StopReason reason = null;
    long it = 0;
    long nextPolish = 0;
    long polishInterval = POLISH_INTERVAL;
    while (reason == null) {
      it++;
      st.iterate();
      if (it % RHO_UPDATE_EVERY == 0) {
        st.balanceRho();
      }
      double seconds = (System.nanoTime() - start) * 1e-9;
      boolean budgetOut = it >= options.maxIterations() || seconds >= options.maxSeconds();
      if (it % certificateEvery == 0 || budgetOut) {
        st.multipliers();
        DenseMatrix xz = problem.forward(st.z);
        cert = Certificate.compute(problem, st.z, xz, st.mu);
        bestWeights = st.z;
        bestMu = st.mu;
        // The polish runs inside the budget only, and only where it is cheap.
        if (polishAffordable && !budgetOut && Math.abs(cert.relativeGap()) <= POLISH_GAP
            && cert.constraintViolation() <= POLISH_GAP * feasScale
            && it >= nextPolish && !(cert.relativeGap() <= options.tolerance()
                && cert.constraintViolation() <= feasTol)) {
          nextPolish = it + polishInterval;
          polishInterval *= 2;
          if (polisher.run(st.z, xz, st.mu)) {
            Certificate pc = Certificate.compute(problem, polisher.weights(), polisher.product(),
                polisher.multipliers());
            boolean pcOk = pc.relativeGap() <= options.tolerance()
                && pc.constraintViolation() <= feasTol;
            if (pcOk || (Double.isFinite(pc.relativeGap())
                && pc.relativeGap() < cert.relativeGap()
                && pc.constraintViolation() <= Math.max(feasTol, cert.constraintViolation()))) {
              cert = pc;
              bestWeights = polisher.weights();
              bestMu = polisher.multipliers();
            }
          }
        }
        seconds = (System.nanoTime() - start) * 1e-9;
        IterationRecord rec = new IterationRecord((int) it, it, cert.objective(),
            cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
        history.add(rec);
        if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
          reason = StopReason.NUMERICAL_FAILURE;
        } else if (cert.relativeGap() <= options.tolerance()
            && cert.constraintViolation() <= feasTol) {
          reason = StopReason.CONVERGED;
        } else if (!listener.onIteration(rec, bestWeights)) {
          reason = StopReason.STOPPED_BY_LISTENER;
        } else if (budgetOut) {
          reason = it >= options.maxIterations() ? StopReason.MAX_ITERATIONS
              : StopReason.TIME_LIMIT;
        }
      }
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(bestWeights.copy(), cert, reason, List.copyOf(history), it, seconds,
        bestMu.copy());
  }

  /** ADMM iterates and preallocated work space. */
  private static final class State {
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

    State(ConvexReluProblem problem, DenseMatrix warmStart) {
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
      double[] y = problem.y();
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
      // Q = X E^{-1} X^T and M M^T: the two n x n ingredients of T.
      DenseMatrix eInvXt = x.transpose();
      cholE.solveInPlace(eInvXt);
      qmat = new DenseMatrix(n, n);
      Blas.gemm(false, false, 1.0, x, eInvXt, 0.0, qmat);
      DenseMatrix maskMatrix = new DenseMatrix(n, p);
      for (int k = 0; k < mask.length; k++) {
        maskMatrix.data()[k] = mask[k];
      }
      DenseMatrix mmt = new DenseMatrix(n, n);
      Blas.gemm(false, true, 1.0, maskMatrix, maskMatrix, 0.0, mmt);
      double[] qd = qmat.data();
      double[] md = mmt.data();
      for (int k = 0; k < qd.length; k++) {
        qd[k] *= md[k];
      }
      rho = 1.0;
      cholT = factorT(qmat, rho);
      DenseMatrix my = new DenseMatrix(n, p);
      for (int k = 0; k < mask.length; k++) {
        my.data()[k] = mask[k] != 0 ? y[k % n] : 0.0;
      }
      fty = problem.adjoint(my).data();
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
      double lrp = 0.0;
      double lzn = 0.0;
      double lun = 0.0;
      double ldz = 0.0;
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
          double dz = nz - zOld[i];
          ldz += dz * dz;
          double r = ud[i] - nz;
          lrp += r * r;
          lzn += nz * nz;
          lun += ud[i] * ud[i];
          ad[i] += uh - nz;
          zOld[i] = nz;
        }
      }
      rp2 = gamma * lrp;
      zn2 = gamma * lzn;
      un2 = gamma * lun;
      dz2 = ldz;
    }

    /** s-step: projection onto s &gt;= 0 of relaxed G u + b; b += G u - s. */
    private void updateS() {
      double[] xud = xu.data();
      double[] sd = s.data();
      double[] bd = b.data();
      double lrp = 0.0;
      double lzn = 0.0;
      double lun = 0.0;
      double lds = 0.0;
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
          double ds = sv - sOld;
          lds += ds * ds;
          sd[off + k] = sv;
          double r = gu - sv;
          lrp += r * r;
          lzn += sv * sv;
          lun += gu * gu;
          bd[off + k] = v - sv;
        }
      }
      rp2 += lrp;
      zn2 += lzn;
      un2 += lun;
      ds2 = lds;
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
