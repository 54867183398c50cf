package io.cvxrelu.model;

/**
 * Training and test metrics shared by every job, the SGD trainer and the reports: one
 * definition of classification accuracy (sign of the prediction against +-1 labels) and of the
 * mean squared error.
 */
public final class Metrics {
  private Metrics() {}

  /** Share of rows whose prediction has the sign of its +-1 label (0 counts as -1). */
  public static double accuracy(double[] prediction, double[] y) {
    int ok = 0;
    for (int i = 0; i < y.length; i++) {
      if ((prediction[i] > 0.0 ? 1.0 : -1.0) == y[i]) {
        ok++;
      }
    }
    return (double) ok / y.length;
  }

  /** Mean squared error of the predictions. */
  public static double mse(double[] prediction, double[] y) {
    double s = 0.0;
    for (int i = 0; i < y.length; i++) {
      double r = prediction[i] - y[i];
      s += r * r;
    }
    return s / y.length;
  }

  /** Whether every label is +1 or -1 (a classification task in canonical form). */
  public static boolean isPlusMinusOne(double[] y) {
    for (double v : y) {
      if (v != 1.0 && v != -1.0) {
        return false;
      }
    }
    return true;
  }
}
