package io.cvxrelu.job;

import io.cvxrelu.report.GaussianPredictionReport;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.theory.GaussianPredictionStudy;
import io.cvxrelu.theory.GaussianPredictionStudy.Point;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/gaussian-prediction.sh}: the Gaussian-data prediction of seed 000, section 3
 * ({@link GaussianPredictionStudy}): the linear network's optimum Phi / n measured on draws of
 * Gaussian data beside its CGMT prediction, with the ReLU program's value and its bound
 * Phi_lin(2 beta). Writes {@code results.csv}, the PNG plots and {@code report.md} atomically.
 * It runs on the driver alone (no Spark session: the solves are single-node), through the
 * Hadoop file system for its output like every job.
 */
public final class GaussianPredictionJob {
  private static final Logger LOG = LogManager.getLogger(GaussianPredictionJob.class);

  private GaussianPredictionJob() {}

  static JobOptions options() {
    return new JobOptions(
        "Usage: gaussian-prediction.sh --out DIR [options]\n"
        + "Measures min 1/2 ||A theta - y||^2 + beta ||theta|| on Gaussian data against its CGMT\n"
        + "prediction, with the ReLU program beside it, and writes results.csv, plots and\n"
        + "report.md to DIR.")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("deltas", "0.5,1,2,4", "ratios delta = n / d, comma-separated")
        .option("n", "200", "rows per draw")
        .option("lambda-min", "0.01", "smallest lambda = beta / n")
        .option("lambda-max", "2", "largest lambda")
        .option("lambda-count", "12", "values of lambda, log-spaced")
        .option("trials", "20", "draws per delta")
        .option("sigma", "0.5", "noise level")
        .option("r0", "1", "norm of theta_0")
        .option("seed", "0", "seeds every draw")
        .option("relu-trials", "1", "draws (the first) on which the ReLU program is solved, 0 "
            + "for none")
        .option("relu-patterns", "4", "sampled gates of the ReLU program (plus the linear "
            + "optimum's two)")
        .option("relu-every", "3", "solve the ReLU program at every k-th lambda")
        .option("tol", "1e-6", "relative duality gap of every solve")
        .option("max-seconds", "120", "time limit of each solve");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("gaussian-prediction", options(), args, opts -> execute(opts, args));
  }

  private static void execute(JobOptions opts, String[] args) {
    String out = opts.require("out");
    boolean overwrite = opts.flagSet("overwrite");
    GaussianPredictionStudy.Settings settings = settings(opts);
    HadoopIo io = new HadoopIo(new Configuration());
    io.checkOutput(out, overwrite);
    long t0 = System.nanoTime();
    List<Point> points = GaussianPredictionStudy.run(settings, LOG::info);
    double seconds = (System.nanoTime() - t0) * 1e-9;
    Map<String, String> files = new LinkedHashMap<>();
    files.put("results.csv", GaussianPredictionReport.csv(points));
    files.put("report.md", GaussianPredictionReport.markdown(points, settings, seconds,
        "jobs/gaussian-prediction.sh " + String.join(" ", args)));
    io.writeAtomically(out, files, GaussianPredictionReport.plots(points, settings.deltas()),
        overwrite, null);
    GaussianPredictionReport.Checks k = GaussianPredictionReport.checks(points);
    LOG.info("wrote {} in {} s: prediction within tolerance at {} of {} points; ReLU bound "
        + "violations {}; every check passed: {}", out, Math.round(seconds), k.within(),
        k.points(), k.reluAboveBound(), k.passed());
  }

  private static GaussianPredictionStudy.Settings settings(JobOptions opts) {
    double lo = opts.positiveDouble("lambda-min");
    double hi = opts.positiveDouble("lambda-max");
    int count = (int) Math.min(1000, opts.positiveLong("lambda-count"));
    if (hi < lo || count == 1 && hi != lo) {
      throw new UsageException("need --lambda-min <= --lambda-max (equal for one value)");
    }
    double[] lambdas = new double[count];
    for (int k = 0; k < count; k++) {
      lambdas[k] = count == 1 ? lo : lo * Math.pow(hi / lo, (double) k / (count - 1));
    }
    double[] deltas = NumberLists.doubles(opts, "deltas");
    double tol = opts.positiveDouble("tol");
    try {
      return new GaussianPredictionStudy.Settings(deltas,
          (int) Math.min(100_000, opts.positiveLong("n")), lambdas,
          (int) Math.min(100_000, opts.positiveLong("trials")), nonNegative(opts, "sigma"),
          nonNegative(opts, "r0"), opts.anyLong("seed"),
          (int) Math.min(100_000, nonNegative(opts, "relu-trials")),
          (int) Math.min(100_000, nonNegative(opts, "relu-patterns")),
          (int) Math.min(100_000, opts.positiveLong("relu-every")),
          new SolverOptions(tol, SolverOptions.DEFAULTS.feasibilityTolerance(),
              SolverOptions.DEFAULTS.maxIterations(), opts.positiveDouble("max-seconds")));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static double nonNegative(JobOptions opts, String name) {
    String v = opts.require(name);
    try {
      double d = Double.parseDouble(v);
      if (d >= 0.0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + name + " must be a non-negative number, got '" + v + "'");
  }
}
