package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.List;

/**
 * The warm-start guarantees of {@code solver.local.WarmStartedSolver} for the solvers over row
 * blocks: the start is certified in one pass ({@link DistributedProblem#certificate}, eq. (8)
 * of Pilanci and Ergen 2020) and returned at once when it certifies, and a budgeted solve that
 * ends without converging never returns a point worse than a feasible start. The ReLU start is
 * certified with zero cone multipliers (the multipliers of a start are not known on the row
 * blocks), so there only the second guarantee applies in general; the gated certificate needs
 * no multipliers. A resumed solve continues from its checkpoint and is not wrapped.
 */
final class WarmStartedDistributedSolver implements DistributedSolver {
  private final DistributedSolver solver;

  private WarmStartedDistributedSolver(DistributedSolver solver) {
    this.solver = solver;
  }

  /** {@code solver} with the warm-start guarantees (not wrapped twice). */
  static DistributedSolver of(DistributedSolver solver) {
    return solver instanceof WarmStartedDistributedSolver ? solver
        : new WarmStartedDistributedSolver(solver);
  }

  /** The algorithm's class behind {@code solver} (for reports). */
  static Class<?> algorithmOf(DistributedSolver solver) {
    return solver instanceof WarmStartedDistributedSolver w ? w.solver.getClass()
        : solver.getClass();
  }

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    if (warmStart == null || resume) {
      return solver.solve(problem, warmStart, options, listener, checkpoint, resume);
    }
    long t0 = System.nanoTime();
    double feasTol = options.feasibilityTolerance() * Math.max(1.0, problem.largestLabel());
    Certificate start = problem.certificate(warmStart, null);
    double seconds = (System.nanoTime() - t0) * 1e-9;
    boolean feasible = start.constraintViolation() <= feasTol
        && Double.isFinite(start.objective());
    if (feasible && start.relativeGap() <= options.tolerance()) {
      IterationRecord rec = new IterationRecord(0, 0, start.objective(), start.lowerBound(),
          start.relativeGap(), start.constraintViolation(), seconds);
      listener.onIteration(rec, warmStart);
      return new SolverResult(warmStart.copy(), start, StopReason.CONVERGED, List.of(rec), 0,
          seconds, null);
    }
    SolverResult r = solver.solve(problem, warmStart, options, listener, checkpoint, false);
    Certificate rc = r.certificate();
    boolean startBetter = feasible && (start.objective() < rc.objective()
        || !(rc.constraintViolation() <= feasTol) || !Double.isFinite(rc.objective()));
    if (r.stopReason() == StopReason.CONVERGED || !startBetter) {
      return r;
    }
    return new SolverResult(warmStart.copy(), start, r.stopReason(), r.history(),
        r.iterations(), r.seconds() + seconds, null);
  }
}
