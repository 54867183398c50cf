package io.cvxrelu.job;

import io.cvxrelu.cnn.LinearCnnTraining;
import io.cvxrelu.cnn.LinearCnnTraining.Architecture;
import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnnTraining;
import io.cvxrelu.cnn.SeparableCnnTraining;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/train-cnn.sh}: trains a two-layer linear CNN through its convex program (Pilanci
 * and Ergen 2020, section 5): {@code --architecture linear-cnn}, the nuclear-norm program over
 * patches of {@code --patch} pixels at {@code --stride}, or {@code circular-cnn}, the l1
 * program under the DFT for circular patches of 1-D signals; {@code cnn-separable-gated}, the
 * gated separable CNN (a filter per patch), {@code cnn-separable} its ReLU program;
 * {@code cnn-pooled-gated} and {@code cnn-pooled},
 * the gated and the ReLU CNN with shared filters and global pooling (Ergen and Pilanci 2021).
 * Writes {@code summary.json} (the
 * certificate, the recovered network's non-convex objective, the fit), {@code model.json} (the
 * filters and output weights) and {@code history.csv}.
 *
 * <p>Exit codes as every job ({@link JobRunner}): a patch larger than the image, a shape that
 * does not match the rows or a non-positive stride is a usage error (exit 2), with no output.
 */
public final class TrainCnnJob {
  private static final Logger LOG = LogManager.getLogger(TrainCnnJob.class);

  private TrainCnnJob() {}

  static JobOptions options() {
    JobOptions opts = DataLoader.declareOptions(new JobOptions(
        "Usage: train-cnn.sh --train PATH --out DIR --architecture ARCH [options]\n"
        + "Trains a two-layer CNN to global optimality through its convex program (Pilanci &\n"
        + "Ergen 2020, section 5; Ergen & Pilanci 2021): the linear CNN (nuclear norm over\n"
        + "patches), the circular CNN (l1 under the DFT), the separable CNN or the CNN with\n"
        + "shared filters and global pooling (group lasso over sign patterns, gated or ReLU),\n"
        + "and writes summary.json, model.json and history.csv to DIR."))
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("architecture", "linear-cnn", "linear-cnn | circular-cnn | "
            + CnnOutputs.SEPARABLE_GATED + " | " + CnnOutputs.SEPARABLE + " | "
            + CnnOutputs.POOLED_GATED + " | "
            + CnnOutputs.POOLED)
        .option("image-shape", null, "C,H,W of a row (default: 3,32,32 for cifar10, 1,28,28 "
            + "for idx, else 1,1,d: 1-D signals)")
        .option("patch", null, "patch side (window length for 1-D signals); linear-cnn only")
        .option("stride", null, "step between patches (default: the patch side)")
        .option("beta", null, "regularisation strength beta > 0")
        .option("beta-frac", "0.01", "beta as a fraction of beta_max, used when --beta is absent")
        .option("patterns", "10", "cnn-separable(-gated): sign patterns sampled per patch; "
            + "cnn-pooled(-gated): sign patterns sampled on the stacked patches")
        .flag("exact-patterns", "cnn-pooled(-gated): every sign pattern of the stacked patches "
            + "(exact enumeration, for small patches) instead of --patterns sampled ones")
        .option("seed", "0", "seed of the gate sampling and of --random-projection")
        .option("tol", "1e-6", "target relative duality gap")
        .option("max-iter", "200000", "iteration budget")
        .option("max-seconds", "3600", "time budget in seconds");
    return JobContext.declareMaster(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("train-cnn", options(), args, TrainCnnJob::execute);
  }

  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    if (opts.get("pca") != null || opts.get("random-projection") != null) {
      throw new UsageException("--pca and --random-projection would mix the pixels of the "
          + "patches: not for a CNN");
    }
    boolean separable = opts.get("architecture").equals(CnnOutputs.SEPARABLE_GATED)
        || opts.get("architecture").equals(CnnOutputs.SEPARABLE);
    boolean pooled = opts.get("architecture").equals(CnnOutputs.POOLED_GATED)
        || opts.get("architecture").equals(CnnOutputs.POOLED);
    Architecture architecture = separable || pooled ? Architecture.LINEAR_CNN
        : checked(() -> Architecture.of(opts.get("architecture")));
    SolverOptions solverOptions = new SolverOptions(opts.positiveDouble("tol"),
        SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
        opts.positiveDouble("max-seconds"));
    double beta = opts.get("beta") == null ? Double.NaN : opts.positiveDouble("beta");
    double betaFrac = opts.positiveDouble("beta-frac");
    int[] shape = CnnShapes.declaredShape(opts);
    try (JobContext job = JobContext.open("train-cnn", opts)) {
      job.io().checkOutput(out, opts.flagSet("overwrite"));
      LOG.info("BLAS backend: {}", Blas.backend());
      job.describe("cvxrelu: read data");
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      PatchGeometry geometry = geometry(opts, architecture, shape, data.train().d());
      LOG.info("problem: n={} d={} architecture={} h={} K={}", data.train().n(),
          data.train().d(), opts.get("architecture"), geometry.patchSize(),
          geometry.patchCount());
      ProgressLogger progress = new ProgressLogger(solverOptions.tolerance(), 10.0);
      Map<String, String> files;
      int patterns = (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("patterns"));
      long seed = opts.anyLong("seed");
      boolean relu = opts.get("architecture").equals(CnnOutputs.POOLED)
          || opts.get("architecture").equals(CnnOutputs.SEPARABLE);
      if (pooled) {
        PooledCnnTraining.Spec spec = new PooledCnnTraining.Spec(relu, geometry, patterns,
            opts.flagSet("exact-patterns"), seed, beta, betaFrac, solverOptions);
        checked(() -> sized(() -> PooledCnnTraining.checkSize(spec, data.train().n())));
        PooledCnnTraining.Trained trained = PooledCnnTraining.train(spec, data.train().x(),
            data.train().y(), progress);
        logStop(trained.result(), trained.network().width() + " filters (" + trained.solver()
            + ")");
        files = CnnOutputs.files(trained, data);
      } else if (separable) {
        SeparableCnnTraining.Spec spec = new SeparableCnnTraining.Spec(relu, geometry,
            patterns, seed, beta, betaFrac, solverOptions);
        checked(() -> sized(() -> SeparableCnnTraining.checkSize(spec, data.train().n())));
        SeparableCnnTraining.Trained trained = SeparableCnnTraining.train(spec,
            data.train().x(), data.train().y(), progress);
        logStop(trained.result(), trained.neurons().size() + " neurons");
        files = CnnOutputs.files(trained, data);
      } else {
        LinearCnnTraining.Spec spec = checked(() -> new LinearCnnTraining.Spec(architecture,
            geometry, beta, betaFrac, solverOptions));
        LinearCnnTraining.Trained trained = LinearCnnTraining.train(spec, data.train().x(),
            data.train().y(), progress);
        logStop(trained.result(), trained.network().width() + " filters");
        files = CnnOutputs.files(trained, data);
      }
      job.io().writeAtomically(out, files, opts.flagSet("overwrite"));
      LOG.info("wrote {}", out);
    }
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
