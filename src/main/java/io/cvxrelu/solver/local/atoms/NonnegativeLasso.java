package io.cvxrelu.solver.local.atoms;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Nnls;

/**
 * The restricted program of column generation: min 1/2 t^T Q t - b^T t over t &gt;= 0, with
 * Q = F^T F and b = F^T y - beta 1 for atom columns F (a non-negative lasso), by a primal
 * active set: the free set's equations Q_SS t_S = b_S are solved by Cholesky, Lawson and
 * Hanson's step back keeps t &gt;= 0, and the entering rule adds every atom whose gradient
 * says it should enter (a block pivot) for the first rounds, one at a time after, which
 * terminates (Lawson and Hanson 1974, ch. 23, applied to the quadratic).
 */
public final class NonnegativeLasso {
  private static final int BLOCK_ROUNDS = 20;
  private static final int MAX_ROUNDS = 2_000;

  private NonnegativeLasso() {}

  /**
   * @param q m x m positive semi-definite
   * @param start a non-negative start (its positive entries begin free)
   * @return the minimiser (to the tolerance of the entering rule, 1e-11 max(1, max Q_ii))
   */
  public static double[] solve(DenseMatrix q, double[] b, double[] start) {
    int m = b.length;
    double[] qd = q.data();
    double[] t = start.clone();
    boolean[] free = new boolean[m];
    double diag = 1.0;
    for (int i = 0; i < m; i++) {
      t[i] = Math.max(0.0, t[i]);
      free[i] = t[i] > 0.0;
      diag = Math.max(diag, qd[i * m + i]);
    }
    double tol = 1e-11 * diag;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      // w = b - Q t, the negative gradient.
      double[] w = b.clone();
      Blas.gemm(false, false, m, 1, m, -1.0, qd, 0, m, t, 0, m, 1.0, w, 0, m);
      int best = -1;
      double bestW = tol;
      int entering = 0;
      for (int i = 0; i < m; i++) {
        if (!free[i] && w[i] > tol) {
          entering++;
          if (w[i] > bestW) {
            bestW = w[i];
            best = i;
          }
        }
      }
      if (best < 0 && round > 0) {
        return t;
      }
      if (round < BLOCK_ROUNDS) {
        for (int i = 0; i < m; i++) {
          free[i] |= w[i] > tol;
        }
      } else if (best >= 0) {
        free[best] = true;
      }
      settle(qd, m, b, t, free, diag);
      if (entering == 0 && round > 0) {
        return t;
      }
    }
    return t;
  }

  /** Equations on the free set, stepping back until positive. */
  private static void settle(double[] qd, int m, double[] b, double[] t, boolean[] free,
      double diag) {
    for (int guard = 0; guard <= m; guard++) {
      int[] ix = new int[m];
      int k = 0;
      for (int i = 0; i < m; i++) {
        if (free[i]) {
          ix[k++] = i;
        }
      }
      if (k == 0) {
        return;
      }
      DenseMatrix a = new DenseMatrix(k, k);
      DenseMatrix z = new DenseMatrix(k, 1);
      double[] ad = a.data();
      for (int c = 0; c < k; c++) {
        for (int r = 0; r < k; r++) {
          ad[c * k + r] = qd[ix[c] * m + ix[r]];
        }
        // A relative ridge of 1e-13: atoms of one chamber can be nearly parallel.
        ad[c * k + c] += 1e-13 * diag;
        z.data()[c] = b[ix[c]];
      }
      Cholesky.factorOverwriting(a).solveInPlace(z);
      int blocking = Nnls.stepBack(t, ix, z.data(), k);
      if (blocking < 0) {
        return;
      }
      for (int c = 0; c < k; c++) {
        if (c == blocking || t[ix[c]] <= 0.0) {
          t[ix[c]] = 0.0;
          free[ix[c]] = false;
        }
      }
    }
  }
}
