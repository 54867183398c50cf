package io.cvxrelu.solver;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * A single-node solver of the convex program; stateless, safe to reuse. Which one solves a
 * given problem is decided above the solvers ({@code io.cvxrelu.train.SolverChoice}), so this
 * contract knows none of its implementations.
 */
public interface ConvexSolver {

  /**
   * Solves {@code problem} from {@code warmStart} (d x q blocks, or null for zero).
   *
   * @return weights, certificate, history and stop reason; never throws on non-convergence
   */
  SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart, SolverOptions options,
      IterationListener listener);
}
