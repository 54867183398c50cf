package io.cvxrelu.solver.local.ssnal;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.RowBlock;

/**
 * The generalised Hessian I + sigma A J A^T of the inner problem (LST eq. (23)) at the point of
 * the last {@link GroupSoftThreshold#apply}. J is block diagonal (Zhang, Zhang, Sun and Toh
 * 2020, Proposition 3.2): J_i = (1 - c_i) I + c_i w_i w_i^T / ||w_i||^2, c_i = sigma beta /
 * ||w_i||, on the active groups ||w_i|| &gt; sigma beta and 0 elsewhere. The mask columns of the
 * active groups are compacted, so a product costs 4 n d r flops for r active groups instead of
 * the 4 n d P of a full pass.
 */
final class GeneralizedJacobian {
  final ConvexReluProblem problem;
  final int n;
  final int d;
  /** The active groups. */
  final int[] cols;
  /** c_i of each active group. */
  final double[] coef;
  /** The rows with the active groups' mask columns only. */
  final RowBlock rows;
  /** W and its group norms, from the soft-threshold. */
  final DenseMatrix w;
  final double[] norms;

  GeneralizedJacobian(ConvexReluProblem problem, GroupSoftThreshold prox, double sigma) {
    this.problem = problem;
    this.n = problem.n();
    this.d = problem.d();
    this.w = prox.w;
    this.norms = prox.norms;
    int p = problem.blockCount();
    double threshold = sigma * problem.beta();
    int r = 0;
    for (int j = 0; j < p; j++) {
      if (norms[j] > threshold) {
        r++;
      }
    }
    cols = new int[r];
    coef = new double[r];
    r = 0;
    for (int j = 0; j < p; j++) {
      if (norms[j] > threshold) {
        cols[r] = j;
        coef[r] = threshold / norms[j];
        r++;
      }
    }
    byte[] all = problem.block().mask();
    byte[] mask = new byte[n * cols.length];
    for (int c = 0; c < cols.length; c++) {
      System.arraycopy(all, cols[c] * n, mask, c * n, n);
    }
    rows = new RowBlock(0, problem.x(), problem.y(), mask, cols.length);
  }

  /** A B restricted to the active columns of B (the others are zero in a prox). */
  double[] predict(DenseMatrix full) {
    DenseMatrix sub = new DenseMatrix(d, cols.length);
    for (int c = 0; c < cols.length; c++) {
      System.arraycopy(full.data(), cols[c] * d, sub.data(), c * d, d);
    }
    return predictSub(sub);
  }

  private double[] predictSub(DenseMatrix sub) {
    return cols.length == 0 ? new double[n]
        : rows.predictWeightsSplit(sub, Formulation.GATED);
  }

  private DenseMatrix adjointSub(double[] v) {
    return rows.maskedAdjointSplit(v, Formulation.GATED, cols.length);
  }

  /**
   * (I + sigma A J A^T) v, with the two products in single precision when {@code single} is
   * given ({@link SinglePrecisionProducts}; J and the sum stay double), else in double.
   */
  double[] apply(double[] v, double sigma, SinglePrecisionProducts single) {
    if (cols.length == 0) {
      return v.clone();
    }
    DenseMatrix t = single != null ? single.adjoint(rows.mask(), cols.length, v)
        : adjointSub(v);
    double[] td = t.data();
    double[] wd = w.data();
    for (int c = 0; c < cols.length; c++) {
      int off = c * d;
      int woff = cols[c] * d;
      double wn = norms[cols[c]];
      double proj = 0.0;
      for (int k = 0; k < d; k++) {
        proj += wd[woff + k] * td[off + k];
      }
      double cc = coef[c];
      double along = cc * proj / (wn * wn);
      for (int k = 0; k < d; k++) {
        td[off + k] = (1.0 - cc) * td[off + k] + along * wd[woff + k];
      }
    }
    double[] out = single != null ? single.forward(rows.mask(), cols.length, t)
        : predictSub(t);
    for (int k = 0; k < n; k++) {
      out[k] = v[k] + sigma * out[k];
    }
    return out;
  }
}
