package io.cvxrelu.solver.local.polish;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Nnls;

/**
 * The cone multipliers of a polished point: per block j, mu_j &gt;= 0 on the allowed rows (the
 * tight rows T_j of an active block, all rows of a zero block) minimising
 * ||X^T D_j lambda + K_j^T mu_j - t_j||, with lambda the residual and t_j = beta u_j / ||u_j||
 * (0 for a zero block), the stationarity condition of the program at u. The given multipliers
 * are tried first; when they do not meet the target, Lawson-Hanson non-negative least squares
 * (Lawson and Hanson 1974, ch. 23) runs from zero on the rows of K_j.
 */
final class ConeMultipliers {
  private final ConeRows rows;
  private final int n;
  private final int d;
  /** The stationarity residual norm per block after the last {@link #fit}. */
  double[] residual;

  ConeMultipliers(ConeRows rows) {
    this.rows = rows;
    this.n = rows.n;
    this.d = rows.d;
  }

  /** Multipliers (n x 2P) for the point u with products xu; mu0 (may be null) warm-starts. */
  DenseMatrix fit(DenseMatrix u, DenseMatrix xu, boolean[] active, boolean[][] tight,
      DenseMatrix mu0) {
    double[] y = rows.problem.y();
    double[] pred = rows.problem.predict(xu);
    double[] lambda = new double[n];
    for (int k = 0; k < n; k++) {
      lambda[k] = y[k] - pred[k];
    }
    DenseMatrix r = new DenseMatrix(n, rows.q);
    rows.problem.maskedResidual(lambda, r);
    double[] hd = rows.problem.adjoint(r).data();
    DenseMatrix mu = new DenseMatrix(n, rows.q);
    double[] mu0d = mu0 != null ? mu0.data() : null;
    double[] res = new double[d];
    residual = new double[rows.q];
    for (int j = 0; j < rows.q; j++) {
      residual[j] = fitBlock(j, u.data(), hd, active[j] ? tight[j] : null, mu0d, mu.data(),
          res);
    }
    return mu;
  }

  /**
   * The multipliers of block j (active when {@code tightJ} is not null) into mud; returns the
   * residual norm. res is work space of d entries.
   */
  private double fitBlock(int j, double[] ud, double[] hd, boolean[] tightJ, double[] mu0d,
      double[] mud, double[] res) {
    boolean act = tightJ != null;
    double beta = rows.problem.beta();
    double un = act ? Blas.nrm2(d, ud, j * d) : 0.0;
    stationarityTarget(j, act, un, ud, hd, res);
    // Warm start and residual res = h - t + K^T mu.
    for (int k = 0; k < n; k++) {
      boolean allowed = !act || tightJ[k];
      double m0 = allowed && mu0d != null ? Math.max(0.0, mu0d[j * n + k]) : 0.0;
      if (m0 > 0.0) {
        mud[j * n + k] = m0;
        double s = rows.coneValue(j, k, m0);
        for (int i = 0; i < d; i++) {
          res[i] += s * rows.xd[k + i * n];
        }
      }
    }
    double target = act ? 1e-13 * beta : 0.99 * beta;
    if (Math.sqrt(dotSelf(res)) > target) {
      // Lawson-Hanson from zero: min ||f - E m||, E = K_j^T on the allowed rows, f = t - h.
      for (int k = 0; k < n; k++) {
        mud[j * n + k] = 0.0;
      }
      stationarityTarget(j, act, un, ud, hd, res);
      new BlockNnls(j, tightJ, res).run(res, mud, target);
    }
    return Math.sqrt(dotSelf(res));
  }

  /** res = h_j - t_j, the residual of stationarity with mu_j = 0. */
  private void stationarityTarget(int j, boolean act, double un, double[] ud, double[] hd,
      double[] res) {
    double beta = rows.problem.beta();
    for (int i = 0; i < d; i++) {
      res[i] = hd[j * d + i] - (act ? beta * ud[j * d + i] / un : 0.0);
    }
  }

  /**
   * Lawson-Hanson NNLS for one block: minimises ||res0 + K^T m|| over m &gt;= 0 supported on the
   * allowed rows (all when {@code allowed} is null). The passive set holds at most d rows.
   */
  private final class BlockNnls {
    private final int j;
    private final boolean[] allowed;
    private final double[] res0;
    private final int[] pass = new int[d + 1];
    private final boolean[] inP = new boolean[n];
    private final double[] m = new double[d + 1];
    private int np;

