package io.cvxrelu.spline;

import io.cvxrelu.solver.StopReason;

/**
 * What {@link SplineLassoSolver} returns: the atom weights w, the free intercept c, the primal
 * objective at them, the dual lower bound and the named stop reason. Certified when the reason
 * is {@link StopReason#CONVERGED}: then {@code objective - dual <= tolerance * objective}.
 *
 * @param weights one weight per atom of the program (right ramps first)
 * @param intercept the free output intercept c = mean(y - A w)
 * @param objective 1/2 ||c + A w - y||^2 + beta ||w||_1
 * @param dual the Lasso dual value at the scaled residual (a lower bound on the optimum)
 * @param sweeps coordinate-descent sweeps made
 */
public record SplineFit(double[] weights, double intercept, double objective, double dual,
    StopReason stopReason, long sweeps) {

  /** The duality gap objective - dual (non-negative up to rounding). */
  public double gap() {
    return objective - dual;
  }

  /** The gap relative to the objective (0 when both are 0). */
  public double relativeGap() {
    return objective > 0.0 ? gap() / objective : Math.abs(gap());
  }

  /** Whether the fit is certified to the solver's tolerance. */
  public boolean certified() {
    return stopReason == StopReason.CONVERGED;
  }
}
