package io.cvxrelu.job;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.report.AccuracyHistory;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.train.MemoryBudget;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.RegularisationPath;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/train-convex.sh}: trains a two-layer ReLU (or gated-ReLU) network by solving the
 * convex program of Pilanci and Ergen (2020) and writes the model with its certificate.
 *
 * <p>Exit codes: 0 success, 1 unexpected failure, 2 usage or configuration error, 3 data
 * error, 4 output could not be written. Errors are one line on stderr (stack trace with
 * {@code --verbose}); no output folder is left behind.
 */
public final class TrainConvexJob {
  private static final Logger LOG = LogManager.getLogger(TrainConvexJob.class);
  /** The checkpoint folder inside the output folder. */
  static final String CHECKPOINT = "checkpoint";

  private TrainConvexJob() {}

  static JobOptions options() {
    JobOptions opts = DataLoader.declareOptions(new JobOptions(
        "Usage: train-convex.sh --train PATH --out DIR [options]\n"
        + "Trains a two-layer ReLU network to global optimality over sampled or enumerated\n"
        + "sign patterns (Pilanci & Ergen, ICML 2020) and writes summary.json, model.json and\n"
        + "history.csv to DIR. Paths may use any Hadoop file system scheme."))
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("model", "relu", "relu (cone-constrained) | gated")
        .option("loss", "squared", "squared | logistic (labels +-1 or 0/1)")
        .option("beta", null, "regularisation strength beta > 0, or 0 for the minimum-norm"
            + " interpolating network (squared loss, relu; certified bracket)")
        .option("beta-frac", "0.01", "beta as a fraction of beta_max, used when --beta is absent")
        .option("patterns", "100", "number of sampled sign patterns P, or 'all' to enumerate")
        .option("seed", "0", "seed for gate sampling")
        .option("gates", null, "CSV of gate vectors, one per row (replaces sampling)")
        .option("patterns-from", null, "a network (train-sgd's init-K/network.csv, or a model.json)"
            + " whose neurons' patterns 1[X u_j > 0] are added to the sampled ones")
        .flag("generate-patterns", "dual-guided pattern generation: add violating patterns and"
            + " re-solve until none is found (single-node solvers)")
        .option("generate-rounds", "20", "generation rounds at most")
        .option("certify-all", "auto", "auto|true|false: certificate over every cell of the"
            + " arrangement, a lower bound for any network (auto: when it is small enough)")
        .flag("bias", "append a column of ones to the features (its weight is penalised with"
            + " the rest); --bias free: the hidden biases and an output intercept outside the"
            + " penalty, exact for 1-D data (the linear-spline program)", FreeBiasRun.FREE)
        .option("tol", "1e-6", "target relative duality gap")
        .option("max-iter", "200000", "iteration budget")
        .option("max-seconds", "3600", "time budget in seconds")
        .option("solver", "auto", "local | distributed | auto (distributed when the master is"
            + " not local[...] or n >= " + SolverChoice.AUTO_DISTRIBUTED_ROWS + "); of the CNN"
            + " architectures only cnn-pooled runs distributed")
        .option("partitions", "0", "row-block partitions of the distributed solver"
            + " (0: Spark's default parallelism)")
        .option("pattern-blocks", "auto", "distributed solver: split the sign patterns into K"
            + " blocks, tasks over (row block, pattern block) pairs; auto: ceil(d q / 2^20) for"
            + " d x q weights (1 unless P d is large)")
        .option("checkpoint-every", "100", "distributed solver: save its state to OUT/checkpoint"
            + " every K steps (0: only when a budget runs out)")
        .flag("resume", "distributed solver: continue from OUT/checkpoint")
        .option("beta-path", null, "regularisation path: fractions F1,F2,... of beta_max, solved"
            + " from the largest with warm starts; writes beta-K/ per fraction, path.csv and"
            + " path.png (single-node solver)")
        .option("beta-path-grid", null, "regularisation path over K fractions of beta_max,"
            + " log-spaced from " + RegularisationPath.GRID_LARGEST + " to "
            + RegularisationPath.GRID_SMALLEST)
        .option("architecture", "fc", "fc (the two-layer network) | cnn-pooled (shared filters"
            + ", global pooling) | cnn-separable (a filter per patch) | linear-cnn | circular-cnn;"
            + " the CNNs use --model, --patterns (or all), --beta(-frac), --tol and the budgets,"
            + " as train-cnn.sh does")
        .option("image-shape", null, "CNN: C,H,W of a row (default: the reader's own, else"
            + " 1,1,d)")
        .option("patch", null, "CNN: patch side")
        .option("stride", null, "CNN: step between patches (default: the patch side)")
        .option("validation-fraction", null, "with a path: hold out this share of the training"
            + " rows (seeded by --seed), pick the beta with the best validation fit and write"
            + " it again as best/");
    return JobContext.declareMaster(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("train-convex", options(), args, TrainConvexJob::execute);
  }

  /**
   * Options, then spec, then data and problem, then the solve where chosen, then the files.
   * A distributed solve that needs no row on the driver reads the data on the executors
   * ({@link ExecutorInputRun}); every other run reads them here.
   */
  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    if (!opts.get("architecture").equals("fc")) {
      trainCnn(opts, out);
      return;
    }
    for (String cnnOnly : new String[] {"image-shape", "patch", "stride"}) {
      if (opts.get(cnnOnly) != null) {
        throw new UsageException("--" + cnnOnly + " applies to the CNN architectures only");
      }
    }
    TrainingSpec spec = TrainingSpecs.convex(opts);
    boolean interpolate = TrainingSpecs.interpolates(opts);
    boolean freeBias = FreeBiasRun.requested(opts);
    if (freeBias) {
      FreeBiasRun.requireSupported(opts, spec);
    }
    if (interpolate) {
      InterpolationRun.requireSupported(opts, spec);
    }
    if (opts.get("validation-fraction") != null && !PathRun.requested(opts)) {
      throw new UsageException("--validation-fraction picks a beta on a path: give --beta-path"
          + " or --beta-path-grid");
    }
    // A resumed run writes into its own output folder, whose checkpoint it reads.
    boolean replace = opts.flagSet("overwrite") || spec.distributed().resume();
    try (JobContext job = JobContext.open("train-convex", opts)) {
      job.io().checkOutput(out, replace);
      LOG.info("BLAS backend: {}", Blas.backend());
      String checkpointDir = new org.apache.hadoop.fs.Path(out, CHECKPOINT).toString();
      ConvexRun.Trained run = freeBias ? FreeBiasRun.train(job, opts, spec)
          : interpolate ? InterpolationRun.train(job, opts, spec)
          : PathRun.requested(opts) ? PathRun.train(job, opts, spec)
          : ExecutorInputRun.applies(spec, job.master())
              ? ExecutorInputRun.train(job, opts, spec, checkpointDir)
              : onDriver(job, opts, spec, checkpointDir);
      SolverResult result = run.result();
      LOG.info("solver {} stopped: {} after {} iterations, {} s, relative gap {}",
          run.solverName(), result.stopReason(), result.iterations(),
          String.format(Locale.ROOT, "%.2f", result.seconds()),
          result.certificate().relativeGap());
      // A checkpoint left by a run that did not converge stays in the output for --resume; a
      // converged run's output replaces it.
      boolean keepCheckpoint = run.distributed()
          && result.stopReason() != StopReason.CONVERGED;
      job.io().writeAtomically(out, run.files(), run.binaryFiles(), replace || run.distributed(),
          keepCheckpoint ? CHECKPOINT : null);
      LOG.info("wrote {}", out);
    }
  }

