package io.cvxrelu.job;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.solver.distributed.DistributedSetup;
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
   * A finished run, on either path: the output files (text, then binary such as plots), the
   * solver's result and name, and whether the distributed solvers ran (their checkpoint may
   * stay in the output).
   */
  record Trained(java.util.Map<String, String> files, java.util.Map<String, byte[]> binaryFiles,
      SolverResult result, String solverName, boolean distributed) {
    Trained(java.util.Map<String, String> files, SolverResult result, String solverName,
        boolean distributed) {
      this(files, java.util.Map.of(), result, solverName, distributed);
    }
  }

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
    return new Outcome(setup.problem(), result, choice.name(SolverChoice.algorithm(setup.problem())), null);
  }

  private static Outcome distributed(JobContext job, TrainingSpec spec,
      ConvexReluProblem problem, IterationListener listener, String checkpointDir) {
    TrainingSpec.Distributed settings = spec.distributed();
    int partitions = partitions(job, settings);
    int patternBlocks = patternBlocks(spec, problem.d(), problem.patternCount());
    LOG.info("distributed solver: {} row-block partitions, {} pattern blocks", partitions,
        Math.min(patternBlocks, problem.patternCount()));
    DistributedTraining.Outcome o = DistributedTraining.solve(job.spark(), problem, partitions,
        patternBlocks, spec.solverOptions(), listener, checkpoint(job, spec, checkpointDir),
        settings.resume());
    return new Outcome(problem, o.result(), o.solverName(), null);
  }

  /**
   * Solves a program whose row blocks were read on the executors ({@link ExecutorInputRun}),
   * checkpointed and resumable as {@link #solve} does over the driver's rows.
   */
  static DistributedTraining.Outcome onBlocks(JobContext job, TrainingSpec spec,
      DistributedSetup.Setup setup, IterationListener listener, String checkpointDir) {
    DistributedData data = setup.data();
    int patternBlocks = patternBlocks(spec, data.d(), data.patternCount());
    LOG.info("distributed solver: {} row-block partitions, {} pattern blocks",
        data.partitions(), Math.min(patternBlocks, data.patternCount()));
    DistributedProblem problem = new DistributedProblem(data, spec.loss(), setup.beta(),
        spec.formulation(), patternBlocks);
    return DistributedTraining.solve(problem, spec.solverOptions(), listener,
        checkpoint(job, spec, checkpointDir), spec.distributed().resume());
  }

  /** --pattern-blocks, or auto for the program's size (the passes use at most P). */
  private static int patternBlocks(TrainingSpec spec, int d, int patterns) {
    return spec.distributed().patternBlocks() > 0 ? spec.distributed().patternBlocks()
        : DistributedProblem.autoPatternBlocks(d, patterns, spec.formulation());
  }

  private static SolverCheckpoint checkpoint(JobContext job, TrainingSpec spec,
      String checkpointDir) {
    return new SolverCheckpoint(job.spark().sparkContext().hadoopConfiguration(), checkpointDir,
        (int) Math.min(Integer.MAX_VALUE, spec.distributed().checkpointEvery()));
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
      algorithm = SolverChoice.algorithm(cg.problem());
    }
    return new Outcome(cg.problem(), cg.solution(), choice.name(algorithm), cg);
  }

  /** The row-block partitions: as given, else Spark's default parallelism. */
  static int partitions(JobContext job, TrainingSpec.Distributed settings) {
    return settings.partitions() > 0 ? (int) settings.partitions() : job.defaultParallelism();
  }
}
