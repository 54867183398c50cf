package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.solver.StopReason;

/**
 * What {@link RelaxationSolver} returns for one draw.
 *
 * <p>For the LP (9) the primal value is r^T w (maximised) and the dual value y^T v of (10)
 * (minimised); for the QP (8) the primal value is 1/2 ||sum_j z_ij - y||^2 - beta r^T w and the
 * dual value -y^T v - 1/2 ||v||^2. Their difference is the certificate. When the program is
 * unbounded the filter is a certified ray d (X_ij d &lt;= 0 for every patch, r^T d &gt; 0) and
 * the values are infinite.
 *
 * @param filter w (f entries), or the unit ray d when unbounded
 * @param outcome optimal, unbounded, or not solved (the stop reason says why)
 * @param stopReason why the interior point stopped (CONVERGED also for a certified ray)
 * @param primalValue the primal objective at w
 * @param dualValue the dual objective at (v, lambda)
 * @param primalResidual the largest relative violation of the primal constraints
 * @param dualResidual the largest relative violation of the dual constraints
 * @param iterations interior-point iterations
 */
public record RelaxationResult(double[] filter, Outcome outcome, StopReason stopReason,
    double primalValue, double dualValue, double primalResidual, double dualResidual,
    int iterations) implements java.io.Serializable {

  /** The three ends of a solve. */
  public enum Outcome {
    /** Converged to an optimum with the certificate within tolerance. */
    OPTIMAL,
    /** r is outside cone{X_ij^T}: the dual is infeasible and {@link #filter} is a ray. */
    UNBOUNDED,
    /** Stopped before the tolerance was met. */
    NOT_SOLVED
  }

  /** The relative duality gap |primal - dual| / max(1, |primal|). */
  public double relativeGap() {
    if (outcome != Outcome.OPTIMAL) {
      return Double.NaN;
    }
    return Math.abs(primalValue - dualValue) / Math.max(1.0, Math.abs(primalValue));
  }

  /** Certified: an optimum whose stop reason says converged. */
  public boolean certified() {
    return outcome == Outcome.OPTIMAL && stopReason == StopReason.CONVERGED;
  }
}
