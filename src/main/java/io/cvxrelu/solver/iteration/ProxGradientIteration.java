package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * An accelerated proximal-gradient iteration for the group lasso as the solver loops see it:
 * one implementation keeps the data on this node ({@link Fista}, {@link PredictionSpaceFista}),
 * another sums the gradient over row blocks on a cluster, and the same loops
 * ({@link GatedFistaLoop}, {@link AugmentedLagrangian}) drive either.
 */
public interface ProxGradientIteration {
  /**
   * One accelerated step.
   *
   * @return false when the step size underflowed (no further progress is possible)
   */
  boolean step();

  /** Steps taken so far. */
  long steps();

  /** Current iterate (live view; copy before keeping). */
  DenseMatrix iterate();

  /** Largest block norm of the last gradient mapping (Y - X+) / t (the inner stopping test). */
  double gradientMapping();
}
