package io.cvxrelu.solver.local;

import dev.ludovic.netlib.lapack.LAPACK;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.Certificate;
import org.netlib.util.intW;

/**
 * Active-set polish for the ReLU program with squared loss, run on a moderately accurate
 * iterate (e.g. from ADMM). It guesses the support (nonzero blocks) and the tight cone rows,
 * solves the reduced smooth problem exactly, and computes the cone multipliers:
 * <ol>
 *   <li>for every active block j with tight rows T_j, an orthonormal basis N_j of the null space
 *       of K_{T_j} (u_j = N_j c_j keeps those rows at zero);</li>
 *   <li>Newton's method with backtracking on the reduced problem
 *       1/2 ||A c - y||^2 + beta sum_j ||c_j||, A = [sign_j D_j X N_j];</li>
 *   <li>rows outside T_j that the polished point violates are added to T_j and the reduced problem
 *       solved again (a few primal-dual active-set rounds);</li>
 *   <li>the multipliers mu_j &gt;= 0 on the allowed rows (T_j for active blocks, all rows for zero
 *       blocks) by coordinate descent on min ||X^T D_j lambda + K_j^T mu_j - t_j||, with
 *       t_j = beta u_j / ||u_j|| (0 for a zero block), warm-started from the given multipliers.</li>
 * </ol>
 * The caller decides with {@link Certificate} whether the result is better than its iterate.
 */
public final class ActiveSetPolish {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();

  private final ConvexReluProblem problem;
  private final int n;
  private final int d;
  private final int p;
  private final int q;
  private final byte[] mask;
  private final double[] xd;
  private final double[] rowNorm2;

  /** Polished weights, their product and multipliers (valid after a successful run). */
  DenseMatrix weights;
  DenseMatrix product;
  DenseMatrix multipliers;

  /**
   * Work (flops) of one polish at most: per block, the Gram of its tight rows (n d^2) and its
   * null space (d^3). Beyond this the polish would take minutes (the Gram is built row by row)
   * and is skipped; ADMM's own iterations then carry the solve.
   */
  static final double MAX_FLOPS = 2.5e11;

  /** True when a polish of this problem fits {@link #MAX_FLOPS}. */
  static boolean affordable(ConvexReluProblem problem) {
    double d = problem.d();
    return 2.0 * problem.patternCount() * (problem.n() * d * d + d * d * d) <= MAX_FLOPS;
  }

  ActiveSetPolish(ConvexReluProblem problem) {
    this.problem = problem;
    this.n = problem.n();
    this.d = problem.d();
    this.p = problem.patternCount();
    this.q = 2 * p;
    this.mask = problem.patterns().mask();
    this.xd = problem.x().data();
    this.rowNorm2 = new double[n];
    for (int c = 0; c < d; c++) {
      for (int k = 0; k < n; k++) {
        double v = xd[k + c * n];
        rowNorm2[k] += v * v;
      }
    }
  }

  private boolean positive(int j, int k) {
    return mask[(j % p) * n + k] != 0;
  }

