package io.cvxrelu.sgd;

import io.cvxrelu.deep.DeepNetwork;
import java.util.List;

/**
 * What a run of {@link DeepSgdTrainer} returns.
 *
 * @param stopReason {@code EPOCHS} when every epoch ran, {@code DIVERGED} when the objective
 *     stopped being finite (the network is then the last finite one)
 */
public record DeepSgdResult(DeepNetwork network, List<EpochRecord> history, String stopReason) {

  /** The last history row. */
  public EpochRecord last() {
    return history.get(history.size() - 1);
  }

  /** The lowest objective over the epochs (the last one when the step decays). */
  public double bestObjective() {
    return history.stream().mapToDouble(EpochRecord::objective).min().orElse(Double.NaN);
  }
}
