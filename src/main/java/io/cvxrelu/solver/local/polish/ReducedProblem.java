package io.cvxrelu.solver.local.polish;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The smooth problem left when the support (active blocks) and their tight rows T_j are fixed:
 * with N_j an orthonormal basis of the null space of K_{T_j} (u_j = N_j c_j keeps those rows
 * at zero),
 * <pre>
 *   f(c) = 1/2 ||A c - y||^2 + beta sum_j ||c_j||,   A = [sign_j D_j X N_j],
 * </pre>
 * kept as G = A^T A, h = A^T y and y^T y, with the coordinates c of the starting blocks.
 */
final class ReducedProblem {
  final ConeRows rows;
  final double beta;
  /** Blocks in the support, and the block index j of each. */
  final int nb;
  final int[] blocks;
  /** Coordinates in all, and the first coordinate of each support block (nb + 1 entries). */
  final int total;
  final int[] offs;
  /** The support block t of each coordinate. */
  final int[] blockOfCol;
  /** X N_j, one column per coordinate (n x total). */
  final DenseMatrix xn;
  final double[] g;
  final double[] h;
  final double yy;
  /** The coordinates of the starting blocks, N_j^T b0_j. */
  final double[] start;
  /** N_j per block index j (null off the support), d x dims[j]. */
  private final double[][] bases;
  private final int[] dims;

  private ReducedProblem(ConeRows rows, int nb, int[] blocks, double[][] bases, int[] dims,
      int total) {
    this.rows = rows;
    this.beta = rows.problem.beta();
    this.nb = nb;
    this.blocks = blocks;
    this.bases = bases;
    this.dims = dims;
    this.total = total;
    this.offs = new int[nb + 1];
    this.blockOfCol = new int[total];
    this.xn = new DenseMatrix(rows.n, total);
    this.start = new double[total];
    this.g = new double[total * total];
    this.h = new double[total];
    this.yy = Blas.dot(rows.n, rows.problem.y(), rows.problem.y());
  }

  /**
   * The reduced problem of the active blocks with their tight rows, from blocks b0. A block
   * whose tight rows leave no null space is dropped from {@code active}. Null when no block is
   * left.
   */
  static ReducedProblem of(ConeRows rows, boolean[] active, boolean[][] tight, DenseMatrix b0) {
    int q = rows.q;
    int[] blocks = new int[q];
    int nb = 0;
    double[][] bases = new double[q][];
    int[] dims = new int[q];
    int total = 0;
    for (int j = 0; j < q; j++) {
      if (!active[j]) {
        continue;
      }
      double[] basis = rows.nullSpace(tight[j]);
      if (basis == null) {
        active[j] = false;
        continue;
      }
      bases[j] = basis;
      dims[j] = basis.length / rows.d;
      blocks[nb++] = j;
      total += dims[j];
    }
    if (nb == 0 || total == 0) {
      return null;
    }
    ReducedProblem red = new ReducedProblem(rows, nb, blocks, bases, dims, total);
    red.assemble(b0);
    return red;
  }

  /** A = [sign_j D_j X N_j] (n x total), then G = A^T A and h = A^T y. */
  private void assemble(DenseMatrix b0) {
    int n = rows.n;
    int d = rows.d;
    DenseMatrix a = new DenseMatrix(n, total);
    double[] b0d = b0.data();
    for (int t = 0, col = 0; t < nb; t++) {
      int j = blocks[t];
      int k = dims[j];
      offs[t] = col;
      DenseMatrix nj = new DenseMatrix(d, k, bases[j]);
      DenseMatrix xnj = new DenseMatrix(n, k);
      Blas.gemm(false, false, 1.0, rows.problem.x(), nj, 0.0, xnj);
      double sgn = j < rows.p ? 1.0 : -1.0;
      double[] ad = a.data();
      double[] xnd = xnj.data();
      System.arraycopy(xnd, 0, xn.data(), col * n, k * n);
      for (int cc = 0; cc < k; cc++) {
        blockOfCol[col + cc] = t;
        for (int r = 0; r < n; r++) {
          ad[(col + cc) * n + r] = rows.positive(j, r) ? sgn * xnd[cc * n + r] : 0.0;
        }
        double s = 0.0;
        for (int i = 0; i < d; i++) {
          s += bases[j][cc * d + i] * b0d[j * d + i];
        }
        start[col + cc] = s;
      }
      col += k;
      offs[t + 1] = col;
    }
    Blas.gemm(true, false, 1.0, a, a, 0.0, new DenseMatrix(total, total, g));
    Blas.gemm(true, false, 1.0, a, new DenseMatrix(n, 1, rows.problem.y().clone()), 0.0,
        new DenseMatrix(total, 1, h));
  }

  /** 1/2 c^T G c - h^T c + yy/2 + beta sum ||c_j||; writes G c - h into gc. */
  double value(double[] c, double[] gc) {
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

  /** The blocks u_j = N_j c_j (d x 2P, zero off the support). */
  DenseMatrix lift(double[] c) {
    int d = rows.d;
    DenseMatrix u = new DenseMatrix(d, rows.q);
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
}
