package io.cvxrelu.solver.distributed;

import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.generation.ColumnGeneration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the distributed solver matching a problem held on the driver, once a
 * {@code train.SolverChoice} has chosen the cluster: its rows become cached row blocks over the
 * given number of partitions (masks computed on the executors), the gated or ReLU solver runs
 * ({@link #solverFor}), and the blocks are released. Pattern generation runs its rounds the
 * same way ({@link DistributedGeneration}).
 */
public final class DistributedTraining {
  private DistributedTraining() {}

  /** The solver's result and its name (for the summary). */
  public record Outcome(SolverResult result, String solverName) {}

  /** The distributed solver of a formulation: gated FISTA, or the ReLU augmented Lagrangian. */
  public static Class<?> solverClass(Formulation formulation) {
    return formulation == Formulation.GATED ? DistributedGatedSolver.class
        : DistributedReluSolver.class;
  }

  /**
   * @param patternBlocks pattern blocks of the passes (1: one task per row block over all
   *     patterns; see {@link DistributedProblem#autoPatternBlocks})
   * @param checkpoint state saved every few steps (null: none)
   * @param resume continue from the checkpoint
   */
  public static Outcome solve(SparkSession spark, ConvexReluProblem problem, int partitions,
      int patternBlocks, SolverOptions options, IterationListener listener,
      SolverCheckpoint checkpoint, boolean resume) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try (DistributedData data = DistributedData.fromMatrix(sc, problem.x(), problem.y(),
        problem.patterns().gates(), partitions,
        DistributedData.blockRowsFor(problem.n(), partitions))) {
      DistributedProblem dp = new DistributedProblem(data, problem.loss(), problem.beta(),
          problem.formulation(), patternBlocks);
      DistributedSolver solver = solverFor(dp);
      return new Outcome(solver.solve(dp, options, listener, checkpoint, resume),
          WarmStartedDistributedSolver.algorithmOf(solver).getSimpleName());
    }
  }

  /**
   * Gated FISTA (from the Gram statistics when P d is moderate); for ReLU the interior point
   * when it applies (squared loss, P d at most
   * {@code InteriorPointReluSolver.MAX_PATTERN_DIMENSION}: it certifies where the augmented
   * Lagrangian stalls), else the augmented Lagrangian; consensus ADMM
   * ({@link DistributedAdmmReluSolver}) for the ReLU squared loss when
   * {@code spark.cvxrelu.reluSolver=admm}, the augmented Lagrangian when it is
   * {@code augmented-lagrangian} (default {@code auto}).
   */
  static DistributedSolver solverFor(DistributedProblem dp) {
    if (dp.formulation() == Formulation.GATED) {
      return WarmStartedDistributedSolver.of(DistributedGatedSolver.forProblem(dp));
    }
    String choice = dp.context().getConf().get(DistributedAdmmReluSolver.SETTING, "auto");
    if (choice.equals("admm") && DistributedAdmmReluSolver.supports(dp)) {
      return WarmStartedDistributedSolver.of(new DistributedAdmmReluSolver());
    }
    if (choice.equals("augmented-lagrangian")) {
      return WarmStartedDistributedSolver.of(new DistributedReluSolver());
    }
    return WarmStartedDistributedSolver.of(DistributedInteriorPointSolver.supports(dp)
        ? new DistributedInteriorPointSolver() : new DistributedReluSolver());
  }

  /**
   * Runs the distributed solver of a program whose row blocks are already on the executors
   * (read there, see {@link DistributedSetup}); the caller keeps and releases the blocks.
   */
  public static Outcome solve(DistributedProblem problem, SolverOptions options,
      IterationListener listener, SolverCheckpoint checkpoint, boolean resume) {
    DistributedSolver solver = solverFor(problem);
    return new Outcome(solver.solve(problem, options, listener, checkpoint, resume),
        WarmStartedDistributedSolver.algorithmOf(solver).getSimpleName());
  }

  /** Pattern generation from {@code problem}'s patterns, each round solved over row blocks. */
  public static ColumnGeneration.Result generate(SparkSession spark, ConvexReluProblem problem,
      int partitions, ColumnGeneration.Options generation, SolverOptions options,
      IterationListener listener) {
    try (DistributedGeneration backend = new DistributedGeneration(spark, partitions)) {
      return ColumnGeneration.run(problem, generation, options, listener, backend);
    }
  }
}
