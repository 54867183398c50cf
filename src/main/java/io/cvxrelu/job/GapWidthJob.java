package io.cvxrelu.job;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.report.GapWidthReport;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.theory.GapAgainstWidth;
import io.cvxrelu.train.ProblemSetup;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/gap-width.sh}: the gap between SGD at width m and the certified global optimum,
 * against m (survey seed, section 3; {@link GapAgainstWidth}). The convex ReLU program over
 * every sign pattern gives F* with its certificate; the project's SGD trainer (the one
 * {@code compare.sh --neurons 5,10,20} runs as Spark tasks) runs here on the driver from
 * several initialisations at each width. Writes {@code gap-width.csv}, {@code runs.csv}, two
 * PNGs and {@code report.md} atomically.
 */
public final class GapWidthJob {
  private static final Logger LOG = LogManager.getLogger(GapWidthJob.class);

  private GapWidthJob() {}

  static JobOptions options() {
    JobOptions opts = new JobOptions(
        "Usage: gap-width.sh --out DIR [options]\n"
        + "Solves the convex ReLU program over every sign pattern (certified F*), runs SGD at\n"
        + "widths m = 1 .. 4 m* (m*: neurons of the convex solution) from several inits, and\n"
        + "writes the gap (F_SGD - F*) / F* against m with the seed's 2/I beside it: CSV, PNG,\n"
        + "report.md.")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("train", null, "CSV (label first) to use instead of the 1-D task; every sign"
            + " pattern must be enumerable (small n or d)")
        .flag("bias", "with --train: append a column of ones (the 1-D task always has one)")
        .option("n", "40", "rows of the 1-D task (Pilanci and Ergen's Figure 2 data)")
        .option("seed", "0", "seeds the 1-D task and SGD (init k: seed + k)")
        .option("beta-frac", "0.01", "beta as a fraction of beta_max")
        .option("tol", "1e-8", "convex: target relative duality gap")
        .option("max-iter", "200000", "convex: iteration budget")
        .option("max-seconds", "300", "convex: time budget in seconds")
        .option("widths", "auto", "SGD widths, comma-separated, or auto: 1 .. 4 m*");
    return TrainingSpecs.declareSgdOptions(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("gap-width", options(), args, opts -> execute(opts, args));
  }

  private static void execute(JobOptions opts, String[] args) {
    String out = opts.require("out");
    boolean overwrite = opts.flagSet("overwrite");
    int[] widths = opts.get("widths").equals("auto") ? null : opts.positiveIntList("widths");
    SgdOptions sgd = TrainingSpecs.sgd(opts, 1);
    GapAgainstWidth.Settings settings;
    try {
      settings = new GapAgainstWidth.Settings(opts.positiveDouble("beta-frac"),
          new SolverOptions(opts.positiveDouble("tol"),
              SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
              opts.positiveDouble("max-seconds")), widths, TrainingSpecs.inits(opts), sgd,
          ProblemSetup.SMALL_ARRANGEMENT_SUBSETS);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    HadoopIo io = new HadoopIo(new Configuration());
    io.checkOutput(out, overwrite);
    System.setProperty("java.awt.headless", "true");
    long t0 = System.nanoTime();
    String train = opts.get("train");
    DenseMatrix x;
    double[] y;
    String data;
    if (train != null) {
      LabeledData d = read(io, train);
      x = opts.flagSet("bias") ? d.x().withOnesColumn() : d.x();
      y = d.y();
      data = train + (opts.flagSet("bias") ? " (+ bias column)" : "");
    } else {
      int n = (int) Math.min(100_000, opts.positiveLong("n"));
      y = new double[n];
      x = GapAgainstWidth.oneDimensionalDesign(n, y, opts.anyLong("seed"));
      data = "1-D task (Pilanci and Ergen, Figure 2): x ~ U[-2, 2] with a bias, label +1 where"
          + " |x| > 1, 10% flipped; seed " + opts.get("seed");
    }
    GapAgainstWidth.Result result;
    try {
      result = GapAgainstWidth.run(x, y, settings);
    } catch (IllegalArgumentException e) {
      // The arrangement too large to enumerate, or labels that make no program.
      throw new DataFormatException((train != null ? train : "1-D task") + ": "
          + e.getMessage());
    }
    double seconds = (System.nanoTime() - t0) * 1e-9;
    Map<String, String> files = new LinkedHashMap<>();
    String command = "jobs/gap-width.sh " + String.join(" ", args);
    files.put("report.md", GapWidthReport.markdown(result, settingsTable(data, opts, sgd,
        settings), command, seconds));
    files.put("gap-width.csv", GapWidthReport.widthsCsv(result));
    files.put("runs.csv", GapWidthReport.runsCsv(result));
    io.writeAtomically(out, files, GapWidthReport.plots(result), overwrite, null);
    LOG.info("wrote {} in {} s: F* = {} (gap {}), m* = {}; runs below the lower bound: {};"
        + " recovery within tolerance: {}", out, String.format(Locale.ROOT, "%.1f", seconds),
        result.optimum(), result.certificateGap(), result.neurons(),
        result.runsBelowLowerBound(), GapWidthReport.recoveryHolds(result));
  }

  private static LabeledData read(HadoopIo io, String train) {
    try (BufferedReader in = io.open(train, "training data")) {
      return TextDataReader.readCsv(in, train);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + train + ": " + e.getMessage());
    }
  }

  private static Map<String, String> settingsTable(String data, JobOptions opts,
      SgdOptions sgd, GapAgainstWidth.Settings s) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("data", data);
    t.put("program", String.format(Locale.ROOT, "ReLU (cone constraints), squared loss, every "
        + "sign pattern enumerated (%s), beta = %s beta_max, tol %.0e",
        ProblemSetup.ENUMERATION_TOLERANCE, opts.get("beta-frac"), s.solver().tolerance()));
    t.put("SGD", String.format(Locale.ROOT, "%s, %d inits per width (init k seeded by %d + k),"
        + " %d epochs, batch %d, lr %.3g%s; final objective of each run", sgd.optimizer().id(),
        s.inits(), sgd.seed(), sgd.epochs(), sgd.batchSize(), sgd.learningRate(),
        sgd.optimizer() == Optimizer.SGD ? ", momentum " + sgd.momentum() : ""));
    t.put("widths", opts.get("widths").equals("auto") ? "auto: every m from 1 to 4 m*"
        : opts.get("widths"));
    return t;
  }
}
