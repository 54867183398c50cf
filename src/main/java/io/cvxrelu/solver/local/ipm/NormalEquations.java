package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The reduced Newton system (H + E^T A^T A E) dx = r of {@link PathFollowing} and its
 * factorisation. H is block diagonal, one (d+1) x (d+1) block per cone block j,
 * H_j = Phi_j + [0, 0; 0, X^T diag(z_j / s_j) X] (one GEMM for all blocks through the
 * Khatri-Rao products). The loss sees only a_i = v_i - w_i, so each pattern is rewritten in
 * (t_v, t_w, c = v + w | a = v - w), its (t_v, t_w, c) part F eliminated, and what is left are
 * the normal equations (S + G) a = r' of size P d, with G = A_v^T A_v (blocks X^T D_i D_k X,
 * constant over the solve) and S_i = H_aa - H_af F^-1 H_fa: one P d x P d Cholesky per
 * iteration. Unlike a Woodbury identity over the n rows, this never subtracts the large
 * H^-1 terms that appear near the end, where the blocks' multipliers diverge.
 */
final class NormalEquations {
  private final ConeQp qp;
  /** G = A_v^T A_v, P d x P d. */
  private final DenseMatrix gram;
  /** The blocks H_j, (d+1) x (d+1) each. */
  private final double[] blocks;
  /** Per pattern, the Cholesky factor of F, (d+2) x (d+2). */
  private final double[] ff;
  /** Per pattern, F^-1 H_fa, (d+2) x d. */
  private final double[] fInvHfa;
  private Cholesky normal;

  NormalEquations(ConeQp qp, DenseMatrix gram) {
    this.qp = qp;
    int d = qp.d;
    int p = qp.p;
    this.blocks = new double[qp.d1 * qp.d1 * qp.m];
    this.ff = new double[(d + 2) * (d + 2) * p];
    this.fInvHfa = new double[(d + 2) * d * p];
    this.gram = gram;
  }

  /**
   * Builds the blocks H_j from the cones' scaling and the rows' X^T diag(phi_j) X (packed,
   * d(d+1)/2 x 2P), eliminates every pattern's F and factors the normal equations.
   */
  void factor(NesterovToddScaling w, DenseMatrix blockGram) {
    assembleBlocks(w, blockGram);
    int pd = qp.p * qp.d;
    int f = qp.d + 2;
    DenseMatrix k = new DenseMatrix(pd, pd);
    System.arraycopy(gram.data(), 0, k.data(), 0, pd * pd);
    double[] hfa = new double[f * qp.d];
    for (int i = 0; i < qp.p; i++) {
      eliminatePattern(i, hfa, k.data());
    }
    normal = Cholesky.factorOverwriting(k);
  }

  /** H_j = Phi_j + X^T diag(phi_j) X on the b part, for every block j. */
  private void assembleBlocks(NesterovToddScaling w, DenseMatrix blockGram) {
    int d1 = qp.d1;
    int m = qp.m;
    int[] pairA = qp.pairA;
    int[] pairB = qp.pairB;
    double[] wbar = w.wbar;
    int pairs = pairA.length;
    int bs = d1 * d1;
    for (int j = 0; j < m; j++) {
      int off = j * bs;
      int woff = j * d1;
      double e2 = 1.0 / (w.eta[j] * w.eta[j]);
      double w0 = wbar[woff];
      // Phi = eta^-2 (2 J w w^T J - J).
      blocks[off] = e2 * (2.0 * w0 * w0 - 1.0);
      for (int c = 1; c < d1; c++) {
        double v = -2.0 * e2 * w0 * wbar[woff + c];
        blocks[off + c] = v;
        blocks[off + c * d1] = v;
        for (int r = c; r < d1; r++) {
          double q = 2.0 * e2 * wbar[woff + c] * wbar[woff + r] + (r == c ? e2 : 0.0);
          blocks[off + c * d1 + r] = q;
          blocks[off + r * d1 + c] = q;
        }
      }
      double[] gd = blockGram.data();
      for (int q = 0; q < pairs; q++) {
        int a = pairA[q] + 1;
        int c = pairB[q] + 1;
        double v = gd[j * pairs + q];
        blocks[off + c * d1 + a] += v;
        if (a != c) {
          blocks[off + a * d1 + c] += v;
        }
      }
    }
  }

