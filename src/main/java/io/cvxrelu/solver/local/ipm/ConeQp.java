package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The driver's view of the cone quadratic program solved by {@link PathFollowing} (Pilanci and
 * Ergen 2020, eq. (8)): its shape, the regularisation beta, the gates (for the start) and the
 * pairs (a, c), a &lt;= c, that index the packed d(d+1)/2 Khatri-Rao Grams. The rows live in
 * {@link ConeRows}.
 */
final class ConeQp {
  final int d;
  /** Patterns; the blocks are v_1..v_P, w_1..w_P. */
  final int p;
  /** Blocks, 2 P. */
  final int m;
  /** Size of a second-order-cone block (t_j, b_j). */
  final int d1;
  final double beta;
  /** d x P gates. */
  final DenseMatrix gates;
  final int[] pairA;
  final int[] pairB;

  ConeQp(int d, int p, double beta, DenseMatrix gates) {
    this.d = d;
    this.p = p;
    this.m = 2 * p;
    this.d1 = d + 1;
    this.beta = beta;
    this.gates = gates;
    int pairs = d * (d + 1) / 2;
    this.pairA = new int[pairs];
    this.pairB = new int[pairs];
    int idx = 0;
    for (int a = 0; a < d; a++) {
      for (int c = a; c < d; c++) {
        pairA[idx] = a;
        pairB[idx] = c;
        idx++;
      }
    }
  }
}
