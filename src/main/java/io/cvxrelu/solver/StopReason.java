package io.cvxrelu.solver;

/** Why a solver returned. */
public enum StopReason {
  /** Relative duality gap at or below the tolerance, and the cone constraints hold. */
  CONVERGED,
  /** The iteration budget ran out before the certificate reached the tolerance. */
  MAX_ITERATIONS,
  /** The wall-clock budget ran out. */
  TIME_LIMIT,
  /** Iterates stopped changing (step size underflow) before the tolerance was met. */
  STALLED,
  /** A listener asked to stop. */
  STOPPED_BY_LISTENER,
  /** A non-finite value appeared (overflowing data or a diverging step). */
  NUMERICAL_FAILURE
}