  /**
   * For pattern i, in (t_v, t_w, c = v + w | a = v - w): factors F = H_ff, keeps F^-1 H_fa,
   * and adds the Schur complement S_i = H_aa - H_af F^-1 H_fa to the diagonal block of
   * {@code kd} (the normal matrix, G so far). {@code hfa} is work space of (d+2) x d.
   */
  private void eliminatePattern(int i, double[] hfa, double[] kd) {
    int d = qp.d;
    int d1 = qp.d1;
    int pd = qp.p * d;
    int f = d + 2;
    int bs = d1 * d1;
    int ov = i * bs;
    int ow = (i + qp.p) * bs;
    int fo = i * f * f;
    int so = i * f * d;
    // F: rows/cols 0 = t_v, 1 = t_w, 2.. = c.
    ff[fo] = blocks[ov];
    ff[fo + f + 1] = blocks[ow];
    ff[fo + f] = 0.0;
    ff[fo + 1] = 0.0;
    for (int c = 0; c < d; c++) {
      double hv = blocks[ov + (c + 1) * d1];
      double hw = blocks[ow + (c + 1) * d1];
      ff[fo + (c + 2) * f] = 0.5 * hv;
      ff[fo + c + 2] = 0.5 * hv;
      ff[fo + (c + 2) * f + 1] = 0.5 * hw;
      ff[fo + f + c + 2] = 0.5 * hw;
      // H_fa column c: t_v row hv/2, t_w row -hw/2, c rows (Hv - Hw)/4.
      hfa[c * f] = 0.5 * hv;
      hfa[c * f + 1] = -0.5 * hw;
      for (int r = 0; r < d; r++) {
        double bv = blocks[ov + (c + 1) * d1 + r + 1];
        double bw = blocks[ow + (c + 1) * d1 + r + 1];
        ff[fo + (c + 2) * f + r + 2] = 0.25 * (bv + bw);
        hfa[c * f + r + 2] = 0.25 * (bv - bw);
      }
    }
    if (!Cholesky.factorInPlace(ff, fo, f)) {
      throw new ArithmeticException("pattern block " + i + " is not positive definite");
    }
    System.arraycopy(hfa, 0, fInvHfa, so, f * d);
    for (int c = 0; c < d; c++) {
      choleskySolve(ff, fo, f, fInvHfa, so + c * f);
    }
    int base = i * d;
    for (int c = 0; c < d; c++) {
      for (int r = c; r < d; r++) {
        double bv = blocks[ov + (c + 1) * d1 + r + 1];
        double bw = blocks[ow + (c + 1) * d1 + r + 1];
        double schur = 0.25 * (bv + bw);
        for (int q = 0; q < f; q++) {
          schur -= 0.5 * (hfa[r * f + q] * fInvHfa[so + c * f + q]
              + hfa[c * f + q] * fInvHfa[so + r * f + q]);
        }
        // Only the lower triangle is factored; G is symmetric already.
        kd[(base + c) * pd + base + r] += schur;
      }
    }
  }

  /** Solves L L^T x = b in place for the lower factor stored at {@code l[off ..]} (n x n). */
  private static void choleskySolve(double[] l, int off, int n, double[] b, int boff) {
    for (int r = 0; r < n; r++) {
      double s = b[boff + r];
      for (int c = 0; c < r; c++) {
        s -= l[off + c * n + r] * b[boff + c];
      }
      b[boff + r] = s / l[off + r * n + r];
    }
    for (int r = n - 1; r >= 0; r--) {
      double s = b[boff + r];
      for (int c = r + 1; c < n; c++) {
        s -= l[off + r * n + c] * b[boff + c];
      }
      b[boff + r] = s / l[off + r * n + r];
    }
  }