  /**
   * Runs the polish from weights {@code b} (d x q), product {@code xb} and multipliers
   * {@code mu0} (n x q, may be null). Returns false when the reduced problem is degenerate.
   */
  boolean run(DenseMatrix b, DenseMatrix xb, DenseMatrix mu0) {
    double[] bd = b.data();
    double[] zd = xb.data();
    double maxNorm = 0.0;
    double[] norms = new double[q];
    for (int j = 0; j < q; j++) {
      norms[j] = Blas.nrm2(d, bd, j * d);
      maxNorm = Math.max(maxNorm, norms[j]);
    }
    if (maxNorm == 0.0) {
      return false;
    }
    // Active blocks and tight rows.
    boolean[] active = new boolean[q];
    boolean[][] tight = new boolean[q][];
    for (int j = 0; j < q; j++) {
      if (norms[j] <= 1e-10 * maxNorm) {
        continue;
      }
      active[j] = true;
      boolean[] t = new boolean[n];
      double scale = 0.0;
      for (int k = 0; k < n; k++) {
        scale = Math.max(scale, Math.abs(zd[j * n + k]));
      }
      double tol = 1e-5 * scale;
      for (int k = 0; k < n; k++) {
        double c = positive(j, k) ? zd[j * n + k] : -zd[j * n + k];
        if (c <= tol) {
          t[k] = true;
        }
      }
      tight[j] = t;
    }
    DenseMatrix u = null;
    DenseMatrix xu = null;
    DenseMatrix mu = null;
    boolean done = false;
    for (int round = 0; round < MAX_ROUNDS && !done; round++) {
      u = reducedNewton(active, tight, b);
      if (u == null) {
        return false;
      }
      b = u;
      xu = problem.forward(u);
      double[] xud = xu.data();
      double[] ud = u.data();
      boolean changed = false;
      double uMax = 0.0;
      for (int j = 0; j < q; j++) {
        if (active[j]) {
          uMax = Math.max(uMax, Blas.nrm2(d, ud, j * d));
        }
      }
      for (int j = 0; j < q; j++) {
        if (!active[j]) {
          continue;
        }
        double un = Blas.nrm2(d, ud, j * d);
        if (un <= 1e-12 * uMax) {
          active[j] = false;
          changed = true;
          continue;
        }
        for (int k = 0; k < n; k++) {
          double c = positive(j, k) ? xud[j * n + k] : -xud[j * n + k];
          if (!tight[j][k] && c < -1e-13 * un * Math.sqrt(rowNorm2[k])) {
            tight[j][k] = true;
            changed = true;
          }
        }
      }
      if (changed) {
        continue;
      }
      // Multipliers of the tight rows; release rows that cannot carry a positive multiplier.
      mu = multipliers(u, xu, active, tight, mu0);
      done = true;
      double[] mud = mu.data();
      for (int j = 0; j < q; j++) {
        if (active[j] && residual[j] > 1e-9 * problem.beta()) {
          for (int k = 0; k < n; k++) {
            if (tight[j][k] && mud[j * n + k] == 0.0) {
              tight[j][k] = false;
              done = false;
            }
          }
        }
      }
    }
    // Exact zeros on tight rows (they are zero up to roundoff).
    double[] xud = xu.data();
    for (int j = 0; j < q; j++) {
      if (active[j]) {
        for (int k = 0; k < n; k++) {
          if (tight[j][k]) {
            double c = positive(j, k) ? xud[j * n + k] : -xud[j * n + k];
            if (c < 0.0) {
              xud[j * n + k] = 0.0;
            }
          }
        }
      }
    }
    // The certificate reads the violation from the product, so recompute it honestly.
    xu = problem.forward(u);
    weights = u;
    product = xu;
    multipliers = mu != null ? mu : multipliers(u, xu, active, tight, mu0);
    return true;
  }

  /** Newton with restarts when a row blocks the step or a block collapses to zero. */
  private DenseMatrix reducedNewton(boolean[] active, boolean[][] tight, DenseMatrix b0) {
    DenseMatrix cur = b0;
    for (int restart = 0; restart < MAX_RESTARTS; restart++) {
      blockedBlock = -1;
      blockedRow = -1;
      collapsed = -1;
      DenseMatrix u = reducedNewtonOnce(active, tight, cur);
      if (u == null) {
        return null;
      }
      if (blockedBlock >= 0) {
        tight[blockedBlock][blockedRow] = true;
      } else if (collapsed >= 0) {
        active[collapsed] = false;
      } else {
        return u;
      }
      cur = u;
    }
    return null;
  }

  private static final int MAX_RESTARTS = 200;
  private static final int MAX_ROUNDS = 30;
  private double[] residual;
  private int blockedBlock;
  private int blockedRow;
  private int collapsed;

