package io.cvxrelu.problem;

/**
 * L(z, y) = sum_j log(1 + exp(-y_j z_j)) for labels y_j in {-1, +1} ({0, 1} labels are mapped
 * to -1, +1).
 *
 * <p>Its dual objective at lambda_j = y_j s_j with s_j in [0, 1] is the binary entropy
 * sum_j H(s_j), H(s) = -s log s - (1 - s) log(1 - s); outside that box the conjugate is +inf.
 */
public final class LogisticLoss implements Loss {

  @Override
  public String name() {
    return "logistic";
  }

  @Override
  public double valueAndGradient(double[] z, double[] y, double[] grad) {
    double s = 0.0;
    for (int j = 0; j < z.length; j++) {
      double m = -y[j] * z[j];
      s += softplus(m);
      if (grad != null) {
        grad[j] = -y[j] * sigmoid(m);
      }
    }
    return s;
  }

  @Override
  public double dualObjective(double[] lambda, double[] y) {
    double total = 0.0;
    for (int j = 0; j < lambda.length; j++) {
      double s = lambda[j] * y[j];
      if (s < 0.0 || s > 1.0) {
        // Rounding can push s a hair outside [0, 1]; anything more is a real violation.
        if (s < -1e-12 || s > 1.0 + 1e-12) {
          return Double.NEGATIVE_INFINITY;
        }
        s = Math.min(1.0, Math.max(0.0, s));
      }
      total += entropy(s);
    }
    return total;
  }

  @Override
  public double maxDualScale(double[] lambda, double[] y) {
    double worst = 0.0;
    for (int j = 0; j < lambda.length; j++) {
      worst = Math.max(worst, lambda[j] * y[j]);
    }
    return worst > 0.0 ? 1.0 / worst : Double.POSITIVE_INFINITY;
  }

  @Override
  public double curvature() {
    return 0.25;
  }

  @Override
  public double[] canonicalLabels(double[] y) {
    boolean zeroOne = true;
    boolean plusMinus = true;
    for (double v : y) {
      zeroOne &= v == 0.0 || v == 1.0;
      plusMinus &= v == -1.0 || v == 1.0;
    }
    if (!zeroOne && !plusMinus) {
      throw new IllegalArgumentException(
          "logistic loss needs binary labels in {-1, +1} or {0, 1}");
    }
    double[] out = y.clone();
    if (!plusMinus) {
      for (int j = 0; j < out.length; j++) {
        out[j] = out[j] == 0.0 ? -1.0 : 1.0;
      }
    }
    return out;
  }

  @Override
  public boolean isClassification() {
    return true;
  }

  static double softplus(double m) {
    return m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }

  static double sigmoid(double m) {
    if (m >= 0) {
      return 1.0 / (1.0 + Math.exp(-m));
    }
    double e = Math.exp(m);
    return e / (1.0 + e);
  }

  static double entropy(double s) {
    double h = 0.0;
    if (s > 0.0) {
      h -= s * Math.log(s);
    }
    if (s < 1.0) {
      h -= (1.0 - s) * Math.log1p(-s);
    }
    return h;
  }
}
