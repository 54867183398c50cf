package io.cvxrelu.job;

import io.cvxrelu.cnn.LinearCnnTraining;
import io.cvxrelu.cnn.LinearCnnTraining.Architecture;
import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnn;
import io.cvxrelu.cnn.PooledCnnTraining;
import io.cvxrelu.cnn.PooledInteriorPointSolver;
import io.cvxrelu.cnn.SeparableCnnTraining;
import io.cvxrelu.data.DataSpec;
import io.cvxrelu.data.DistributedInput;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.distributed.DistributedPooledCnn;
import io.cvxrelu.solver.distributed.DistributedPooledReluCnn;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One convex CNN training run (Pilanci and Ergen 2020, section 5; Ergen and Pilanci 2021) for
 * {@code train-cnn.sh} and {@code train-convex.sh --architecture}: the linear CNN (nuclear
 * norm), the circular CNN (l1 under the DFT), the separable CNN and the CNN with shared filters
 * and global pooling (gated or ReLU). {@link #plan} reads and checks the options before Spark
 * starts; {@link #train} reads the data, solves and returns summary.json, model.json and
 * history.csv.
 */
final class CnnRun {
  private static final Logger LOG = LogManager.getLogger(CnnRun.class);

  private CnnRun() {}

  /**
   * What to train, from the options: the architecture (one of {@link CnnOutputs}' names, or
   * linear-cnn / circular-cnn), the budgets and beta, and the declared image shape.
   */
  record Plan(String architecture, Architecture linear, boolean separable, boolean pooled,
      boolean relu, SolverOptions solverOptions, double beta, double betaFrac, int[] shape,
      boolean exactPatterns, boolean distributed) {}

  /** The plan of {@code architecture}, with one-line usage errors for what cannot run. */
  static Plan plan(JobOptions opts, String architecture) {
    if (opts.get("pca") != null || opts.get("random-projection") != null) {
      throw new UsageException("--pca and --random-projection would mix the pixels of the "
          + "patches: not for a CNN");
    }
    boolean separable = architecture.equals(CnnOutputs.SEPARABLE_GATED)
        || architecture.equals(CnnOutputs.SEPARABLE);
    boolean pooled = architecture.equals(CnnOutputs.POOLED_GATED)
        || architecture.equals(CnnOutputs.POOLED);
    Architecture linear = separable || pooled ? Architecture.LINEAR_CNN
        : checked(() -> Architecture.of(architecture));
    SolverOptions solverOptions = new SolverOptions(opts.positiveDouble("tol"),
        SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
        opts.positiveDouble("max-seconds"));
    double beta = opts.get("beta") == null ? Double.NaN : opts.positiveDouble("beta");
    boolean relu = architecture.equals(CnnOutputs.POOLED)
        || architecture.equals(CnnOutputs.SEPARABLE);
    boolean exact = "all".equals(opts.get("patterns"))
        || opts.declares("exact-patterns") && opts.flagSet("exact-patterns");
    boolean distributed = distributed(opts, architecture, exact);
    return new Plan(architecture, linear, separable, pooled, relu, solverOptions, beta,
        opts.positiveDouble("beta-frac"), CnnShapes.declaredShape(opts), exact, distributed);
  }

  /**
   * Whether {@code --solver distributed} asks for a pooled program over row blocks (the only
   * CNN programs solved on the executors; auto and local solve on the driver).
   */
  private static boolean distributed(JobOptions opts, String architecture, boolean exact) {
    String solver = opts.declares("solver") ? opts.get("solver") : "local";
    if (solver.equals("auto") || solver.equals("local")) {
      return false;
    }
    if (!solver.equals("distributed")) {
      throw new UsageException("--solver must be local, distributed or auto, got '" + solver
          + "'");
    }
    if (!architecture.equals(CnnOutputs.POOLED_GATED)
        && !architecture.equals(CnnOutputs.POOLED)) {
      throw new UsageException("--solver distributed takes --architecture cnn-pooled only; "
          + "the other CNN programs are solved on the driver");
    }
    if (exact) {
      throw new UsageException("--solver distributed samples its patterns: give --patterns N, "
          + "not all");
    }
    return true;
  }

  /** Reads the data, solves the plan's program and returns the output files. */
  static Map<String, String> train(JobContext job, JobOptions opts, Plan plan) {
    LOG.info("BLAS backend: {}", Blas.backend());
    if (plan.distributed()) {
      return onExecutors(job, opts, plan);
    }
    job.describe("cvxrelu: read data");
    DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
    PatchGeometry geometry = geometry(opts, plan.linear(), plan.shape(), data.train().d());
    LOG.info("problem: n={} d={} architecture={} h={} K={}", data.train().n(),
        data.train().d(), plan.architecture(), geometry.patchSize(), geometry.patchCount());
    SolverOptions solverOptions = plan.solverOptions();
    ProgressLogger progress = new ProgressLogger(solverOptions.tolerance(), 10.0);
    // "--patterns all" (train-convex's spelling of --exact-patterns) leaves no count.
    boolean all = "all".equals(opts.get("patterns"));
    int patterns = all ? 1 : (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("patterns"));
    long seed = opts.anyLong("seed");
    if (plan.pooled()) {
      PooledCnnTraining.Spec spec = new PooledCnnTraining.Spec(plan.relu(), geometry,
          patterns, plan.exactPatterns(), seed, plan.beta(),
          plan.betaFrac(), solverOptions);
      checked(() -> sized(() -> PooledCnnTraining.checkSize(spec, data.train().n())));
      PooledCnnTraining.Trained trained = PooledCnnTraining.train(spec, data.train().x(),
          data.train().y(), progress);
      logStop(trained.result(), trained.network().width() + " filters (" + trained.solver()
          + ")");
      return CnnOutputs.files(trained, data);
    }
    if (plan.separable()) {
      if (all) {
        throw new UsageException("the separable CNN samples its patterns per patch: give "
            + "--patterns N, not all");
      }
      SeparableCnnTraining.Spec spec = new SeparableCnnTraining.Spec(plan.relu(), geometry,
          patterns, seed, plan.beta(), plan.betaFrac(), solverOptions);
      checked(() -> sized(() -> SeparableCnnTraining.checkSize(spec, data.train().n())));
      SeparableCnnTraining.Trained trained = SeparableCnnTraining.train(spec,
          data.train().x(), data.train().y(), progress);
      logStop(trained.result(), trained.neurons().size() + " neurons");
      return CnnOutputs.files(trained, data);
    }
    LinearCnnTraining.Spec spec = checked(() -> new LinearCnnTraining.Spec(plan.linear(),
        geometry, plan.beta(), plan.betaFrac(), solverOptions));
    LinearCnnTraining.Trained trained = LinearCnnTraining.train(spec, data.train().x(),
        data.train().y(), progress);
    logStop(trained.result(), trained.network().width() + " filters");
    return CnnOutputs.files(trained, data);
  }

  /**
   * The pooled program with the examples in row blocks on the executors
   * ({@link DistributedPooledCnn}): read there, their stacked patches and masks made there, the
   * solver's passes (gated: FISTA; ReLU: the interior point's rows,
   * {@link DistributedPooledReluCnn}) and the fit summed there. The driver holds the gates and
   * weights (and the ReLU interior point's P h x P h normal equations).
   */
  private static Map<String, String> onExecutors(JobContext job, JobOptions opts, Plan plan) {
    long requested = opts.anyLong("partitions");
    int partitions = requested > 0 ? (int) Math.min(Integer.MAX_VALUE, requested)
        : job.defaultParallelism();
    job.describe("cvxrelu: read data");
    DataSpec dataSpec = DataLoader.spec(opts, partitions);
    try (DistributedInput.Loaded data = checked(() -> DistributedInput.load(job.spark(),
        dataSpec))) {
      PatchGeometry geometry = geometry(opts, plan.linear(), plan.shape(), data.train().d());
      int patterns = (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("patterns"));
      long limit = plan.relu() ? PooledInteriorPointSolver.MAX_PATTERN_DIMENSION
          : PooledCnnTraining.MAX_UNKNOWNS;
      if ((long) patterns * geometry.patchSize() > limit) {
        throw new UsageException("the pooled CNN program would have " + (long) patterns
            * geometry.patchSize() + " unknowns per sign (at most " + limit + "): use fewer "
            + "patterns or smaller patches");
      }
      LOG.info("problem: n={} d={} architecture={} h={} K={} partitions={} (distributed)",
          data.train().n(), data.train().d(), plan.architecture(), geometry.patchSize(),
          geometry.patchCount(), data.train().blocks().getNumPartitions());
      PooledCnnTraining.Spec spec = new PooledCnnTraining.Spec(plan.relu(), geometry, patterns,
          false, opts.anyLong("seed"), plan.beta(), plan.betaFrac(), plan.solverOptions());
      try (DistributedPooledCnn program = DistributedPooledCnn.of(data.train().blocks(),
          geometry, patterns, spec.seed(), partitions)) {
        double beta = Double.isNaN(spec.beta()) ? spec.betaFraction() * program.betaMax()
            : spec.beta();
        ProgressLogger progress = new ProgressLogger(spec.options().tolerance(), 10.0);
        SolverResult result;
        PooledCnn network;
        String solver;
        if (spec.relu()) {
          try (DistributedPooledReluCnn relu = new DistributedPooledReluCnn(program)) {
            result = relu.solve(beta, spec.options(), progress).orElseThrow(() ->
                new IllegalStateException("the distributed interior point certified no iterate "
                    + "within the feasibility tolerance (a gate on a data hyperplane?): solve "
                    + "on the driver (--solver local), which falls back to the augmented "
                    + "Lagrangian"));
            network = relu.network(result);
          }
          solver = "distributed interior-point";
        } else {
          result = program.solve(beta, spec.options(), progress);
          network = program.network(result);
          solver = "distributed fista";
        }
        double[] train = DistributedPooledCnn.fit(data.train().blocks(), network);
        CnnOutputs.Fit test = data.test().map(t -> fit(DistributedPooledCnn.fit(t.blocks(),
            network))).orElse(null);
        PooledCnnTraining.Trained trained = new PooledCnnTraining.Trained(spec, beta,
            program.betaMax(), program.gates().cols(), solver, result, network,
            0.5 * train[1] + network.weightDecay(beta));
        logStop(result, network.width() + " filters (" + solver + ")");
        return CnnOutputs.files(trained, new CnnOutputs.DataFacts(data.description(),
            data.train().n(), data.train().d()), fit(train), test);
      }
    } catch (Exception e) {
      // An executor's parse error arrives wrapped by Spark (Scala throws the checked
      // SparkException undeclared): report its one line.
      java.util.Optional<io.cvxrelu.io.DataFormatException> data = DistributedInput.unwrap(e);
      if (data.isPresent()) {
        throw data.get();
      }
      throw e;
    }
  }

  /** The fit of {@link DistributedPooledCnn#fit}'s sums, as {@link CnnOutputs} reports it. */
  private static CnnOutputs.Fit fit(double[] sums) {
    return new CnnOutputs.Fit(sums[1] / sums[0], sums[3] == 0.0 ? sums[2] / sums[0] : null);
  }

  private static void logStop(SolverResult result, String model) {
    LOG.info("stopped: {} after {} iterations, {} s, relative gap {}, {}", result.stopReason(),
        result.iterations(), String.format(Locale.ROOT, "%.2f", result.seconds()),
        result.certificate().relativeGap(), model);
  }

  /** The patch geometry of the options, with one-line usage errors for bad shapes. */
  private static PatchGeometry geometry(JobOptions opts, Architecture architecture, int[] shape,
      int rowWidth) {
    int[] s = CnnShapes.imageShape(opts, shape, rowWidth);
    if (architecture == Architecture.CIRCULAR_CNN) {
      if (opts.get("patch") != null || opts.get("stride") != null) {
        throw new UsageException("circular-cnn takes every circular shift: no --patch or --stride");
      }
      return checked(() -> new PatchGeometry(s[0], s[1], s[2], s[2], 1, true));
    }
    return CnnShapes.windows(opts, s);
  }

  /** A size check as a supplier for {@link #checked}. */
  private static Boolean sized(Runnable check) {
    check.run();
    return Boolean.TRUE;
  }

  /** Runs a check of the math layer, turning its IllegalArgumentException into a usage error. */
  private static <T> T checked(java.util.function.Supplier<T> check) {
    return CnnShapes.checked(check);
  }
}
