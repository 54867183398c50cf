package io.cvxrelu.solver;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.local.AdmmReluSolver;
import io.cvxrelu.solver.local.AugmentedLagrangianSolver;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;

/** A single-node solver of the convex program; stateless, safe to reuse. */
public interface ConvexSolver {

  /**
   * Solves {@code problem} from {@code warmStart} (d x q blocks, or null for zero).
   *
   * @return weights, certificate, history and stop reason; never throws on non-convergence
   */
  SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart, SolverOptions options,
      IterationListener listener);

  /** Largest n for which ADMM's n x n factor is used (about 3 GB at the limit). */
  int ADMM_MAX_ROWS = 20_000;

  /**
   * The default solver for a problem: for gated, the semismooth Newton augmented Lagrangian
   * method with squared loss when its working arrays fit ({@link SsnalGatedSolver#supports};
   * on the bench's gated target it certified 1e-6 where FISTA was still near 1e-3), FISTA
   * otherwise (logistic loss, very large n P); for ReLU with squared loss the
   * interior-point method when P d is small enough for its normal equations, else ADMM with
   * active-set polish for n up to {@link #ADMM_MAX_ROWS}; augmented Lagrangian otherwise.
   */
  static ConvexSolver forProblem(io.cvxrelu.problem.ConvexReluProblem problem) {
    if (problem.formulation() == Formulation.GATED) {
      return SsnalGatedSolver.supports(problem) ? new SsnalGatedSolver()
          : new GatedFistaSolver();
    }
    if (InteriorPointReluSolver.supports(problem)) {
      return new InteriorPointReluSolver();
    }
    return AdmmReluSolver.supports(problem) && problem.n() <= ADMM_MAX_ROWS
        ? new AdmmReluSolver() : new AugmentedLagrangianSolver();
  }
}
