package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * A convex loss of an n x c prediction matrix F against targets Y, separable over rows, with
 * the Fenchel conjugate the duality-gap certificate needs: for a dual point Lambda (n x c) the
 * dual objective of the program is -L*(-Lambda) (Pilanci and Ergen 2020, Sec. 5, for general
 * convex losses; Sahiner et al. 2021 for vector outputs).
 */
public interface MultiOutputLoss {

  /** {@code squared} or {@code softmax}. */
  String name();

  /** Writes dL/dF into {@code grad} (unless null) and returns L(F, Y). */
  double valueAndGradient(DenseMatrix f, DenseMatrix y, DenseMatrix grad);

  /** -L*(-Lambda); {@code Double.NEGATIVE_INFINITY} outside the conjugate's domain. */
  double dualObjective(DenseMatrix lambda, DenseMatrix y);

  /**
   * d/ds of -L*(-s Lambda), the slope of the dual objective along the ray (concave in s, so
   * the slope falls); evaluated inside the domain.
   */
  double dualSlope(DenseMatrix lambda, DenseMatrix y, double s);

  /** Largest s &gt;= 0 with s * Lambda in the conjugate's domain (infinite when unbounded). */
  double maxDualScale(DenseMatrix lambda, DenseMatrix y);

  /** Upper bound on the Hessian's largest eigenvalue per row (1 squared, 1/2 softmax). */
  double curvature();

  /** Loss by name. */
  static MultiOutputLoss forName(String name) {
    switch (name) {
      case "squared":
        return new OneHotSquaredLoss();
      case "softmax":
        return new SoftmaxCrossEntropy();
      default:
        throw new IllegalArgumentException("unknown loss '" + name
            + "' (expected squared or softmax)");
    }
  }
}