  /**
   * {@code --architecture} other than fc: the CNN programs of {@link CnnRun} (single-node), with
   * the fully connected options that do not apply refused in one line.
   */
  private static void trainCnn(JobOptions opts, String out) {
    String arch = opts.get("architecture");
    String model = opts.get("model");
    String id = switch (arch) {
      case "cnn-pooled" -> model.equals("relu") ? CnnOutputs.POOLED : CnnOutputs.POOLED_GATED;
      case "cnn-separable" -> model.equals("relu") ? CnnOutputs.SEPARABLE
          : CnnOutputs.SEPARABLE_GATED;
      case "linear-cnn", "circular-cnn" -> arch;
      default -> throw new UsageException("--architecture must be fc, cnn-pooled, "
          + "cnn-separable, linear-cnn or circular-cnn, got '" + arch + "'");
    };
    if (!model.equals("relu") && !model.equals("gated")) {
      throw new UsageException("unknown model '" + model + "' (expected relu or gated)");
    }
    if (!opts.get("loss").equals("squared")) {
      throw new UsageException("the CNN programs take the squared loss, got --loss "
          + opts.get("loss"));
    }
    for (String fcOnly : new String[] {"gates", "patterns-from", "beta-path", "beta-path-grid",
        "validation-fraction"}) {
      if (opts.get(fcOnly) != null) {
        throw new UsageException("--" + fcOnly + " applies to --architecture fc only");
      }
    }
    for (String fcFlag : new String[] {"generate-patterns", "resume", "bias"}) {
      if (opts.flagSet(fcFlag)) {
        throw new UsageException("--" + fcFlag + " applies to --architecture fc only");
      }
    }
    CnnRun.Plan plan = CnnRun.plan(opts, id);
    boolean overwrite = opts.flagSet("overwrite");
    try (JobContext job = JobContext.open("train-convex", opts)) {
      job.io().checkOutput(out, overwrite);
      job.io().writeAtomically(out, CnnRun.train(job, opts, plan), overwrite);
      LOG.info("wrote {}", out);
    }
  }

