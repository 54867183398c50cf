package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * L(F, Y) = 1/2 ||F - Y||_F^2, the squared loss of Pilanci and Ergen (2020), eq. (1), on c
 * outputs (one-hot class targets for classification). -L*(-Lambda) = &lt;Lambda, Y&gt; -
 * 1/2 ||Lambda||_F^2, finite everywhere.
 */
public final class OneHotSquaredLoss implements MultiOutputLoss {

  @Override
  public String name() {
    return "squared";
  }

  @Override
  public double valueAndGradient(DenseMatrix f, DenseMatrix y, DenseMatrix grad) {
    double[] fd = f.data();
    double[] yd = y.data();
    double s = 0.0;
    for (int k = 0; k < fd.length; k++) {
      double r = fd[k] - yd[k];
      if (grad != null) {
        grad.data()[k] = r;
      }
      s += r * r;
    }
    return 0.5 * s;
  }

  @Override
  public double dualObjective(DenseMatrix lambda, DenseMatrix y) {
    double[] l = lambda.data();
    double[] yd = y.data();
    double s = 0.0;
    for (int k = 0; k < l.length; k++) {
      s += l[k] * yd[k] - 0.5 * l[k] * l[k];
    }
    return s;
  }

  /** &lt;Lambda, Y&gt; - s ||Lambda||_F^2. */
  @Override
  public double dualSlope(DenseMatrix lambda, DenseMatrix y, double s) {
    double[] l = lambda.data();
    double[] yd = y.data();
    double slope = 0.0;
    for (int k = 0; k < l.length; k++) {
      slope += l[k] * yd[k] - s * l[k] * l[k];
    }
    return slope;
  }

  @Override
  public double maxDualScale(DenseMatrix lambda, DenseMatrix y) {
    return Double.POSITIVE_INFINITY;
  }

  @Override
  public double curvature() {
    return 1.0;
  }
}
