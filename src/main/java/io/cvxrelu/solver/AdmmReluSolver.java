package io.cvxrelu.solver;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
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
  private static final int RHO_UPDATE_EVERY = 25;
  private static final double RHO_BALANCE = 5.0;
  private final int certificateEvery;

  public AdmmReluSolver() {
    this(10);
  }

  public AdmmReluSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
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
    int n = problem.n();
    int d = problem.d();
    int p = problem.patternCount();
    int q = 2 * p;
    DenseMatrix x = problem.x();
    byte[] mask = problem.patterns().mask();
    double[] y = problem.y();
    double feasScale = 1.0;
    for (double v : y) {
      feasScale = Math.max(feasScale, Math.abs(v));
    }
    double feasTol = options.feasibilityTolerance() * feasScale;

    DenseMatrix gram = new DenseMatrix(d, d);
    Blas.gemm(true, false, 1.0, x, x, 0.0, gram);
    double gamma = Double.parseDouble(System.getProperty("admm.gamma", "0"));
    if (gamma <= 0) {
      double tr = 0.0;
      for (int i = 0; i < d; i++) {
        tr += gram.get(i, i);
      }
      gamma = Math.max(tr / Math.max(d, 1), 1e-12);
    }
    DenseMatrix e = gram.copy();
    for (int i = 0; i < d; i++) {
      e.set(i, i, e.get(i, i) + gamma);
    }
    Cholesky cholE = Cholesky.factor(e);
    // Q = X E^{-1} X^T and M M^T: the two n x n ingredients of T.
    DenseMatrix eInvXt = x.transpose();
    cholE.solveInPlace(eInvXt);
    DenseMatrix qmat = new DenseMatrix(n, n);
    Blas.gemm(false, false, 1.0, x, eInvXt, 0.0, qmat);
    DenseMatrix maskMatrix = new DenseMatrix(n, p);
    for (int k = 0; k < mask.length; k++) {
      maskMatrix.data()[k] = mask[k];
    }
    DenseMatrix mmt = new DenseMatrix(n, n);
    Blas.gemm(false, true, 1.0, maskMatrix, maskMatrix, 0.0, mmt);
    for (int k = 0; k < qmat.data().length; k++) {
      qmat.data()[k] *= mmt.data()[k];
    }
    mmt = null;

    double rho = Double.parseDouble(System.getProperty("admm.rho", "1"));
    Cholesky cholT = factorT(qmat, rho);

    // F^T y, constant: [X^T (M .* y), -X^T (M .* y)].
    DenseMatrix my = new DenseMatrix(n, p);
    for (int k = 0; k < mask.length; k++) {
      my.data()[k] = mask[k] != 0 ? y[k % n] : 0.0;
    }
    DenseMatrix fty = problem.adjoint(my);

    DenseMatrix u = warmStart != null ? warmStart.copy() : new DenseMatrix(d, q);
    DenseMatrix z = u.copy();
    DenseMatrix a = new DenseMatrix(d, q);
    DenseMatrix xu = problem.forward(u);
    DenseMatrix s = new DenseMatrix(n, q);
    DenseMatrix b = new DenseMatrix(n, q);
    coneValues(mask, n, p, xu, s);
    for (int k = 0; k < s.data().length; k++) {
      s.data()[k] = Math.max(0.0, s.data()[k]);
    }
    DenseMatrix work = new DenseMatrix(n, q);
    DenseMatrix mt = new DenseMatrix(n, p);
    DenseMatrix mu = new DenseMatrix(n, q);
    double[] zOld = z.data().clone();

    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = null;
    StopReason reason = null;
    long it = 0;
    while (reason == null) {
      it++;
      // rhs = F^T y + rho gamma (z - a) + rho G^T (s - b)
      double[] wd = work.data();
      for (int j = 0; j < q; j++) {
        int off = j * n;
        int moff = (j % p) * n;
        for (int k = 0; k < n; k++) {
          double v = rho * (s.data()[off + k] - b.data()[off + k]);
          wd[off + k] = mask[moff + k] != 0 ? v : -v;
        }
      }
      DenseMatrix rhs = problem.adjoint(work);
      double[] rd = rhs.data();
      for (int j = 0; j < p; j++) {
        for (int i = 0; i < d; i++) {
          double f = fty.data()[j * d + i];
          rd[j * d + i] += f;
          rd[(j + p) * d + i] -= f;
        }
      }
      for (int k = 0; k < rd.length; k++) {
        rd[k] += rho * gamma * (z.data()[k] - a.data()[k]);
      }
      // W = (I (x) E^{-1}) rhs;  u = (W - (I (x) E^{-1}) F^T T^{-1} F W) / rho
      cholE.solveInPlace(rhs);
      DenseMatrix xw = problem.forward(rhs);
      double[] fw = problem.predict(xw);
      DenseMatrix t = new DenseMatrix(n, 1, fw);
      cholT.solveInPlace(t);
      double[] td = t.data();
      for (int k = 0; k < mask.length; k++) {
        mt.data()[k] = mask[k] != 0 ? td[k % n] / rho : 0.0;
      }
      DenseMatrix c = problem.adjoint(mt);
      cholE.solveInPlace(c);
      DenseMatrix xc = new DenseMatrix(n, p);
      Blas.gemm(false, false, 1.0, x, c, 0.0, xc);
      double inv = 1.0 / rho;
      double[] ud = u.data();
      double[] wdd = rhs.data();
      double[] cd = c.data();
      for (int j = 0; j < p; j++) {
        for (int i = 0; i < d; i++) {
          ud[j * d + i] = inv * (wdd[j * d + i] - cd[j * d + i]);
          ud[(j + p) * d + i] = inv * (wdd[(j + p) * d + i] + cd[j * d + i]);
        }
      }
      double[] xud = xu.data();
      double[] xwd = xw.data();
      double[] xcd = xc.data();
      for (int j = 0; j < p; j++) {
        int off = j * n;
        int offW = (j + p) * n;
        for (int k = 0; k < n; k++) {
          xud[off + k] = inv * (xwd[off + k] - xcd[off + k]);
          xud[offW + k] = inv * (xwd[offW + k] + xcd[off + k]);
        }
      }
      double dz2 = 0.0;
      double ds2 = 0.0;
      double rp2 = 0.0;
      double zn2 = 0.0;
      double un2 = 0.0;
      // z-step: group soft-threshold of u + a at beta / (rho gamma); a += u - z.
      double thr = problem.beta() / (rho * gamma);
      double[] zd = z.data();
      double[] ad = a.data();
      for (int j = 0; j < q; j++) {
        int off = j * d;
        double norm2 = 0.0;
        for (int i = off; i < off + d; i++) {
          double v = ud[i] + ad[i];
          zd[i] = v;
          norm2 += v * v;
        }
        double norm = Math.sqrt(norm2);
        double shrink = norm > thr ? 1.0 - thr / norm : 0.0;
        for (int i = off; i < off + d; i++) {
          double nz = zd[i] * shrink;
          zd[i] = nz;
          double dz = nz - zOld[i];
          dz2 += dz * dz;
          zOld[i] = nz;
          double r = ud[i] - nz;
          rp2 += gamma * r * r;
          zn2 += gamma * nz * nz;
          un2 += gamma * ud[i] * ud[i];
          ad[i] += r;
        }
      }
      // s-step: projection onto s >= 0; b += G u - s.
      double[] sd = s.data();
      double[] bd = b.data();
      for (int j = 0; j < q; j++) {
        int off = j * n;
        int moff = (j % p) * n;
        for (int k = 0; k < n; k++) {
          double gu = mask[moff + k] != 0 ? xud[off + k] : -xud[off + k];
          double v = gu + bd[off + k];
          double sv = v > 0.0 ? v : 0.0;
          double ds = sv - sd[off + k];
          ds2 += ds * ds;
          sd[off + k] = sv;
          double r = gu - sv;
          rp2 += r * r;
          zn2 += sv * sv;
          un2 += gu * gu;
          bd[off + k] = v - sv;
        }
      }
      if (it % RHO_UPDATE_EVERY == 0) {
        // Residual balancing (Boyd et al. 2011, Sec. 3.4.1) on relative residuals, with the
        // scaled duals rescaled so the unscaled multipliers are unchanged.
        double primal = Math.sqrt(rp2) / Math.max(Math.sqrt(Math.max(zn2, un2)), 1e-300);
        double dual = Math.sqrt(gamma * dz2 + ds2) / Math.max(
            Math.sqrt(gamma * norm2(ad) + norm2(bd)), 1e-300);
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
      double seconds = (System.nanoTime() - start) * 1e-9;
      boolean budgetOut = it >= options.maxIterations() || seconds >= options.maxSeconds();
      if (it % certificateEvery == 0 || budgetOut) {
        double[] mud = mu.data();
        for (int k = 0; k < mud.length; k++) {
          mud[k] = Math.max(0.0, -rho * bd[k]);
        }
        DenseMatrix xz = problem.forward(z);
        cert = Certificate.compute(problem, z, xz, mu);
        IterationRecord rec = new IterationRecord((int) it, it, cert.objective(),
            cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
        history.add(rec);
        if (Boolean.getBoolean("cvxrelu.debug") && it % 100 == 0) System.out.println(rec + " rho=" + rho);
        if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
          reason = StopReason.NUMERICAL_FAILURE;
        } else if (cert.relativeGap() <= options.tolerance()
            && cert.constraintViolation() <= feasTol) {
          reason = StopReason.CONVERGED;
        } else if (!listener.onIteration(rec)) {
          reason = StopReason.STOPPED_BY_LISTENER;
        } else if (budgetOut) {
          reason = it >= options.maxIterations() ? StopReason.MAX_ITERATIONS
              : StopReason.TIME_LIMIT;
        }
      }
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(z.copy(), cert, reason, List.copyOf(history), it, seconds,
        mu.copy());
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
    return Cholesky.factor(t);
  }

  /** out = S .* XU (the cone values K_j u_j). */
  private static void coneValues(byte[] mask, int n, int p, DenseMatrix xu, DenseMatrix out) {
    double[] xd = xu.data();
    double[] od = out.data();
    for (int j = 0; j < 2 * p; j++) {
      int off = j * n;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        od[off + k] = mask[moff + k] != 0 ? xd[off + k] : -xd[off + k];
      }
    }
  }
}
