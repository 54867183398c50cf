package io.cvxrelu.job;

import io.cvxrelu.deep.study.DeepClosedFormStudy;
import io.cvxrelu.deep.study.StudyData;
import io.cvxrelu.deep.study.SplineReport;
import io.cvxrelu.deep.study.SplineStudy;
import io.cvxrelu.deep.study.StudyReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/deep-closed-form.sh}: seed 003's Figure 2 (Ergen and Pilanci, ICML 2021), the
 * closed-form optima of deep networks (L = 2, 3, 4 over a grid of beta) against the convex
 * program (L = 2) and the L-layer trainer, on whitened CIFAR-10 (three classes, one-hot), a
 * small whitened Gaussian set and a rank-one set ({@link DeepClosedFormStudy}), and the 1-D
 * spline corollary with free biases ({@link SplineStudy}, seed 003's Figure 1). Writes
 * {@code results.csv}, {@code spline-1d.csv}, {@code report.md} and the plots, atomically.
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
        .option("seed", "0", "seeds the data and the initialisations")
        .option("spline", "none", "n of the 1-D set for the spline panel (free biases and "
            + "intercept; seed 003's Figure 1), or 'none'")
        .option("spline-beta-fracs", "0.001,0.01,0.1,0.4", "the 1-D panel's beta grid as "
            + "fractions of its beta_max")
        .option("spline-epochs", "30000", "full-batch Adam steps per run of the 1-D network")
        .option("spline-lr", "0.003", "Adam step size of the 1-D network (decays to zero)")
        .option("spline-width", "32", "hidden width of the trained 1-D networks"));
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
      SplineStudy.Settings spline = splineSettings(opts, settings);
      List<StudyData> data = datasets(opts, settings.seed(), spline != null);
      StringBuilder command = new StringBuilder("jobs/deep-closed-form.sh");
      for (String name : List.of("cifar", "classes", "per-class", "test-per-class", "gaussian",
          "rank-one", "depths", "betas", "beta-fracs", "inits", "epochs", "lr", "width", "seed",
          "spline", "spline-beta-fracs", "spline-epochs", "spline-lr", "spline-width")) {
        if (opts.get(name) != null) {
          command.append(" --").append(name).append(' ').append(opts.get(name));
        }
      }
      Map<String, String> text = new LinkedHashMap<>();
      Map<String, byte[]> plots = new LinkedHashMap<>();
      if (!data.isEmpty()) {
        DeepClosedFormStudy.Result result = DeepClosedFormStudy.run(data, settings, LOG::info);
        text.putAll(StudyReport.textFiles(result, command.toString()));
        plots.putAll(StudyReport.plots(result));
      } else {
        text.put("report.md", "# Closed-form optima of deep networks\n\nCommand: `" + command
            + "`\n");
      }
      if (spline != null) {
        SplineStudy.Result r = SplineStudy.run(spline, LOG::info);
        text.putAll(SplineReport.textFiles(r));
        text.merge("report.md", SplineReport.markdown(r), String::concat);
        plots.putAll(SplineReport.plots(r));
      }
      job.io().writeAtomically(out, text, plots, overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  /** The 1-D panel's settings, or null for {@code --spline none}. */
  private static SplineStudy.Settings splineSettings(JobOptions opts,
      DeepClosedFormStudy.Settings deep) {
    if (opts.require("spline").equals("none")) {
      return null;
    }
    try {
      return new SplineStudy.Settings((int) opts.positiveLong("spline"), 0.3,
          betas(opts.require("spline-beta-fracs")), deep.inits(),
          (int) opts.positiveLong("spline-epochs"), opts.positiveDouble("spline-lr"),
          (int) opts.positiveLong("spline-width"), deep.seed());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static List<StudyData> datasets(JobOptions opts, long seed, boolean spline) {
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
    if (data.isEmpty() && !spline) {
      throw new UsageException("no data set: give --cifar, --gaussian, --rank-one or --spline");
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