    BlockNnls(int j, boolean[] allowed, double[] res) {
      this.j = j;
      this.allowed = allowed;
      this.res0 = res.clone();
    }

    /**
     * Writes m into mud (block j) and the final residual into res; stops early once the
     * residual norm is at most target.
     */
    void run(double[] res, double[] mud, double target) {
      double scale = Math.sqrt(dotSelf(res0));
      for (int outer = 0; outer < 10 * d + 20; outer++) {
        if (Math.sqrt(dotSelf(res)) <= target || np >= d) {
          break;
        }
        // The row whose multiplier most decreases the residual, per unit of its norm.
        int best = Nnls.entering(n, 1e-13 * scale,
            k -> inP[k] || (allowed != null && !allowed[k]) ? Double.NaN : descent(k, res));
        if (best < 0) {
          break;
        }
        pass[np] = best;
        m[np] = 0.0;
        np++;
        inP[best] = true;
        solvePassive();
        // res = res0 + K_P^T m
        System.arraycopy(res0, 0, res, 0, d);
        for (int t = 0; t < np; t++) {
          int k = pass[t];
          double sv = rows.coneValue(j, k, m[t]);
          for (int i = 0; i < d; i++) {
            res[i] += sv * rows.xd[k + i * n];
          }
        }
      }
      for (int t = 0; t < np; t++) {
        mud[j * n + pass[t]] = Math.max(0.0, m[t]);
      }
    }

    /** -(K res)_k / ||x_k||. */
    private double descent(int k, double[] res) {
      double g = 0.0;
      for (int i = 0; i < d; i++) {
        g += rows.xd[k + i * n] * res[i];
      }
      return -rows.coneValue(j, k, g) / Math.sqrt(Math.max(rows.rowNorm2[k], 1e-300));
    }

    /**
     * The inner loop: least squares on the passive set, stepping back to the first multiplier
     * that reaches zero and dropping it, until the solution is positive.
     */
    private void solvePassive() {
      for (int inner = 0; inner < 3 * d + 3; inner++) {
        double[] z = leastSquares();
        if (z == null) {
          np--;
          inP[pass[np]] = false;
          break;
        }
        double alpha = 1.0;
        for (int t = 0; t < np; t++) {
          if (z[t] <= 0.0) {
            alpha = Math.min(alpha, m[t] / (m[t] - z[t]));
          }
        }
        for (int t = 0; t < np; t++) {
          m[t] += alpha * (z[t] - m[t]);
        }
        if (alpha >= 1.0) {
          break;
        }
        int w = 0;
        for (int t = 0; t < np; t++) {
          if (m[t] > 1e-15 * Math.max(1.0, Math.abs(z[t]))) {
            pass[w] = pass[t];
            m[w] = m[t];
            w++;
          } else {
            inP[pass[t]] = false;
          }
        }
        np = w;
      }
    }

    /** Least squares min ||res0 + K_P^T z|| over the passive rows (normal equations). */
    private double[] leastSquares() {
      double[] xd = rows.xd;
      double[] g = new double[np * np];
      double[] rhs = new double[np];
      for (int a = 0; a < np; a++) {
        int ka = pass[a];
        double sa = rows.positive(j, ka) ? 1.0 : -1.0;
        double r = 0.0;
        for (int i = 0; i < d; i++) {
          r += xd[ka + i * n] * res0[i];
        }
        rhs[a] = -sa * r;
        for (int bb = 0; bb <= a; bb++) {
          int kb = pass[bb];
          double sb = rows.positive(j, kb) ? 1.0 : -1.0;
          double v = 0.0;
          for (int i = 0; i < d; i++) {
            v += xd[ka + i * n] * xd[kb + i * n];
          }
          g[a * np + bb] = sa * sb * v;
          g[bb * np + a] = sa * sb * v;
        }
      }
      DenseMatrix gm = new DenseMatrix(np, np, g);
      DenseMatrix rm = new DenseMatrix(np, 1, rhs);
      try {
        Cholesky.factor(gm).solveInPlace(rm);
      } catch (ArithmeticException e) {
        return null;
      }
      double[] z = rm.data();
      for (double v : z) {
        if (!Double.isFinite(v)) {
          return null;
        }
      }
      return z;
    }
  }

  private static double dotSelf(double[] v) {
    double s = 0.0;
    for (double x : v) {
      s += x * x;
    }
    return s;
  }
}
