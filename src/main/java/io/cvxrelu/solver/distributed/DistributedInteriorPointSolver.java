package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The primal-dual interior point of {@link InteriorPointReluSolver} (Mehrotra predictor-corrector
 * path following with Nesterov-Todd scaling, Vandenberghe 2010, for the cone-constrained ReLU
 * program with squared loss, Pilanci and Ergen 2020, eq. (8)) over distributed row blocks: the
 * same {@link PathFollowing} on the driver (normal equations, Cholesky, predictor-corrector),
 * with its rows' side, the n x 2P slacks and multipliers of the cone rows, held by the
 * executors ({@link DistributedConeRows}). Each iteration is seven passes over the blocks and
 * one certificate pass; the driver holds O(P d^2 + (P d)^2) state. For P d up to
 * {@link InteriorPointReluSolver#MAX_PATTERN_DIMENSION}.
 *
 * <p>Like the single-node method it starts from its own centred interior point: a warm start
 * is ignored, and {@code resume} solves again from that start (the checkpoint is neither read
 * nor written; the method needs 20-60 iterations whatever the start). Numerical trouble before
 * any iterate is certified hands over to {@link DistributedReluSolver}. The result carries no
 * multipliers (they stay distributed).
 */
public final class DistributedInteriorPointSolver implements DistributedSolver {
  /** Iterate on to this fraction of the tolerance, so that the inactive blocks can be pruned. */
  private static final double PRUNE_MARGIN = 0.01;

  /** True for the ReLU formulation with squared loss and P d at most the IPM's limit. */
  public static boolean supports(DistributedProblem problem) {
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss
        && (long) problem.patternCount() * problem.d()
            <= InteriorPointReluSolver.MAX_PATTERN_DIMENSION;
  }

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    Formulation.RELU.require(problem, "DistributedInteriorPointSolver");
    if (!supports(problem)) {
      throw new IllegalArgumentException("the distributed interior point takes the ReLU "
          + "formulation with squared loss and P d <= "
          + InteriorPointReluSolver.MAX_PATTERN_DIMENSION);
    }
    long start = System.nanoTime();
    Run run = new Run(problem, options, start);
    try (DistributedConeRows rows = new DistributedConeRows(problem.data())) {
      PathFollowing path;
      try {
        path = new PathFollowing(problem.d(), problem.patternCount(), problem.beta(),
            problem.data().gates(), rows);
      } catch (ArithmeticException e) {
        path = null;
      }
      if (path != null) {
        run.follow(path, rows, listener);
      }
      if (run.best == null) {
        run.release();
        double left = Math.max(1e-3, options.maxSeconds() - run.seconds());
        return new DistributedReluSolver().solve(problem, warmStart,
            new SolverOptions(options.tolerance(), options.feasibilityTolerance(),
                options.maxIterations(), left), listener, checkpoint, false);
      }
      SolverResult out = run.result(run.pruneInactiveBlocks());
      run.release();
      return out;
    }
  }

  /** A certified iterate: blocks, their multipliers (persisted, distributed), certificate. */
  private record Point(DenseMatrix weights, JavaRDD<DenseMatrix> multipliers,
      Certificate certificate) {}

  /** The certified record of one distributed path-following run. */
  private static final class Run {
    private final DistributedProblem problem;
    private final SolverOptions options;
    private final long start;
    private final double feasTol;
    private final List<IterationRecord> history = new ArrayList<>();
    private StopReason reason;
    private int it;
    private Point best;

    Run(DistributedProblem problem, SolverOptions options, long start) {
      this.problem = problem;
      this.options = options;
      this.start = start;
      this.feasTol = options.feasibilityTolerance() * Math.max(1.0, problem.largestLabel());
    }

    double seconds() {
      return (System.nanoTime() - start) * 1e-9;
    }

    /** Certifies every iterate and steps until a stopping rule sets {@link #reason}. */
    void follow(PathFollowing path, DistributedConeRows rows, IterationListener listener) {
      while (reason == null) {
        DenseMatrix b = path.weights();
        JavaRDD<DenseMatrix> mu = rows.multipliers();
        Certificate cert = problem.certificate(b, mu);
        IterationRecord rec = new IterationRecord(it, it, cert.objective(), cert.lowerBound(),
            cert.relativeGap(), cert.constraintViolation(), seconds());
        history.add(rec);
        if (Double.isFinite(cert.relativeGap()) && cert.constraintViolation() <= feasTol
            && (best == null || cert.relativeGap() < best.certificate().relativeGap())) {
          release();
          best = new Point(b, mu, cert);
        } else {
          mu.unpersist(false);
        }
        reason = stopReason(cert, listener, rec, b);
        if (reason == null) {
          it++;
          try {
            if (!path.step()) {
              reason = StopReason.STALLED;
            }
          } catch (ArithmeticException e) {
            reason = StopReason.NUMERICAL_FAILURE;
          }
        }
      }
    }

    private StopReason stopReason(Certificate cert, IterationListener listener,
        IterationRecord rec, DenseMatrix b) {
      if (cert.relativeGap() <= PRUNE_MARGIN * options.tolerance()
          && cert.constraintViolation() <= feasTol) {
        return StopReason.CONVERGED;
      } else if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
        return StopReason.NUMERICAL_FAILURE;
      } else if (!listener.onIteration(rec, b)) {
        return StopReason.STOPPED_BY_LISTENER;
      } else if (it >= options.maxIterations()) {
        return StopReason.MAX_ITERATIONS;
      } else if (rec.seconds() >= options.maxSeconds()) {
        return StopReason.TIME_LIMIT;
      }
      return null;
    }

    /**
     * Zeroes the blocks the interior iterates only approach (the inactive neurons), at the
     * largest relative threshold the certificate still accepts, as the single-node solver.
     */
    Point pruneInactiveBlocks() {
      double allowed = Math.max(options.tolerance(), best.certificate().relativeGap());
      for (double threshold = 1e-3; threshold >= 1e-12; threshold *= 0.1) {
        DenseMatrix pruned = InteriorPointReluSolver.pruneSmallBlocks(best.weights(), threshold);
        if (pruned == null) {
          continue;
        }
        Certificate pc = problem.certificate(pruned, best.multipliers());
        if (pc.constraintViolation() <= feasTol && pc.relativeGap() <= allowed) {
          return new Point(pruned, best.multipliers(), pc);
        }
      }
      return best;
    }

    void release() {
      if (best != null) {
        best.multipliers().unpersist(false);
      }
    }

    SolverResult result(Point out) {
      StopReason outReason = out.certificate().relativeGap() <= options.tolerance()
          ? StopReason.CONVERGED : reason;
      return new SolverResult(out.weights(), out.certificate(), outReason,
          List.copyOf(history), it, seconds(), null);
    }
  }
}
