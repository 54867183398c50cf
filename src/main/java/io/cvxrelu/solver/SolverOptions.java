package io.cvxrelu.solver;

/**
 * Stopping rules shared by all solvers.
 *
 * @param tolerance target relative duality gap (default 1e-6)
 * @param feasibilityTolerance cone-constraint violation allowed at convergence, relative to
 *     max(1, max |y|) (default 1e-9)
 * @param maxIterations budget of proximal-gradient steps (inner steps for the ReLU solver)
 * @param maxSeconds wall-clock budget
 */
public record SolverOptions(double tolerance, double feasibilityTolerance, long maxIterations,
    double maxSeconds) {

  public static final SolverOptions DEFAULTS = new SolverOptions(1e-6, 1e-9, 200_000, 3600.0);

  public SolverOptions {
    if (!(tolerance > 0.0) || !(feasibilityTolerance > 0.0)) {
      throw new IllegalArgumentException("tolerances must be positive");
    }
    if (maxIterations <= 0 || !(maxSeconds > 0.0)) {
      throw new IllegalArgumentException("iteration and time budgets must be positive");
    }
  }

  public SolverOptions withMaxIterations(long it) {
    return new SolverOptions(tolerance, feasibilityTolerance, it, maxSeconds);
  }
}
