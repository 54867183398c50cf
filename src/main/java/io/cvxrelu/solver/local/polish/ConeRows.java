package io.cvxrelu.solver.local.polish;

import dev.ludovic.netlib.lapack.LAPACK;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.problem.ConvexReluProblem;
import org.netlib.util.intW;

/**
 * The rows of the cone constraints K_j u_j &gt;= 0, K_j = (2 D_j - I) X, of the ReLU program
 * for blocks j = 0..2P-1 (v_1..v_P, then w_1..w_P): the data rows x_k, their squared norms and
 * the sign of row k in block j, with the null space of a set of tight rows.
 */
final class ConeRows {
  private static final LAPACK LAPACK_IMPL = LAPACK.getInstance();

  final ConvexReluProblem problem;
  final int n;
  final int d;
  final int p;
  /** Blocks, 2 P. */
  final int q;
  /** X, n x d column-major. */
  final double[] xd;
  /** ||x_k||^2. */
  final double[] rowNorm2;
  private final byte[] mask;

  ConeRows(ConvexReluProblem problem) {
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

  /** Whether row k of block j is a row of D_j (sign +1 in K_j) rather than of I - D_j. */
  boolean positive(int j, int k) {
    return mask[(j % p) * n + k] != 0;
  }

  /** (K_j x)_k for the value z = (X u_j)_k. */
  double coneValue(int j, int k, double z) {
    return positive(j, k) ? z : -z;
  }

  /** Orthonormal basis (d x k, column-major) of the null space of K_{T}, or null if k = 0. */
  double[] nullSpace(boolean[] tight) {
    int count = 0;
    for (int k = 0; k < n; k++) {
      if (tight[k]) {
        count++;
      }
    }
    if (count == 0) {
      double[] id = new double[d * d];
      for (int i = 0; i < d; i++) {
        id[i * d + i] = 1.0;
      }
      return id;
    }
    // The tight rows, each scaled to unit length, gathered (count x d, column-major), and their
    // Gram sum_k x_k x_k^T / ||x_k||^2 by one GEMM: the eigenvectors of its zero eigenvalues
    // span the null space. (A Java loop over the rows here took 18 of 73 s of an ADMM run at
    // n = 10^4, d = 100, P = 1,000.)
    double[] unit = new double[count * d];
    int r = 0;
    for (int k = 0; k < n; k++) {
      if (!tight[k]) {
        continue;
      }
      double inv = 1.0 / Math.sqrt(Math.max(rowNorm2[k], 1e-300));
      for (int a = 0; a < d; a++) {
        unit[r + a * count] = xd[k + a * n] * inv;
      }
      r++;
    }
    double[] gram = new double[d * d];
    Blas.gemm(true, false, d, d, count, 1.0, unit, 0, count, unit, 0, count, 0.0, gram, 0, d);
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
}
