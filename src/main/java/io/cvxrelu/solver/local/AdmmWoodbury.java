package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The linear algebra of the ADMM u-step for the cone-constrained ReLU program with the squared
 * loss (Pilanci and Ergen 2020, eq. (8)) split as in Bai, Gautam and Sojoudi (2022, Alg. 1),
 * shared by the single-node {@link AdmmReluSolver} and the per-block consensus ADMM of
 * {@code solver.distributed}: the solve of (F^T F + rho (I (x) E)) u = r, E = gamma I + X^T X,
 * F u = sum_i D_i X (u_i - u_{P+i}), through the Woodbury identity with the d x d factor of E and
 * the n x n factor of T = I + (2/rho) Q, Q = (X E^-1 X^T) .* (M M^T) (since
 * F (I (x) E^-1) F^T = 2 Q), and residual balancing of rho (Boyd et al. 2011, Sec. 3.4.1).
 */
public final class AdmmWoodbury {
  /** Relative residuals further apart than this factor change rho. */
  public static final double RHO_BALANCE = 5.0;

  private AdmmWoodbury() {}

  /** gamma = max(tr(X^T X) / d, 1e-12) and the Cholesky factor of E = gamma I + X^T X. */
  public record EFactor(double gamma, Cholesky cholesky) {}

  /** E's factor for the rows X (gamma scales the split u = z to the data). */
  public static EFactor factorE(DenseMatrix x) {
    int d = x.cols();
    DenseMatrix e = new DenseMatrix(d, d);
    Blas.gemm(true, false, 1.0, x, x, 0.0, e);
    double tr = 0.0;
    for (int i = 0; i < d; i++) {
      tr += e.get(i, i);
    }
    double gamma = Math.max(tr / Math.max(d, 1), 1e-12);
    for (int i = 0; i < d; i++) {
      e.set(i, i, e.get(i, i) + gamma);
    }
    return new EFactor(gamma, Cholesky.factorOverwriting(e));
  }

  /** The first half of F^T y, X^T (M .* y) (d x P; the second half is its negative). */
  public static double[] labelsAdjoint(DenseMatrix x, byte[] mask, int p, double[] y) {
    int n = x.rows();
    DenseMatrix my = new DenseMatrix(n, p);
    double[] md = my.data();
    for (int k = 0; k < mask.length; k++) {
      md[k] = mask[k] * y[k % n];
    }
    DenseMatrix out = new DenseMatrix(x.cols(), p);
    Blas.gemm(true, false, 1.0, x, my, 0.0, out);
    return out.data();
  }

