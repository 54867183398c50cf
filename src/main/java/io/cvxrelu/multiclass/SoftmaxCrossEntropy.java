package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * Softmax cross-entropy L(F, Y) = sum_r [log sum_j exp(F_rj) - &lt;F_r, Y_r&gt;] for target rows
 * Y_r on the probability simplex (one-hot labels, or soft labels); with one-hot Y it is
 * -sum_r log softmax(F_r)_{y_r}. The gradient is softmax(F) - Y; each row's Hessian
 * diag(q) - q q^T has eigenvalues at most 1/2.
 *
 * <p>Conjugate: the row loss is lse(f) - &lt;f, y&gt;, whose conjugate at g is the negative
 * entropy sum_j p_j log p_j of p = g + y when p lies on the simplex and +inf otherwise. Hence
 * -L*(-Lambda) = sum_r H(Y_r - Lambda_r), H(p) = -sum_j p_j log p_j, finite only when every
 * row Y_r - Lambda_r is a probability vector: Lambda's rows sum to zero and Lambda &lt;= Y
 * entrywise. The dual point of the certificate, s (Y - softmax(F)), has zero row sums, and
 * Y - s Lambda = (1 - s) Y + s softmax(F) stays on the simplex for s in [0, 1] and up to
 * {@link #maxDualScale} beyond, so the certificate scales along that ray and evaluates the
 * entropy exactly (the vector twin of the binary-entropy dual of
 * {@link io.cvxrelu.problem.LogisticLoss}).
 */
public final class SoftmaxCrossEntropy implements MultiOutputLoss {
  /** Row sums of Lambda and negative entries of Y - Lambda tolerated as rounding. */
  private static final double ROUNDING = 1e-10;

  @Override
  public String name() {
    return "softmax";
  }

  @Override
  public double valueAndGradient(DenseMatrix f, DenseMatrix y, DenseMatrix grad) {
    int n = f.rows();
    int c = f.cols();
    double[] fd = f.data();
    double[] yd = y.data();
    double total = 0.0;
    for (int r = 0; r < n; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        max = Math.max(max, fd[r + j * n]);
      }
      double sum = 0.0;
      for (int j = 0; j < c; j++) {
        sum += Math.exp(fd[r + j * n] - max);
      }
      double lse = max + Math.log(sum);
      double inner = 0.0;
      for (int j = 0; j < c; j++) {
        int k = r + j * n;
        inner += fd[k] * yd[k];
        if (grad != null) {
          grad.data()[k] = Math.exp(fd[k] - lse) - yd[k];
        }
      }
      // sum_j y_rj = 1, so lse - <f, y> = sum_j y_rj (lse - f_rj) >= 0.
      total += lse - inner;
    }
    return total;
  }

  @Override
  public double dualObjective(DenseMatrix lambda, DenseMatrix y) {
    int n = lambda.rows();
    int c = lambda.cols();
    double[] l = lambda.data();
    double[] yd = y.data();
    double total = 0.0;
    double[] p = new double[c];
    for (int r = 0; r < n; r++) {
      double sum = 0.0;
      for (int j = 0; j < c; j++) {
        int k = r + j * n;
        p[j] = yd[k] - l[k];
        if (p[j] < -ROUNDING) {
          return Double.NEGATIVE_INFINITY;
        }
        p[j] = Math.max(0.0, p[j]);
        sum += p[j];
      }
      if (Math.abs(sum - 1.0) > ROUNDING * c) {
        return Double.NEGATIVE_INFINITY;
      }
      for (int j = 0; j < c; j++) {
        double q = p[j] / sum;
        if (q > 0.0) {
          total -= q * Math.log(q);
        }
      }
    }
    return total;
  }

  /**
   * d/ds sum_r H(Y_r - s Lambda_r) = sum_rj Lambda_rj (log p_rj + 1) = sum_rj Lambda_rj log p_rj
   * at p = Y - s Lambda (the rows of Lambda sum to zero); entries with Lambda_rj = 0 add
   * nothing, and one with p_rj = 0 makes the slope infinite (the ray's ends).
   */
  @Override
  public double dualSlope(DenseMatrix lambda, DenseMatrix y, double s) {
    double[] l = lambda.data();
    double[] yd = y.data();
    double slope = 0.0;
    for (int k = 0; k < l.length; k++) {
      if (l[k] != 0.0) {
        slope += l[k] * Math.log(Math.max(0.0, yd[k] - s * l[k]));
      }
    }
    return slope;
  }

  /**
   * min over entries with Lambda_rj &gt; 0 of Y_rj / Lambda_rj (keeps Y - s Lambda &gt;= 0); 0
   * when a row of Lambda does not sum to zero (no positive multiple stays on the simplex).
   */
  @Override
  public double maxDualScale(DenseMatrix lambda, DenseMatrix y) {
    int n = lambda.rows();
    int c = lambda.cols();
    double[] l = lambda.data();
    double[] yd = y.data();
    double s = Double.POSITIVE_INFINITY;
    for (int r = 0; r < n; r++) {
      double sum = 0.0;
      double size = 0.0;
      for (int j = 0; j < c; j++) {
        int k = r + j * n;
        sum += l[k];
        size = Math.max(size, Math.abs(l[k]));
        if (l[k] > 0.0) {
          s = Math.min(s, yd[k] / l[k]);
        }
      }
      if (Math.abs(sum) > ROUNDING * Math.max(1.0, size)) {
        return 0.0;
      }
    }
    return s;
  }

  @Override
  public double curvature() {
    return 0.5;
  }
}
