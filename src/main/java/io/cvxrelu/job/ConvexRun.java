package io.cvxrelu.job;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.solver.distributed.DistributedTraining;
import io.cvxrelu.solver.distributed.SolverCheckpoint;
import io.cvxrelu.solver.generation.ColumnGeneration;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Solves a set-up convex program where its {@link SolverChoice} says: on the driver with the
 * single-node algorithm, over row blocks with the distributed solver (checkpointed, resumable),
 * or with pattern generation around either.
 */
final class ConvexRun {
  private static final Logger LOG = LogManager.getLogger(ConvexRun.class);

  private ConvexRun() {}

  /**
   * What was solved and how.
   *
   * @param problem the program solved (after generation: with every generated pattern)
   * @param generation the generation's rounds (null without generation)
   */
  record Outcome(ConvexReluProblem problem, SolverResult result, String solverName,
      ColumnGeneration.Result generation) {}

  /**
   * @param listener sees every iteration of a plain solve (generation logs its own progress)
   * @param checkpointDir where the distributed solver keeps its state
   */
  static Outcome solve(JobContext job, TrainingSpec spec, SolverChoice choice,
      ProblemSetup.Setup setup, IterationListener listener, String checkpointDir) {
    if (choice.generate()) {
      return generate(job, spec, choice, setup.problem());
    }
    if (choice.distributed()) {
      return distributed(job, spec, setup.problem(), listener, checkpointDir);
    }
    job.describe("cvxrelu: solve");
    ConvexSolver solver = SolverChoice.local(setup.problem());
    // A seed network is a feasible point of the program over its own patterns: start there,
    // so that the solve polishes it (see ReluNetwork#convexWeights).
    DenseMatrix warmStart = setup.seedNetwork() == null ? null
        : setup.seedNetwork().convexWeights(setup.x(), setup.patterns(), spec.formulation());
    SolverResult result = solver.solve(setup.problem(), warmStart, spec.solverOptions(),
        listener);
    return new Outcome(setup.problem(), result, choice.name(solver.getClass()), null);
  }

  private static Outcome distributed(JobContext job, TrainingSpec spec,
      ConvexReluProblem problem, IterationListener listener, String checkpointDir) {
    TrainingSpec.Distributed settings = spec.distributed();
    int partitions = partitions(job, settings);
    int patternBlocks = settings.patternBlocks() > 0 ? settings.patternBlocks()
        : DistributedProblem.autoPatternBlocks(problem.d(), problem.patternCount(),
            spec.formulation());
    LOG.info("distributed solver: {} row-block partitions, {} pattern blocks", partitions,
        Math.min(patternBlocks, problem.patternCount()));
    SolverCheckpoint checkpoint = new SolverCheckpoint(
        job.spark().sparkContext().hadoopConfiguration(), checkpointDir,
        (int) Math.min(Integer.MAX_VALUE, settings.checkpointEvery()));
    DistributedTraining.Outcome o = DistributedTraining.solve(job.spark(), problem, partitions,
        patternBlocks, spec.solverOptions(), listener, checkpoint, settings.resume());
    return new Outcome(problem, o.result(), o.solverName(), null);
  }

  private static Outcome generate(JobContext job, TrainingSpec spec, SolverChoice choice,
      ConvexReluProblem problem) {
    job.describe("cvxrelu: solve and generate patterns");
    ColumnGeneration.Options options = new ColumnGeneration.Options(spec.generation().rounds(),
        64, 30, 16, spec.seed(), ProblemSetup.SMALL_ARRANGEMENT_SUBSETS);
    ProgressLogger progress = new ProgressLogger(spec.solverOptions().tolerance(),
        choice.progressSeconds());
    ColumnGeneration.Result cg;
    Class<?> algorithm;
    if (choice.distributed()) {
      cg = DistributedTraining.generate(job.spark(), problem, partitions(job,
          spec.distributed()), options, spec.solverOptions(), progress);
      algorithm = DistributedTraining.solverClass(cg.problem().formulation());
    } else {
      cg = ColumnGeneration.run(problem, options, spec.solverOptions(), progress,
          ColumnGeneration.local(SolverChoice::local));
      algorithm = SolverChoice.local(cg.problem()).getClass();
    }
    return new Outcome(cg.problem(), cg.solution(), choice.name(algorithm), cg);
  }

  /** The row-block partitions: as given, else Spark's default parallelism. */
  private static int partitions(JobContext job, TrainingSpec.Distributed settings) {
    return settings.partitions() > 0 ? (int) settings.partitions() : job.defaultParallelism();
  }
}
