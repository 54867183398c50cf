package io.cvxrelu.solver.local.ssnal;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * prox_{sigma p}(W), p(B) = beta sum_i ||B_i||, at W = B - sigma A^T xi: the group
 * soft-threshold W_i max(0, 1 - sigma beta / ||w_i||). It keeps W and the norms ||w_i|| of the
 * last point, which the {@link GeneralizedJacobian} at that point reads.
 */
final class GroupSoftThreshold {
  private final int d;
  private final int p;
  private final double beta;
  /** W = B - sigma A^T xi of the last {@link #apply}, d x P. */
  final DenseMatrix w;
  /** ||w_i|| of the last {@link #apply}. */
  final double[] norms;

  GroupSoftThreshold(int d, int p, double beta) {
    this.d = d;
    this.p = p;
    this.beta = beta;
    this.w = new DenseMatrix(d, p);
    this.norms = new double[p];
  }

  /** prox_{sigma p}(b - sigma atXi), the group soft-threshold; keeps W and its norms. */
  DenseMatrix apply(DenseMatrix b, DenseMatrix atXi, double sigma) {
    double[] bd = b.data();
    double[] a = atXi.data();
    double[] wd = w.data();
    DenseMatrix out = new DenseMatrix(d, p);
    double[] od = out.data();
    double threshold = sigma * beta;
    for (int j = 0; j < p; j++) {
      int off = j * d;
      double s = 0.0;
      for (int k = off; k < off + d; k++) {
        double v = bd[k] - sigma * a[k];
        wd[k] = v;
        s += v * v;
      }
      double norm = Math.sqrt(s);
      norms[j] = norm;
      if (norm > threshold) {
        double scale = 1.0 - threshold / norm;
        for (int k = off; k < off + d; k++) {
          od[k] = scale * wd[k];
        }
      }
    }
    return out;
  }
}