  private DenseMatrix reducedNewtonOnce(boolean[] active, boolean[][] tight, DenseMatrix b0) {
    double[] y = problem.y();
    double beta = problem.beta();
    int[] blocks = new int[q];
    int nb = 0;
    double[][] bases = new double[q][];
    int[] dims = new int[q];
    int total = 0;
    for (int j = 0; j < q; j++) {
      if (!active[j]) {
        continue;
      }
      double[] basis = nullSpace(j, tight[j]);
      if (basis == null) {
        active[j] = false;
        continue;
      }
      bases[j] = basis;
      dims[j] = basis.length / d;
      blocks[nb++] = j;
      total += dims[j];
    }
    if (nb == 0 || total == 0) {
      return null;
    }
    // A = [sign_j D_j X N_j] (n x total).
    DenseMatrix a = new DenseMatrix(n, total);
    DenseMatrix xnAll = new DenseMatrix(n, total);
    int[] blockOfCol = new int[total];
    int[] offs = new int[nb + 1];
    double[] c = new double[total];
    double[] b0d = b0.data();
    for (int t = 0, col = 0; t < nb; t++) {
      int j = blocks[t];
      int k = dims[j];
      offs[t] = col;
      DenseMatrix nj = new DenseMatrix(d, k, bases[j]);
      DenseMatrix xn = new DenseMatrix(n, k);
      Blas.gemm(false, false, 1.0, problem.x(), nj, 0.0, xn);
      double sgn = j < p ? 1.0 : -1.0;
      double[] ad = a.data();
      double[] xnd = xn.data();
      System.arraycopy(xnd, 0, xnAll.data(), col * n, k * n);
      for (int cc = 0; cc < k; cc++) {
        blockOfCol[col + cc] = t;
        for (int r = 0; r < n; r++) {
          ad[(col + cc) * n + r] = positive(j, r) ? sgn * xnd[cc * n + r] : 0.0;
        }
        double s = 0.0;
        for (int i = 0; i < d; i++) {
          s += bases[j][cc * d + i] * b0d[j * d + i];
        }
        c[col + cc] = s;
      }
      col += k;
      offs[t + 1] = col;
    }
    DenseMatrix ata = new DenseMatrix(total, total);
    Blas.gemm(true, false, 1.0, a, a, 0.0, ata);
    DenseMatrix aty = new DenseMatrix(total, 1);
    Blas.gemm(true, false, 1.0, a, new DenseMatrix(n, 1, y.clone()), 0.0, aty);
    double[] g = ata.data();
    double[] h = aty.data();
    double yy = Blas.dot(n, y, y);

    double[] grad = new double[total];
    double[] gc = new double[total];
    double f = reducedValue(c, g, h, yy, beta, offs, nb, gc);
    for (int it = 0; it < 60; it++) {
      // gradient gc = G c - h (computed by reducedValue); add beta c_j / ||c_j||.
      double[] norms = new double[nb];
      for (int t = 0; t < nb; t++) {
        double s = 0.0;
        for (int i = offs[t]; i < offs[t + 1]; i++) {
          s += c[i] * c[i];
        }
        norms[t] = Math.sqrt(s);
        if (!(norms[t] > 0.0)) {
          return null;
        }
      }
      double nmax = 0.0;
      for (int t = 0; t < nb; t++) {
        nmax = Math.max(nmax, norms[t]);
      }
      int smallest = -1;
      for (int t = 0; t < nb; t++) {
        if (norms[t] < 1e-7 * nmax && (smallest < 0 || norms[t] < norms[smallest])) {
          smallest = t;
        }
      }
      if (smallest >= 0) {
        collapsed = blocks[smallest];
        break;
      }
      double gn = 0.0;
      for (int t = 0; t < nb; t++) {
        for (int i = offs[t]; i < offs[t + 1]; i++) {
          grad[i] = gc[i] + beta * c[i] / norms[t];
          gn = Math.max(gn, Math.abs(grad[i]));
        }
      }
      if (gn <= 1e-14 * Math.max(beta, Math.sqrt(yy))) {
        break;
      }
      DenseMatrix hess = new DenseMatrix(total, total, g.clone());
      double[] hd = hess.data();
      for (int t = 0; t < nb; t++) {
        double w = beta / norms[t];
        for (int i = offs[t]; i < offs[t + 1]; i++) {
          for (int l = offs[t]; l < offs[t + 1]; l++) {
            double v = -w * c[i] * c[l] / (norms[t] * norms[t]);
            if (i == l) {
              v += w;
            }
            hd[i * total + l] += v;
          }
        }
      }
      double ridge = 0.0;
      for (int i = 0; i < total; i++) {
        ridge = Math.max(ridge, hd[i * total + i]);
      }
      Cholesky ch = null;
      for (double r = 0.0; ch == null && r < 1.0; r = r == 0.0 ? 1e-14 : r * 100.0) {
        DenseMatrix hh = hess;
        if (r > 0.0) {
          hh = hess.copy();
          for (int i = 0; i < total; i++) {
            hh.data()[i * total + i] += r * ridge;
          }
        }
        try {
          ch = Cholesky.factor(hh);
        } catch (ArithmeticException e) {
          ch = null;
        }
      }
      if (ch == null) {
        return null;
      }
      DenseMatrix step = new DenseMatrix(total, 1);
      double dec = 0.0;
      for (int i = 0; i < total; i++) {
        step.data()[i] = -grad[i];
      }
      ch.solveInPlace(step);
      double[] sd = step.data();
      for (int i = 0; i < total; i++) {
        dec -= grad[i] * sd[i];
      }
      double tStep = 1.0;
      // Ratio test on the rows outside the tight sets, and collapse test on block norms.
      DenseMatrix val = new DenseMatrix(n, nb);
      DenseMatrix dir = new DenseMatrix(n, nb);
      double[] vd = val.data();
      double[] dd = dir.data();
      double[] xa = xnAll.data();
      for (int col = 0; col < total; col++) {
        int t = blockOfCol[col];
        double cv = c[col];
        double sv = sd[col];
        int off = col * n;
        int to = t * n;
        for (int r = 0; r < n; r++) {
          vd[to + r] += xa[off + r] * cv;
          dd[to + r] += xa[off + r] * sv;
        }
      }
      int bb = -1;
      int br = -1;
      for (int t = 0; t < nb; t++) {
        int j = blocks[t];
        for (int r = 0; r < n; r++) {
          if (tight[j][r]) {
            continue;
          }
          double sg = positive(j, r) ? 1.0 : -1.0;
          double v0 = sg * vd[t * n + r];
          double dv = sg * dd[t * n + r];
          if (v0 >= 0.0 && dv < 0.0 && v0 + tStep * dv < 0.0) {
            tStep = v0 / -dv;
            bb = j;
            br = r;
          }
        }
      }
      if (bb >= 0) {
        // Move to the blocking row (if that decreases f) and restart with it tight.
        double[] cb = new double[total];
        for (int i = 0; i < total; i++) {
          cb[i] = c[i] + tStep * sd[i];
        }
        double[] gb = new double[total];
        double fb = reducedValue(cb, g, h, yy, beta, offs, nb, gb);
        if (fb <= f) {
          System.arraycopy(cb, 0, c, 0, total);
        }
        blockedBlock = bb;
        blockedRow = br;
        break;
      }
      double[] cNew = new double[total];
      double[] gcNew = new double[total];
      double fNew = f;
      boolean accepted = false;
      for (int ls = 0; ls < 40; ls++) {
        for (int i = 0; i < total; i++) {
          cNew[i] = c[i] + tStep * sd[i];
        }
        fNew = reducedValue(cNew, g, h, yy, beta, offs, nb, gcNew);
        if (fNew <= f - 1e-4 * tStep * dec || fNew <= f + 1e-15 * Math.abs(f) && dec < 1e-20 * Math.abs(f)) {
          accepted = true;
          break;
        }
        tStep *= 0.5;
      }
      if (!accepted) {
        break;
      }
      System.arraycopy(cNew, 0, c, 0, total);
      System.arraycopy(gcNew, 0, gc, 0, total);
      boolean small = dec <= 1e-24 * Math.max(Math.abs(f), 1e-300);
      f = fNew;
      if (small) {
        break;
      }
    }
    DenseMatrix u = new DenseMatrix(d, q);
    double[] ud = u.data();
    for (int t = 0; t < nb; t++) {
      int j = blocks[t];
      int k = dims[j];
      for (int cc = 0; cc < k; cc++) {
        double coef = c[offs[t] + cc];
        for (int i = 0; i < d; i++) {
          ud[j * d + i] += bases[j][cc * d + i] * coef;
        }
      }
    }
    return u;
  }

