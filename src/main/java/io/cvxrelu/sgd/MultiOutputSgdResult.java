package io.cvxrelu.sgd;

import io.cvxrelu.multiclass.ReluVectorNetwork;
import java.util.List;

/**
 * What a {@link MultiOutputSgdTrainer} run returns: the final network, the per-epoch history
 * and the stop reason.
 *
 * @param stopReason {@code EPOCHS} when every epoch ran, {@code DIVERGED} when the objective
 *     stopped being finite (the network is then the last finite one)
 */
public record MultiOutputSgdResult(ReluVectorNetwork network, List<EpochRecord> history,
    String stopReason) {

  /** The last history row. */
  public EpochRecord last() {
    return history.get(history.size() - 1);
  }
}