  /** Reads the data on the driver, sets the program up there and solves where chosen. */
  private static ConvexRun.Trained onDriver(JobContext job, JobOptions opts, TrainingSpec spec,
      String checkpointDir) {
    job.describe("cvxrelu: read data");
    DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
    ProblemSetup.Setup setup = setUp(spec, data, job);
    SolverChoice choice = SolverChoice.of(spec, job.master(), setup.x().rows());
    // Accuracy rows need the weights at each certificate; the distributed solvers certify
    // less often, so every certificate is logged there.
    AccuracyHistory accuracy = new AccuracyHistory(
        new ProgressLogger(spec.solverOptions().tolerance(), choice.progressSeconds()),
        spec.formulation(), spec.loss().name(), setup.beta(), spec.bias(),
        setup.patterns().gates(), setup.x(), setup.y(), data.test(), setup.yTest());
    ConvexRun.Outcome run = ConvexRun.solve(job, spec, choice, setup, accuracy, checkpointDir);
    return new ConvexRun.Trained(ConvexOutputs.withPreprocessing(ConvexOutputs.files(spec, setup,
        data.train(), data.test(), run, accuracy), data.transform()), run.result(),
        run.solverName(), choice.distributed());
  }

  /**
   * The program of {@code spec} on the loaded data, its gate and seed network files read. On a
   * cluster the memory estimate also checks each executor's share against
   * {@code spark.executor.memory}; in local mode the executors are this JVM.
   */
  private static ProblemSetup.Setup setUp(TrainingSpec spec, DataLoader.Loaded data,
      JobContext job) {
    boolean cluster = !job.spark().sparkContext().master().startsWith("local");
    MemoryBudget.Limits limits = cluster ? MemoryBudget.Limits.withExecutors(
        job.spark().conf().get("spark.executor.memory", "1g"))
        : MemoryBudget.Limits.thisJvm();
    ProblemSetup.Setup setup = ProblemSetup.of(spec, data.train(), data.test(),
        new PatternInputs(job.io()), limits);
    if (setup.seedNetwork() != null) {
      LOG.info("added the patterns of {} neurons from {}: P = {}",
          setup.seedNetwork().width(), spec.patterns().seedNetworkPath(),
          setup.patterns().count());
    }
    LOG.info("problem: n={} d={} P={} model={} loss={} beta={} (beta_max={})", setup.x().rows(),
        setup.x().cols(), setup.patterns().count(), spec.formulation().id(),
        spec.loss().name(), setup.beta(), setup.betaMax());
    return setup;
  }
}
