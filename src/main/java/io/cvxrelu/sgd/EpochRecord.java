package io.cvxrelu.sgd;

/**
 * The state of an SGD run after an epoch (epoch 0: the initialisation).
 *
 * @param objective the full training objective L(f(X), y) + beta/2 sum_j (||u_j||^2 +
 *     alpha_j^2), the same function the convex program's optimum is compared with
 * @param trainAccuracy fraction of training rows with sign(f(x)) = y (NaN unless labels are ±1)
 * @param testAccuracy the same on the test rows (NaN without test data or ±1 labels)
 * @param seconds training time so far, excluding these evaluations
 * @param samples mini-batch rows processed so far
 */
public record EpochRecord(int epoch, double objective, double trainAccuracy,
    double testAccuracy, double seconds, long samples) {

  /** CSV header matching {@link #toCsv()}. */
  public static final String CSV_HEADER =
      "epoch,samples,objective,trainAccuracy,testAccuracy,seconds";

  /** One CSV row; accuracies that do not apply are left empty. */
  public String toCsv() {
    return epoch + "," + samples + "," + objective + "," + field(trainAccuracy) + ","
        + field(testAccuracy) + "," + seconds;
  }

  private static String field(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}
