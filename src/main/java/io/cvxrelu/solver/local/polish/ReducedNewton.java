package io.cvxrelu.solver.local.polish;

import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * Newton's method with backtracking on the {@link ReducedProblem} of a support, restarted
 * with a larger tight set when a row outside it blocks the step, or a smaller support when a
 * block collapses to zero. The objective is smooth on the support as long as no block is zero,
 * and a step that would cross a cone row stops at it (a ratio test, as in the simplex method).
 */
final class ReducedNewton {
  private static final int MAX_RESTARTS = 200;
  private static final int MAX_NEWTON = 60;

  private final ConeRows rows;

  ReducedNewton(ConeRows rows) {
    this.rows = rows;
  }

  /**
   * The minimiser on the support, from blocks b0; updates {@code active} and {@code tight} on
   * every restart. Null when the reduced problem degenerates.
   */
  DenseMatrix solve(boolean[] active, boolean[][] tight, DenseMatrix b0) {
    DenseMatrix cur = b0;
    for (int restart = 0; restart < MAX_RESTARTS; restart++) {
      ReducedProblem red = ReducedProblem.of(rows, active, tight, cur);
      if (red == null) {
        return null;
      }
      Descent run = new Descent(red, tight);
      DenseMatrix u = run.minimise();
      if (u == null) {
        return null;
      }
      if (run.blockedBlock >= 0) {
        tight[run.blockedBlock][run.blockedRow] = true;
      } else if (run.collapsed >= 0) {
        active[run.collapsed] = false;
      } else {
        return u;
      }
      cur = u;
    }
    return null;
  }

  /** One Newton descent on a fixed support and tight set. */
  private static final class Descent {
    private final ReducedProblem red;
    private final boolean[][] tight;
    private final int total;
    /** The iterate, G c - h and f(c). */
    private final double[] c;
    private final double[] gc;
    private double f;
    private final double[] grad;
    /** The block and row that blocked the last step, or -1. */
    int blockedBlock = -1;
    int blockedRow = -1;
    /** The block that collapsed to zero, or -1. */
    int collapsed = -1;

    Descent(ReducedProblem red, boolean[][] tight) {
      this.red = red;
      this.tight = tight;
      this.total = red.total;
      this.c = red.start;
      this.gc = new double[total];
      this.grad = new double[total];
    }

    /** The blocks at the end of the descent; null when the Newton matrix degenerates. */
    DenseMatrix minimise() {
      f = red.value(c, gc);
      for (int it = 0; it < MAX_NEWTON; it++) {
        double[] norms = blockNorms();
        if (norms == null) {
          return null;
        }
        int smallest = collapsedBlock(norms);
        if (smallest >= 0) {
          collapsed = red.blocks[smallest];
          break;
        }
        double gn = gradient(norms);
        if (gn <= 1e-14 * Math.max(red.beta, Math.sqrt(red.yy))) {
          break;
        }
        Cholesky ch = factorRegularised(hessian(norms));
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
        if (ratioTest(sd) || !lineSearch(sd, 1.0, dec)) {
          break;
        }
      }
      return red.lift(c);
    }

    /** ||c_j|| per support block; null when one is not positive. */
    private double[] blockNorms() {
      double[] norms = new double[red.nb];
      for (int t = 0; t < red.nb; t++) {
        double s = 0.0;
        for (int i = red.offs[t]; i < red.offs[t + 1]; i++) {
          s += c[i] * c[i];
        }
        norms[t] = Math.sqrt(s);
        if (!(norms[t] > 0.0)) {
          return null;
        }
      }
      return norms;
    }

    /** The smallest block below 1e-7 of the largest (it is collapsing to zero), or -1. */
    private int collapsedBlock(double[] norms) {
      double nmax = 0.0;
      for (int t = 0; t < red.nb; t++) {
        nmax = Math.max(nmax, norms[t]);
      }
      int smallest = -1;
      for (int t = 0; t < red.nb; t++) {
        if (norms[t] < 1e-7 * nmax && (smallest < 0 || norms[t] < norms[smallest])) {
          smallest = t;
        }
      }
      return smallest;
    }