  /** 1/2 c^T G c - h^T c + yy/2 + beta sum ||c_j||; writes G c - h into gc. */
  private static double reducedValue(double[] c, double[] g, double[] h, double yy, double beta,
      int[] offs, int nb, double[] gc) {
    int m = c.length;
    double quad = 0.0;
    for (int col = 0; col < m; col++) {
      double s = 0.0;
      int off = col * m;
      for (int r = 0; r < m; r++) {
        s += g[off + r] * c[r];
      }
      gc[col] = s - h[col];
      quad += c[col] * (0.5 * s - h[col]);
    }
    double reg = 0.0;
    for (int t = 0; t < nb; t++) {
      double s = 0.0;
      for (int i = offs[t]; i < offs[t + 1]; i++) {
        s += c[i] * c[i];
      }
      reg += Math.sqrt(s);
    }
    return quad + 0.5 * yy + beta * reg;
  }

  /** Orthonormal basis (d x k, column-major) of the null space of K_{T}, or null if k = 0. */
  private double[] nullSpace(int j, boolean[] tight) {
    double[] gram = new double[d * d];
    int count = 0;
    for (int k = 0; k < n; k++) {
      if (!tight[k]) {
        continue;
      }
      count++;
      double inv = 1.0 / Math.max(rowNorm2[k], 1e-300);
      for (int a = 0; a < d; a++) {
        double xa = xd[k + a * n] * inv;
        for (int bb = 0; bb < d; bb++) {
          gram[a * d + bb] += xa * xd[k + bb * n];
        }
      }
    }
    if (count == 0) {
      double[] id = new double[d * d];
      for (int i = 0; i < d; i++) {
        id[i * d + i] = 1.0;
      }
      return id;
    }
    double[] w = new double[d];
    double[] work = new double[Math.max(1, 3 * d * d)];
    intW info = new intW(0);
    LAPACK_IMPL.dsyev("V", "L", d, gram, d, w, work, work.length, info);
    if (info.val != 0) {
      return null;
    }
    double top = w[d - 1];
    int k = 0;
    while (k < d && w[k] <= 1e-9 * Math.max(top, 1e-300)) {
      k++;
    }
    if (k == 0) {
      return null;
    }
    double[] basis = new double[d * k];
    System.arraycopy(gram, 0, basis, 0, d * k);
    return basis;
  }

