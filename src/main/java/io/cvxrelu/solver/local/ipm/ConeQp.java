package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * The data of the cone quadratic program solved by {@link PathFollowing} (Pilanci and Ergen
 * 2020, eq. (8)): the rows of X that are not zero, the labels, the masks D_j and cone signs
 * 2 D_j - 1 on those rows, and the row-wise Khatri-Rao products x_k (x) x_k (the upper
 * triangle) through which every X^T diag(.) X of the method is one GEMM.
 *
 * <p>A zero row of X predicts 0 whatever the weights and gives the cone row 0 &gt;= 0, which
 * has no interior: dropping it changes the loss by a constant and leaves the feasible set as it
 * is, and it keeps every slack of the iterate strictly positive.
 */
final class ConeQp {
  final ConvexReluProblem problem;
  /** The kept rows, as indices into the problem's rows. */
  final int[] rows;
  /** Kept rows. */
  final int n;
  final int d;
  /** Patterns; the blocks are v_1..v_P, w_1..w_P. */
  final int p;
  /** Blocks, 2 P. */
  final int m;
  /** Size of a second-order-cone block (t_j, b_j). */
  final int d1;
  final DenseMatrix x;
  final double[] y;
  /** n x P masks D_i on the kept rows (column-major). */
  final double[] mask;
  /** n x P cone signs 2 D_i - 1 on the kept rows. */
  final double[] sign;
  final double beta;
  /** n x d(d+1)/2: column q is x_a .* x_c for the pair (pairA[q], pairB[q]), a &lt;= c. */
  final DenseMatrix khatriRao;
  final int[] pairA;
  final int[] pairB;

  ConeQp(ConvexReluProblem problem) {
    this.problem = problem;
    DenseMatrix full = problem.x();
    this.rows = nonZeroRows(full);
    this.n = rows.length;
    this.d = full.cols();
    this.p = problem.patternCount();
    this.m = 2 * p;
    this.d1 = d + 1;
    this.beta = problem.beta();
    int nFull = full.rows();
    this.x = new DenseMatrix(n, d);
    for (int c = 0; c < d; c++) {
      for (int k = 0; k < n; k++) {
        x.data()[c * n + k] = full.data()[c * nFull + rows[k]];
      }
    }
    this.y = new double[n];
    for (int k = 0; k < n; k++) {
      y[k] = problem.y()[rows[k]];
    }
    double[] fullMask = problem.maskValues();
    this.mask = new double[n * p];
    this.sign = new double[n * p];
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < n; k++) {
        mask[i * n + k] = fullMask[i * nFull + rows[k]];
        sign[i * n + k] = 2.0 * mask[i * n + k] - 1.0;
      }
    }
    int pairs = d * (d + 1) / 2;
    this.pairA = new int[pairs];
    this.pairB = new int[pairs];
    this.khatriRao = new DenseMatrix(n, pairs);
    int idx = 0;
    for (int a = 0; a < d; a++) {
      for (int c = a; c < d; c++) {
        pairA[idx] = a;
        pairB[idx] = c;
        double[] kr = khatriRao.data();
        double[] xd = x.data();
        for (int k = 0; k < n; k++) {
          kr[idx * n + k] = xd[a * n + k] * xd[c * n + k];
        }
        idx++;
      }
    }
  }

  private static int[] nonZeroRows(DenseMatrix full) {
    int kept = 0;
    int[] keep = new int[full.rows()];
    for (int i = 0; i < full.rows(); i++) {
      boolean zero = true;
      for (int c = 0; c < full.cols() && zero; c++) {
        zero = full.get(i, c) == 0.0;
      }
      if (!zero) {
        keep[kept++] = i;
      }
    }
    return java.util.Arrays.copyOf(keep, kept);
  }
}
