package io.cvxrelu.job;

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
    CnnRun.Plan plan = CnnRun.plan(opts, opts.get("architecture"));
    try (JobContext job = JobContext.open("train-cnn", opts)) {
      job.io().checkOutput(out, opts.flagSet("overwrite"));
      job.io().writeAtomically(out, CnnRun.train(job, opts, plan), opts.flagSet("overwrite"));
      LOG.info("wrote {}", out);
    }
  }
}