  /** Cone multipliers for the polished point (see class comment). */
  private DenseMatrix multipliers(DenseMatrix u, DenseMatrix xu, boolean[] active,
      boolean[][] tight, DenseMatrix mu0) {
    double beta = problem.beta();
    double[] y = problem.y();
    double[] pred = problem.predict(xu);
    double[] lambda = new double[n];
    for (int k = 0; k < n; k++) {
      lambda[k] = y[k] - pred[k];
    }
    DenseMatrix r = new DenseMatrix(n, q);
    problem.maskedResidual(lambda, r);
    DenseMatrix h = problem.adjoint(r);
    double[] hd = h.data();
    double[] ud = u.data();
    DenseMatrix mu = new DenseMatrix(n, q);
    double[] mud = mu.data();
    double[] mu0d = mu0 != null ? mu0.data() : null;
    double[] res = new double[d];
    residual = new double[q];
    for (int j = 0; j < q; j++) {
      boolean act = active[j];
      double un = act ? Blas.nrm2(d, ud, j * d) : 0.0;
      for (int i = 0; i < d; i++) {
        res[i] = hd[j * d + i] - (act ? beta * ud[j * d + i] / un : 0.0);
      }
      // Warm start and residual res = h - t + K^T mu.
      for (int k = 0; k < n; k++) {
        boolean allowed = !act || tight[j][k];
        double m0 = allowed && mu0d != null ? Math.max(0.0, mu0d[j * n + k]) : 0.0;
        if (m0 > 0.0) {
          mud[j * n + k] = m0;
          double s = positive(j, k) ? m0 : -m0;
          for (int i = 0; i < d; i++) {
            res[i] += s * xd[k + i * n];
          }
        }
      }
      double target = act ? 1e-13 * beta : 0.99 * beta;
      if (Math.sqrt(dotSelf(res)) > target) {
        // Lawson-Hanson from zero: min ||f - E m||, E = K_j^T on the allowed rows, f = t - h.
        for (int k = 0; k < n; k++) {
          mud[j * n + k] = 0.0;
        }
        for (int i = 0; i < d; i++) {
          res[i] = hd[j * d + i] - (act ? beta * ud[j * d + i] / un : 0.0);
        }
        lawsonHanson(j, act ? tight[j] : null, res, mud, target);
      }
      residual[j] = Math.sqrt(dotSelf(res));
    }
    return mu;
  }

