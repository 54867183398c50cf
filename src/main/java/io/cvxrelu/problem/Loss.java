package io.cvxrelu.problem;

/**
 * A separable convex loss L(z, y) = sum_j l(z_j, y_j) with its Fenchel dual, as needed by the
 * duality-gap certificate: for a dual point lambda, -L*(-lambda) is the dual objective of the
 * convex program (Pilanci and Ergen 2020, eq. (8) for the squared loss; Sec. 5 for general
 * convex losses).
 */
public interface Loss extends java.io.Serializable {

  /** Short name used in options and output: {@code squared} or {@code logistic}. */
  String name();

  /** L(z, y). */
  default double value(double[] z, double[] y) {
    return valueAndGradient(z, y, null);
  }

  /** Writes dL/dz into {@code grad} (unless it is null) and returns L(z, y). */
  double valueAndGradient(double[] z, double[] y, double[] grad);

  /**
   * The dual objective -L*(-lambda); {@code Double.NEGATIVE_INFINITY} where lambda is outside
   * the conjugate's domain.
   */
  double dualObjective(double[] lambda, double[] y);

  /**
   * Largest s &gt;= 0 such that s * lambda stays in the conjugate's domain (infinite for the
   * squared loss).
   */
  default double maxDualScale(double[] lambda, double[] y) {
    return Double.POSITIVE_INFINITY;
  }

  /** Upper bound on the second derivative of l in z (1 for squared, 1/4 for logistic). */
  double curvature();

  /** Checks the labels this loss accepts and returns them in its canonical coding. */
  double[] canonicalLabels(double[] y);

  /** True when predictions are classes (sign of the output). */
  boolean isClassification();

  /** Loss by name. */
  static Loss forName(String name) {
    switch (name) {
      case "squared":
        return new SquaredLoss();
      case "logistic":
        return new LogisticLoss();
      default:
        throw new IllegalArgumentException("unknown loss '" + name + "' (expected squared or logistic)");
    }
  }
}
