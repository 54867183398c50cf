package io.cvxrelu.problem;

/** L(z, y) = 1/2 ||z - y||^2, the loss of Pilanci and Ergen (2020), eq. (1). */
public final class SquaredLoss implements Loss {

  @Override
  public String name() {
    return "squared";
  }

  @Override
  public double valueAndGradient(double[] z, double[] y, double[] grad) {
    double s = 0.0;
    for (int j = 0; j < z.length; j++) {
      double r = z[j] - y[j];
      if (grad != null) {
        grad[j] = r;
      }
      s += r * r;
    }
    return 0.5 * s;
  }

  /** -L*(-lambda) = lambda^T y - 1/2 ||lambda||^2. */
  @Override
  public double dualObjective(double[] lambda, double[] y) {
    double s = 0.0;
    for (int j = 0; j < lambda.length; j++) {
      s += lambda[j] * y[j] - 0.5 * lambda[j] * lambda[j];
    }
    return s;
  }

  @Override
  public double curvature() {
    return 1.0;
  }

  @Override
  public double[] canonicalLabels(double[] y) {
    return y.clone();
  }

  @Override
  public boolean isClassification() {
    return false;
  }
}