  /**
   * Lawson-Hanson NNLS for one block: minimises ||res0 + K^T m|| over m &gt;= 0 supported on the
   * allowed rows (all when {@code allowed} is null); m is written into mud (block j); res is
   * updated to the final residual. Stops early once the residual norm is at most target.
   */
  private void lawsonHanson(int j, boolean[] allowed, double[] res, double[] mud, double target) {
    int[] pass = new int[d + 1];
    int np = 0;
    boolean[] inP = new boolean[n];
    double[] res0 = res.clone();
    double[] m = new double[d + 1];
    double scale = Math.sqrt(dotSelf(res0));
    for (int outer = 0; outer < 10 * d + 20; outer++) {
      if (Math.sqrt(dotSelf(res)) <= target || np >= d) {
        break;
      }
      int best = -1;
      double bestW = 1e-13 * scale;
      for (int k = 0; k < n; k++) {
        if (inP[k] || (allowed != null && !allowed[k])) {
          continue;
        }
        double g = 0.0;
        for (int i = 0; i < d; i++) {
          g += xd[k + i * n] * res[i];
        }
        double w = -(positive(j, k) ? g : -g) / Math.sqrt(Math.max(rowNorm2[k], 1e-300));
        if (w > bestW) {
          bestW = w;
          best = k;
        }
      }
      if (best < 0) {
        break;
      }
      pass[np] = best;
      m[np] = 0.0;
      np++;
      inP[best] = true;
      for (int inner = 0; inner < 3 * d + 3; inner++) {
        double[] z = lsOnPassive(j, pass, np, res0);
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
      // res = res0 + K_P^T m
      System.arraycopy(res0, 0, res, 0, d);
      for (int t = 0; t < np; t++) {
        int k = pass[t];
        double sv = positive(j, k) ? m[t] : -m[t];
        for (int i = 0; i < d; i++) {
          res[i] += sv * xd[k + i * n];
        }
      }
    }
    for (int t = 0; t < np; t++) {
      mud[j * n + pass[t]] = Math.max(0.0, m[t]);
    }
  }

  /** Least squares min ||res0 + K_P^T z|| over the passive rows (normal equations). */
  private double[] lsOnPassive(int j, int[] pass, int np, double[] res0) {
    double[] g = new double[np * np];
    double[] rhs = new double[np];
    for (int a = 0; a < np; a++) {
      int ka = pass[a];
      double sa = positive(j, ka) ? 1.0 : -1.0;
      double r = 0.0;
      for (int i = 0; i < d; i++) {
        r += xd[ka + i * n] * res0[i];
      }
      rhs[a] = -sa * r;
      for (int bb = 0; bb <= a; bb++) {
        int kb = pass[bb];
        double sb = positive(j, kb) ? 1.0 : -1.0;
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

  private static double dotSelf(double[] v) {
    double s = 0.0;
    for (double x : v) {
      s += x * x;
    }
    return s;
  }
}
