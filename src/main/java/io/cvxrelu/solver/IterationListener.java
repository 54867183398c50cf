package io.cvxrelu.solver;

/** Sees every history record as it is made: progress logs, checkpoints, plots. */
@FunctionalInterface
public interface IterationListener {
  /**
   * Called after each recorded iteration.
   *
   * @return false to stop the solver (reason {@link StopReason#STOPPED_BY_LISTENER})
   */
  boolean onIteration(IterationRecord record);

  /**
   * Called after each recorded iteration with the weights the record certifies (read only,
   * valid during the call), for listeners that evaluate the model itself, e.g. its accuracy.
   *
   * @return false to stop the solver (reason {@link StopReason#STOPPED_BY_LISTENER})
   */
  default boolean onIteration(IterationRecord record, io.cvxrelu.linalg.DenseMatrix weights) {
    return onIteration(record);
  }

  /** A listener that does nothing. */
  IterationListener NONE = r -> true;
}
