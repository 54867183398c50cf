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

  /** A listener that does nothing. */
  IterationListener NONE = r -> true;
}
