package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Loss;

/**
 * A multi-output loss seen as a loss of the column-stacked vector vec(F) (n c entries, the
 * n x c prediction matrix in column-major order) against vec(Y): what lets the multi-output
 * ReLU program stand where the scalar program's loss is read ({@link
 * io.cvxrelu.problem.ConvexProgram}), the augmented-Lagrangian loop taking its curvature.
 * Values, gradients and conjugates are the wrapped loss's; separable over rows of F, not over
 * entries of vec(F).
 */
final class ColumnStackedLoss implements Loss {
  private static final long serialVersionUID = 1L;
  private final MultiOutputLoss loss;
  private final int outputs;

  ColumnStackedLoss(MultiOutputLoss loss, int outputs) {
    this.loss = loss;
    this.outputs = outputs;
  }

  private DenseMatrix matrix(double[] v) {
    return new DenseMatrix(v.length / outputs, outputs, v);
  }

  @Override
  public String name() {
    return loss.name();
  }

  @Override
  public double valueAndGradient(double[] z, double[] y, double[] grad) {
    return loss.valueAndGradient(matrix(z), matrix(y), grad == null ? null : matrix(grad));
  }

  @Override
  public double dualObjective(double[] lambda, double[] y) {
    return loss.dualObjective(matrix(lambda), matrix(y));
  }

  @Override
  public double maxDualScale(double[] lambda, double[] y) {
    return loss.maxDualScale(matrix(lambda), matrix(y));
  }

  @Override
  public double curvature() {
    return loss.curvature();
  }

  /** Targets as given: one-hot rows (softmax needs rows on the simplex, checked by its dual). */
  @Override
  public double[] canonicalLabels(double[] y) {
    if (y.length % outputs != 0) {
      throw new IllegalArgumentException(y.length + " targets for " + outputs + " outputs");
    }
    return y;
  }

  @Override
  public boolean isClassification() {
    return true;
  }
}
