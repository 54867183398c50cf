package io.cvxrelu.job;

import io.cvxrelu.deep.study.DeepClosedFormStudy;
import io.cvxrelu.deep.study.StudyData;
import io.cvxrelu.deep.study.StudyReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/deep-closed-form.sh}: seed 003's Figure 2 (Ergen and Pilanci, ICML 2021), the
 * closed-form optima of deep networks (L = 2, 3, 4 over a grid of beta) against the convex
 * program (L = 2) and the L-layer trainer, on whitened CIFAR-10 (three classes, one-hot), a
 * small whitened Gaussian set and a rank-one set ({@link DeepClosedFormStudy}). Writes
 * {@code results.csv}, {@code report.md} and the plots, atomically.
 */
public final class DeepClosedFormJob {
  private static final Logger LOG = LogManager.getLogger(DeepClosedFormJob.class);

  private DeepClosedFormJob() {}

  static JobOptions options() {
    return JobContext.declareMaster(new JobOptions(
        "Usage: deep-closed-form.sh --out DIR [options]\n"
        + "Closed-form optima of deep ReLU networks (whitened, one-hot, rank-one data) against\n"
        + "the convex program (L = 2) and the L-layer trainer; writes results.csv, report.md\n"
        + "and plots to DIR.")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("cifar", null, "CIFAR-10 binary batches folder (absent: no CIFAR data set)")
        .option("classes", "airplane,automobile,bird", "three or more CIFAR-10 classes")
        .option("per-class", "333", "training images per class (n = classes x this < 3072)")
        .option("test-per-class", "100", "test images per class")
        .option("gaussian", "7,10", "n,d of the whitened Gaussian set (n <= 12 for the convex "
            + "program over every pattern), or 'none'")
        .option("rank-one", "40,10", "n,d of the rank-one set, or 'none'")
        .option("depths", "2,3,4", "depths L >= 2")
        .option("betas", null, "the beta grid (absolute values)")
        .option("beta-fracs", "0.05,0.25,0.6", "the beta grid as fractions of each data set's "
            + "beta_max (the smallest beta with the zero network optimal at L = 2), used when "
            + "--betas is absent")
        .option("inits", "5", "trainer runs per (data, depth, beta)")
        .option("epochs", "2000", "full-batch Adam steps per run")
        .option("lr", "0.01", "Adam step size (decays linearly to zero)")
        .option("width", "16", "hidden width of every layer of the trained networks")
        .option("seed", "0", "seeds the data and the initialisations"));
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("deep-closed-form", options(), args, DeepClosedFormJob::execute);
  }

  private static void execute(JobOptions opts) {
    String out = opts.require("out");
    boolean overwrite = opts.flagSet("overwrite");
    DeepClosedFormStudy.Settings settings;
    try {
      boolean fractions = opts.get("betas") == null;
      settings = new DeepClosedFormStudy.Settings(opts.positiveIntList("depths"),
          betas(fractions ? opts.require("beta-fracs") : opts.get("betas")), fractions, (int) opts.positiveLong("inits"),
          (int) opts.positiveLong("epochs"), opts.positiveDouble("lr"),
          (int) opts.positiveLong("width"), opts.anyLong("seed"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    try (JobContext job = JobContext.open("deep-closed-form", opts)) {
      job.io().checkOutput(out, overwrite);
      List<StudyData> data = datasets(opts, settings.seed());
      DeepClosedFormStudy.Result result = DeepClosedFormStudy.run(data, settings, LOG::info);
      StringBuilder command = new StringBuilder("jobs/deep-closed-form.sh");
      for (String name : List.of("cifar", "classes", "per-class", "test-per-class", "gaussian",
          "rank-one", "depths", "betas", "beta-fracs", "inits", "epochs", "lr", "width", "seed")) {
        if (opts.get(name) != null) {
          command.append(" --").append(name).append(' ').append(opts.get(name));
        }
      }
      job.io().writeAtomically(out, StudyReport.textFiles(result, command.toString()),
          StudyReport.plots(result), overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  private static List<StudyData> datasets(JobOptions opts, long seed) {
    List<StudyData> data = new ArrayList<>();
    try {
      if (opts.get("cifar") != null) {
        int[] classes = StudyData.classIndices(opts.require("classes"));
        data.add(StudyData.cifar(Path.of(opts.get("cifar")), classes,
            (int) opts.positiveLong("per-class"), (int) opts.positiveLong("test-per-class")));
      }
      int[] g = pair(opts, "gaussian");
      if (g != null) {
        data.add(StudyData.whitenedGaussian(g[0], g[1], 200, seed));
      }
      int[] r = pair(opts, "rank-one");
      if (r != null) {
        data.add(StudyData.rankOne(r[0], r[1], 200, seed));
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (data.isEmpty()) {
      throw new UsageException("no data set: give --cifar, --gaussian or --rank-one");
    }
    return data;
  }

  private static int[] pair(JobOptions opts, String name) {
    if (opts.require(name).equals("none")) {
      return null;
    }
    int[] v = opts.positiveIntList(name);
    if (v.length != 2) {
      throw new UsageException("--" + name + " takes n,d or none, got '" + opts.get(name) + "'");
    }
    return v;
  }

  private static double[] betas(String list) {
    try {
      double[] b = Arrays.stream(list.split(",")).mapToDouble(s -> Double.parseDouble(s.strip()))
          .toArray();
      for (double v : b) {
        if (!(v > 0.0) || !Double.isFinite(v)) {
          throw new UsageException("beta values must be positive numbers, got '" + list + "'");
        }
      }
      return b;
    } catch (NumberFormatException e) {
      throw new UsageException("beta values must be comma-separated numbers, got '" + list
          + "'");
    }
  }
}
