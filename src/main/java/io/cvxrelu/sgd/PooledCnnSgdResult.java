package io.cvxrelu.sgd;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.List;

/**
 * What an SGD run on the pooled CNN returns ({@link PooledCnnSgdTrainer}).
 *
 * @param filters h x m, filter u_j in column j (the last finite iterate)
 * @param outputWeights alpha_j (m)
 * @param history per epoch, epoch 0 being the initialisation
 * @param stopReason {@code EPOCHS} when every epoch ran, {@code DIVERGED} when the objective
 *     stopped being finite (the network is then the last finite one)
 */
public record PooledCnnSgdResult(DenseMatrix filters, double[] outputWeights,
    List<EpochRecord> history, String stopReason) {

  /** The last history row. */
  public EpochRecord last() {
    return history.get(history.size() - 1);
  }

  /** The network as CSV: one row per filter j, {@code alpha_j,u_j1,...,u_jh}. */
  public String networkCsv() {
    StringBuilder sb = new StringBuilder("outputWeight");
    for (int t = 0; t < filters.rows(); t++) {
      sb.append(",u").append(t);
    }
    sb.append('\n');
    for (int j = 0; j < outputWeights.length; j++) {
      sb.append(outputWeights[j]);
      for (int t = 0; t < filters.rows(); t++) {
        sb.append(',').append(filters.get(t, j));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