    /** grad = G c - h + beta c_j / ||c_j||; returns its largest entry in absolute value. */
    private double gradient(double[] norms) {
      double gn = 0.0;
      for (int t = 0; t < red.nb; t++) {
        for (int i = red.offs[t]; i < red.offs[t + 1]; i++) {
          grad[i] = gc[i] + red.beta * c[i] / norms[t];
          gn = Math.max(gn, Math.abs(grad[i]));
        }
      }
      return gn;
    }

    /** G plus the Hessian of beta ||c_j||, (beta / ||c_j||) (I - c_j c_j^T / ||c_j||^2). */
    private DenseMatrix hessian(double[] norms) {
      DenseMatrix hess = new DenseMatrix(total, total, red.g.clone());
      double[] hd = hess.data();
      for (int t = 0; t < red.nb; t++) {
        double w = red.beta / norms[t];
        for (int i = red.offs[t]; i < red.offs[t + 1]; i++) {
          for (int l = red.offs[t]; l < red.offs[t + 1]; l++) {
            double v = -w * c[i] * c[l] / (norms[t] * norms[t]);
            if (i == l) {
              v += w;
            }
            hd[i * total + l] += v;
          }
        }
      }
      return hess;
    }

    /** The Cholesky factor of H + r max(diag H) I for the smallest r in {0, 1e-14, 1e-12, ..}. */
    private Cholesky factorRegularised(DenseMatrix hess) {
      double[] hd = hess.data();
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
      return ch;
    }

    /**
     * The ratio test on the rows outside the tight sets: when the full step would make one
     * negative, moves to that row (if that decreases f), records it as blocking and returns
     * true.
     */
    private boolean ratioTest(double[] sd) {
      int n = red.rows.n;
      double tStep = 1.0;
      DenseMatrix val = new DenseMatrix(n, red.nb);
      DenseMatrix dir = new DenseMatrix(n, red.nb);
      double[] vd = val.data();
      double[] dd = dir.data();
      double[] xa = red.xn.data();
      for (int col = 0; col < total; col++) {
        int t = red.blockOfCol[col];
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
      for (int t = 0; t < red.nb; t++) {
        int j = red.blocks[t];
        for (int r = 0; r < n; r++) {
          if (tight[j][r]) {
            continue;
          }
          double sg = red.rows.positive(j, r) ? 1.0 : -1.0;
          double v0 = sg * vd[t * n + r];
          double dv = sg * dd[t * n + r];
          if (v0 >= 0.0 && dv < 0.0 && v0 + tStep * dv < 0.0) {
            tStep = v0 / -dv;
            bb = j;
            br = r;
          }
        }
      }
      if (bb < 0) {
        return false;
      }
      // Move to the blocking row (if that decreases f) and restart with it tight.
      double[] cb = new double[total];
      for (int i = 0; i < total; i++) {
        cb[i] = c[i] + tStep * sd[i];
      }
      double[] gb = new double[total];
      double fb = red.value(cb, gb);
      if (fb <= f) {
        System.arraycopy(cb, 0, c, 0, total);
      }
      blockedBlock = bb;
      blockedRow = br;
      return true;
    }

    /**
     * Armijo backtracking from tStep along sd (decrement dec); true when the step was taken
     * and the descent may go on, false when it ends (no decrease found, or the decrement is
     * negligible).
     */
    private boolean lineSearch(double[] sd, double tStep, double dec) {
      double[] cNew = new double[total];
      double[] gcNew = new double[total];
      double fNew = f;
      boolean accepted = false;
      for (int ls = 0; ls < 40; ls++) {
        for (int i = 0; i < total; i++) {
          cNew[i] = c[i] + tStep * sd[i];
        }
        fNew = red.value(cNew, gcNew);
        if (fNew <= f - 1e-4 * tStep * dec
            || fNew <= f + 1e-15 * Math.abs(f) && dec < 1e-20 * Math.abs(f)) {
          accepted = true;
          break;
        }
        tStep *= 0.5;
      }
      if (!accepted) {
        return false;
      }
      System.arraycopy(cNew, 0, c, 0, total);
      System.arraycopy(gcNew, 0, gc, 0, total);
      boolean small = dec <= 1e-24 * Math.max(Math.abs(f), 1e-300);
      f = fNew;
      return !small;
    }
  }
}
