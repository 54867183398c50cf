package io.cvxrelu.scoring;

import java.io.Serializable;

/**
 * The sums behind a scoring run's metrics, taken block by block and merged: rows, rows whose
 * sign matches a +-1 label, squared error and the loss, with the definitions of
 * {@code model.Metrics} (a zero output counts as -1) so that accuracy and MSE equal those a
 * training run reports on the same rows.
 */
public final class ScoreSums implements Serializable {
  private static final long serialVersionUID = 1L;
  private long rows;
  private long correct;
  private long notPlusMinusOne;
  private double squaredError;
  private double loss;

  /** Adds a block's outputs f against its labels in the loss's canonical coding. */
  public ScoreSums add(double[] f, double[] y, io.cvxrelu.problem.Loss l) {
    rows += y.length;
    loss += l.value(f, y);
    for (int i = 0; i < y.length; i++) {
      if ((f[i] > 0.0 ? 1.0 : -1.0) == y[i]) {
        correct++;
      }
      if (y[i] != 1.0 && y[i] != -1.0) {
        notPlusMinusOne++;
      }
      double r = f[i] - y[i];
      squaredError += r * r;
    }
    return this;
  }

  /** This plus {@code other}, in place. */
  public ScoreSums merge(ScoreSums other) {
    rows += other.rows;
    correct += other.correct;
    notPlusMinusOne += other.notPlusMinusOne;
    squaredError += other.squaredError;
    loss += other.loss;
    return this;
  }

  public long rows() {
    return rows;
  }

  /** Share of rows classified right; NaN when a label is not +-1 (no accuracy then). */
  public double accuracy() {
    return notPlusMinusOne > 0 || rows == 0 ? Double.NaN : (double) correct / rows;
  }

  public double mse() {
    return squaredError / rows;
  }

  /** The loss per row, L(f, y) / n. */
  public double meanLoss() {
    return loss / rows;
  }
}
