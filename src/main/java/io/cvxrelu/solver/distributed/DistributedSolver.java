package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;

/**
 * A solver of the convex program over distributed row blocks ({@link DistributedProblem}),
 * the distributed counterpart of {@link io.cvxrelu.solver.ConvexSolver}: it can save its state
 * to a {@link SolverCheckpoint} every few steps and resume from it.
 */
public interface DistributedSolver {

  /**
   * Solves from {@code warmStart} (d x q; null: zero), or from the checkpoint when
   * {@code resume} is set.
   *
   * @param checkpoint where state is saved every few steps and when a budget runs out (null:
   *     none)
   */
  SolverResult solve(DistributedProblem problem, DenseMatrix warmStart, SolverOptions options,
      IterationListener listener, SolverCheckpoint checkpoint, boolean resume);

  /** Solves from zero, or from the checkpoint when {@code resume} is set. */
  default SolverResult solve(DistributedProblem problem, SolverOptions options,
      IterationListener listener, SolverCheckpoint checkpoint, boolean resume) {
    return solve(problem, null, options, listener, checkpoint, resume);
  }

  /** The distributed solver of a formulation: gated FISTA, or the augmented Lagrangian. */
  static DistributedSolver forFormulation(Formulation formulation) {
    return formulation == Formulation.GATED ? new DistributedGatedSolver()
        : new DistributedReluSolver();
  }
}