  /** out = S .* XU, the cone values (G U)_j = S_j .* (X u_j), S_j = 2 m_j - 1 (out may be xu). */
  public static void coneValues(byte[] mask, int p, DenseMatrix xu, DenseMatrix out) {
    int n = xu.rows();
    double[] xd = xu.data();
    double[] od = out.data();
    for (int j = 0; j < 2 * p; j++) {
      int off = j * n;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        od[off + k] = (2 * mask[moff + k] - 1) * xd[off + k];
      }
    }
  }

  /** Q = (X E^-1 X^T) .* (M M^T) for the n x P 0/1 mask M (column-major bytes). */
  public static DenseMatrix patternKernel(DenseMatrix x, byte[] mask, int p, Cholesky cholE) {
    int n = x.rows();
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

  /** The Cholesky factor of T = I + (2/rho) Q ({@code q} is not modified). */
  public static Cholesky factorT(DenseMatrix q, double rho) {
    int n = q.rows();
    DenseMatrix t = new DenseMatrix(n, n);
    double f = 2.0 / rho;
    double[] td = t.data();
    double[] qd = q.data();
    for (int k = 0; k < td.length; k++) {
      td[k] = f * qd[k];
    }
    for (int i = 0; i < n; i++) {
      td[i + i * n] += 1.0;
    }
    return Cholesky.factorOverwriting(t);
  }

  /**
   * The u-step's right-hand side rhs = F^T y + rho gamma (z - a) + rho G^T (s - b), with
   * (G^T V)_j = X^T (S_j .* v_j), S_j = 2 m_j - 1.
   *
   * @param fty F^T y's first half, X^T (M .* y) (d x P; the second half is its negative)
   * @param work n x 2P scratch
   * @param rhs the result (d x 2P)
   */
  public static void rightHandSide(DenseMatrix x, byte[] mask, int p, double[] fty,
      double rho, double gamma, DenseMatrix z, DenseMatrix a, DenseMatrix s, DenseMatrix b,
      DenseMatrix work, DenseMatrix rhs) {
    int n = x.rows();
    int d = x.cols();
    double[] wd = work.data();
    double[] sd = s.data();
    double[] bd = b.data();
    for (int j = 0; j < 2 * p; j++) {
      int off = j * n;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        wd[off + k] = (2 * mask[moff + k] - 1) * rho * (sd[off + k] - bd[off + k]);
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

  /** Scratch matrices of one {@link #solve} (reused across iterations). */
  public static final class Workspace {
    final DenseMatrix xw;
    final DenseMatrix tvec;
    final DenseMatrix mt;
    final DenseMatrix c;
    final DenseMatrix xc;

    /** For n rows, d features and P patterns. */
    public Workspace(int n, int d, int p) {
      xw = new DenseMatrix(n, 2 * p);
      tvec = new DenseMatrix(n, 1);
      mt = new DenseMatrix(n, p);
      c = new DenseMatrix(d, p);
      xc = new DenseMatrix(n, p);
    }
  }

  /**
   * u = (W - (I (x) E^-1) F^T T^-1 F W) / rho with W = (I (x) E^-1) r, and X u.
   *
   * @param rhs r (d x 2P), overwritten by W
   * @param u the solution (d x 2P)
   * @param xu X u (n x 2P)
   */
  public static void solve(DenseMatrix x, byte[] mask, int p, Cholesky cholE, Cholesky cholT,
      double rho, DenseMatrix rhs, DenseMatrix u, DenseMatrix xu, Workspace w) {
    int n = x.rows();
    int d = x.cols();
    cholE.solveInPlace(rhs);
    Blas.gemm(false, false, 1.0, x, rhs, 0.0, w.xw);
    double[] td = w.tvec.data();
    java.util.Arrays.fill(td, 0.0);
    double[] xwd = w.xw.data();
    for (int j = 0; j < p; j++) {
      int off = j * n;
      int offW = (j + p) * n;
      for (int k = 0; k < n; k++) {
        td[k] += mask[off + k] * (xwd[off + k] - xwd[offW + k]);
      }
    }
    cholT.solveInPlace(w.tvec);
    double inv = 1.0 / rho;
    double[] mtd = w.mt.data();
    for (int j = 0; j < p; j++) {
      int off = j * n;
      for (int k = 0; k < n; k++) {
        mtd[off + k] = mask[off + k] * td[k] * inv;
      }
    }
    Blas.gemm(true, false, 1.0, x, w.mt, 0.0, w.c);
    cholE.solveInPlace(w.c);
    Blas.gemm(false, false, 1.0, x, w.c, 0.0, w.xc);
    double[] ud = u.data();
    double[] wdd = rhs.data();
    double[] cd = w.c.data();
    for (int j = 0; j < p; j++) {
      int o = j * d;
      int ow = (j + p) * d;
      for (int i = 0; i < d; i++) {
        ud[o + i] = inv * (wdd[o + i] - cd[o + i]);
        ud[ow + i] = inv * (wdd[ow + i] + cd[o + i]);
      }
    }
    double[] xud = xu.data();
    double[] xcd = w.xc.data();
    for (int j = 0; j < p; j++) {
      int off = j * n;
      int offW = (j + p) * n;
      for (int k = 0; k < n; k++) {
        xud[off + k] = inv * (xwd[off + k] - xcd[off + k]);
        xud[offW + k] = inv * (xwd[offW + k] + xcd[off + k]);
      }
    }
  }

  /**
   * Residual balancing on relative residuals: rho times sqrt(primal / dual) (clamped to
   * [0.01, 100] per change and [1e-8, 1e8] overall) when they differ by more than
   * {@link #RHO_BALANCE}, else rho.
   */
  public static double balancedRho(double rho, double relativePrimal, double relativeDual) {
    double ratio = relativePrimal / Math.max(relativeDual, 1e-300);
    if (ratio > RHO_BALANCE || ratio < 1.0 / RHO_BALANCE) {
      double factor = Math.min(100.0, Math.max(0.01, Math.sqrt(ratio)));
      return Math.min(1e8, Math.max(1e-8, rho * factor));
    }
    return rho;
  }
}
