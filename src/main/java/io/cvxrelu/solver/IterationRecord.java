package io.cvxrelu.solver;

/**
 * One row of a solver's history: the certificate at an (outer) iteration.
 *
 * @param iteration outer iteration (FISTA iteration for the gated solver, augmented-Lagrangian
 *     round for the ReLU solver)
 * @param innerIterations cumulative proximal-gradient steps so far
 * @param objective convex objective of the current weights
 * @param lowerBound dual objective of the scaled dual point (a lower bound on the optimum)
 * @param relativeGap (objective - lowerBound) / |objective|
 * @param constraintViolation largest violation of the cone constraints (0 for gated)
 * @param seconds wall-clock seconds since the solve started
 */
public record IterationRecord(int iteration, long innerIterations, double objective,
    double lowerBound, double relativeGap, double constraintViolation, double seconds) {

  /** CSV header matching {@link #toCsv()}. */
  public static final String CSV_HEADER =
      "iteration,innerIterations,objective,lowerBound,relativeGap,constraintViolation,seconds";

  public String toCsv() {
    return iteration + "," + innerIterations + "," + objective + "," + lowerBound + ","
        + relativeGap + "," + constraintViolation + "," + seconds;
  }
}