  /** out = (H + E^T A^T A E) (dxB, dxT), the reduced Newton operator (G as factored). */
  void apply(DenseMatrix dxB, double[] dxT, DenseMatrix outB, double[] outT) {
    int d = qp.d;
    int d1 = qp.d1;
    int bs = d1 * d1;
    double[] v = new double[d1];
    for (int j = 0; j < qp.m; j++) {
      v[0] = dxT[j];
      System.arraycopy(dxB.data(), j * d, v, 1, d);
      int off = j * bs;
      for (int r = 0; r < d1; r++) {
        double s = 0.0;
        for (int c = 0; c < d1; c++) {
          s += blocks[off + c * d1 + r] * v[c];
        }
        if (r == 0) {
          outT[j] = s;
        } else {
          outB.data()[j * d + r - 1] = s;
        }
      }
    }
    int pd = qp.p * d;
    DenseMatrix a = new DenseMatrix(pd, 1);
    for (int k = 0; k < pd; k++) {
      a.data()[k] = dxB.data()[k] - dxB.data()[pd + k];
    }
    DenseMatrix ga = new DenseMatrix(pd, 1);
    Blas.gemm(false, false, 1.0, gram, a, 0.0, ga);
    for (int k = 0; k < pd; k++) {
      outB.data()[k] += ga.data()[k];
      outB.data()[pd + k] -= ga.data()[k];
    }
  }

  /**
   * Solves (H + E^T A^T A E) x = r pattern by pattern in the coordinates
   * (t_v, t_w, c = v + w | a = v - w): with r'_f = (r_tv, r_tw, (r_v + r_w) / 2) and
   * r'_a = (r_v - r_w) / 2, a solves (S + G) a = r'_a - H_af F^-1 r'_f and then
   * f = F^-1 (r'_f - H_fa a). F stays well conditioned where H_v alone is nearly singular
   * (the radial direction of an active block, which only the loss controls).
   */
  void solve(DenseMatrix rB, double[] rT, DenseMatrix outB, double[] outT) {
    int d = qp.d;
    int p = qp.p;
    int pd = p * d;
    int f = d + 2;
    double[] rb = rB.data();
    double[] rf = new double[f * p];
    DenseMatrix a = new DenseMatrix(pd, 1);
    double[] ad = a.data();
    for (int i = 0; i < p; i++) {
      int fo = i * f;
      rf[fo] = rT[i];
      rf[fo + 1] = rT[i + p];
      for (int c = 0; c < d; c++) {
        rf[fo + 2 + c] = 0.5 * (rb[i * d + c] + rb[pd + i * d + c]);
      }
      int so = i * f * d;
      for (int c = 0; c < d; c++) {
        // (H_af F^-1 r'_f)_c = (F^-1 H_fa)_c . r'_f.
        double s = 0.0;
        for (int q = 0; q < f; q++) {
          s += fInvHfa[so + c * f + q] * rf[fo + q];
        }
        ad[i * d + c] = 0.5 * (rb[i * d + c] - rb[pd + i * d + c]) - s;
      }
    }
    normal.solveInPlace(a);
    double[] ob = outB.data();
    for (int i = 0; i < p; i++) {
      int fo = i * f;
      int so = i * f * d;
      // f = F^-1 r'_f - (F^-1 H_fa) a.
      choleskySolve(ff, i * f * f, f, rf, fo);
      for (int c = 0; c < d; c++) {
        double ac = ad[i * d + c];
        for (int q = 0; q < f; q++) {
          rf[fo + q] -= fInvHfa[so + c * f + q] * ac;
        }
      }
      outT[i] = rf[fo];
      outT[i + p] = rf[fo + 1];
      for (int c = 0; c < d; c++) {
        double cc = rf[fo + 2 + c];
        double ac = ad[i * d + c];
        ob[i * d + c] = 0.5 * (cc + ac);
        ob[pd + i * d + c] = 0.5 * (cc - ac);
      }
    }
  }
}
