package io.cvxrelu.solver;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;

/** A single-node solver of the convex program; stateless, safe to reuse. */
public interface ConvexSolver {

  /**
   * Solves {@code problem} from {@code warmStart} (d x q blocks, or null for zero).
   *
   * @return weights, certificate, history and stop reason; never throws on non-convergence
   */
  SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart, SolverOptions options,
      IterationListener listener);

  /** The default solver for a formulation: FISTA for gated, augmented Lagrangian for ReLU. */
  static ConvexSolver forFormulation(Formulation formulation) {
    return formulation == Formulation.GATED ? new GatedFistaSolver()
        : new AugmentedLagrangianSolver();
  }

  /**
   * The default solver for a problem: FISTA for gated; for ReLU, ADMM with the exact u-step when
   * the loss is squared and the n x n factor fits comfortably, the augmented Lagrangian
   * otherwise.
   */
  static ConvexSolver forProblem(ConvexReluProblem problem) {
    if (problem.formulation() == Formulation.GATED) {
      return new GatedFistaSolver();
    }
    return AdmmReluSolver.supports(problem) && problem.n() <= 20_000 ? new AdmmReluSolver()
        : new AugmentedLagrangianSolver();
  }
}
