package io.cvxrelu.sgd;

import io.cvxrelu.model.ReluNetwork;
import java.util.List;

/**
 * What an SGD run returns: the final network, the per-epoch history and the training time.
 *
 * @param stopReason {@code EPOCHS} when every epoch ran, {@code DIVERGED} when the objective
 *     stopped being finite (the network is then the last finite one)
 */
public record SgdResult(ReluNetwork network, List<EpochRecord> history, String stopReason) {

  /** The last history row. */
  public EpochRecord last() {
    return history.get(history.size() - 1);
  }
}
