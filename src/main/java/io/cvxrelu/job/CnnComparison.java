package io.cvxrelu.job;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnnTraining;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.distributed.DistributedCnnSgd;
import io.cvxrelu.sgd.distributed.DistributedSgd;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code compare.sh --architecture cnn-pooled}: the CNN with shared filters and global pooling
 * (Ergen and Pilanci, "Implicit convex regularizers of CNN architectures", ICLR 2021; Pilanci
 * and Ergen 2020, section 5) trained through its convex programs (gated and/or ReLU, sign
 * patterns sampled on the stacked patches or all enumerated), beside the same CNN trained by SGD
 * from several initialisations as Spark tasks ({@link DistributedCnnSgd}), on the same objective
 * 1/2 sum_i (f(x_i) - y_i)^2 + beta/2 sum_j (||u_j||^2 + alpha_j^2) and the same beta. The
 * report ({@link CnnComparisonFiles}) sets the certified objectives and test accuracies against
 * the SGD runs' median and best.
 */
final class CnnComparison {
  private static final Logger LOG = LogManager.getLogger(CnnComparison.class);

  /** The architecture name, as train-cnn spells it. */
  static final String ARCHITECTURE = CnnOutputs.POOLED;

  private CnnComparison() {}

  /** Whether the options ask for the CNN comparison (else the fully connected one). */
  static boolean wanted(JobOptions opts) {
    String a = opts.get("architecture");
    if (a.equals("fc")) {
      for (String cnnOnly : List.of("image-shape", "patch", "stride")) {
        if (opts.get(cnnOnly) != null) {
          throw new UsageException("--" + cnnOnly + " applies to --architecture " + ARCHITECTURE
              + " only");
        }
      }
      for (String cnnOnly : List.of("split", "train-size")) {
        if (!opts.get(cnnOnly).equals("0")) {
          throw new UsageException("--" + cnnOnly + " applies to --architecture " + ARCHITECTURE
              + " only");
        }
      }
      return false;
    }
    if (a.equals(ARCHITECTURE)) {
      return true;
    }
    throw new UsageException("--architecture must be fc or " + ARCHITECTURE + ", got '" + a
        + "'");
  }

  /**
   * What the comparison runs.
   *
   * @param relu per convex program, whether it is the ReLU one (else gated)
   * @param patterns per convex program, the sign patterns sampled on the stacked patches, or
   *     all of them
   * @param beta the weight, or NaN for {@code betaFraction * betaMax}
   * @param widths SGD filter counts m, each from {@code inits} initialisations
   * @param split with a training set alone: its first rows train, the rest test (0: none)
   * @param trainSize the first rows of the training set used (0: all)
   * @param classes --classes as given (the IDX reader names classes by Fashion-MNIST's names)
   */
  record Plan(List<Boolean> relu, List<TrainingSpec.Patterns> patterns, long seed, double beta,
      double betaFraction, SolverOptions options, int[] widths, int inits, SgdOptions sgd,
      int[] shape, int split, int trainSize, String classes) {

    static Plan of(JobOptions opts) {
      for (String unused : List.of("polish", "bias")) {
        if (opts.flagSet(unused)) {
          throw new UsageException("--" + unused + " applies to the fully connected comparison "
              + "only, not --architecture " + ARCHITECTURE);
        }
      }
      if (opts.get("sampled-patterns") != null) {
        throw new UsageException("--sampled-patterns applies to the fully connected comparison "
            + "only, not --architecture " + ARCHITECTURE);
      }
      if (!opts.get("loss").equals("squared")) {
        throw new UsageException("the pooled CNN programs take the squared loss only, got --loss "
            + opts.get("loss"));
      }
      if (opts.get("pca") != null || opts.get("random-projection") != null) {
        throw new UsageException("--pca and --random-projection would mix the pixels of the "
            + "patches: not for a CNN");
      }
      List<Boolean> relu = new ArrayList<>();
      for (String m : opts.require("model").split(",", -1)) {
        switch (m.strip()) {
          case "relu" -> relu.add(true);
          case "gated" -> relu.add(false);
          default -> throw new UsageException("--model takes relu, gated or both (gated,relu), "
              + "got '" + opts.get("model") + "'");
        }
      }
      SolverOptions options = new SolverOptions(opts.positiveDouble("tol"),
          SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
          opts.positiveDouble("max-seconds"));
      int[] widths = opts.positiveIntList("neurons");
      int split = (int) Math.min(Integer.MAX_VALUE, nonNegative(opts, "split"));
      if (split > 0 && !opts.get("standardize").equals("false")) {
        throw new UsageException("--split cuts the test rows out of the training file after "
            + "reading: pass --standardize false, so that no statistic sees them");
      }
      return new Plan(List.copyOf(relu), patterns(opts.require("patterns"), relu.size()),
          opts.anyLong("seed"), opts.get("beta") == null ? Double.NaN
              : opts.positiveDouble("beta"), opts.positiveDouble("beta-frac"), options, widths,
          TrainingSpecs.inits(opts), TrainingSpecs.sgd(opts, widths[0]),
          CnnShapes.declaredShape(opts), split,
          (int) Math.min(Integer.MAX_VALUE, nonNegative(opts, "train-size")),
          opts.get("classes"));
    }

    /**
     * --patterns: one count (or all) for every program, or one per --model entry (e.g.
     * {@code 100,16} with {@code gated,relu}: the ReLU program's interior-point method takes
     * fewer patterns than the gated program's proximal gradient).
     */
    private static List<TrainingSpec.Patterns> patterns(String value, int programs) {
      String[] parts = value.split(",", -1);
      if (parts.length != 1 && parts.length != programs) {
        throw new UsageException("--patterns takes one value or one per --model entry, got '"
            + value + "' for " + programs + " programs");
      }
      List<TrainingSpec.Patterns> out = new ArrayList<>();
      for (int i = 0; i < programs; i++) {
        String p = parts[parts.length == 1 ? 0 : i].strip();
        if (p.equals("all")) {
          out.add(new TrainingSpec.Patterns(0, true, null, null));
          continue;
        }
        long count;
        try {
          count = Long.parseLong(p);
        } catch (NumberFormatException e) {
          count = 0;
        }
        if (count < 1) {
          throw new UsageException("--patterns must be a positive count or all, got '" + p
              + "'");
        }
        out.add(new TrainingSpec.Patterns((int) Math.min(Integer.MAX_VALUE, count), false,
            null, null));
      }
      return List.copyOf(out);
    }

    private static long nonNegative(JobOptions opts, String name) {
      long v = opts.anyLong(name);
      if (v < 0) {
        throw new UsageException("--" + name + " must be >= 0, got " + v);
      }
      return v;
    }

    /** Convex program i at {@code beta} (NaN: the fraction of its beta_max). */
    PooledCnnTraining.Spec spec(int i, PatchGeometry geometry, double atBeta) {
      TrainingSpec.Patterns p = patterns.get(i);
      return new PooledCnnTraining.Spec(relu.get(i), geometry, p.all() ? 0 : p.count(),
          p.all(), seed, atBeta, betaFraction, options);
    }
  }

  /** A convex program's training and its report row. */
  record Convex(PooledCnnTraining.Trained trained, ComparisonReport.Run run) {}

  /** Everything the report needs. */
  record Outcome(Plan plan, DataLoader.Loaded data, LabeledData train, LabeledData test,
      PatchGeometry geometry, List<Convex> convex, List<DistributedSgd.Init> tasks,
      List<DistributedSgd.InitRun> sgd) {}

  /** Reads the data, solves the convex programs, runs SGD and writes the report. */
  static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    Plan plan = Plan.of(opts);
    boolean overwrite = opts.flagSet("overwrite");
    System.setProperty("java.awt.headless", "true");
    try (JobContext job = JobContext.open("compare", opts)) {
      job.io().checkOutput(out, overwrite);
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      LabeledData[] sets = sets(plan, data);
      LabeledData train = sets[0];
      LabeledData test = sets[1];
      PatchGeometry geometry = CnnShapes.windows(opts,
          CnnShapes.imageShape(opts, plan.shape(), train.d()));
      for (int i = 0; i < plan.relu().size(); i++) {
        PooledCnnTraining.Spec spec = plan.spec(i, geometry, plan.beta());
        CnnShapes.checked(() -> {
          PooledCnnTraining.checkSize(spec, train.n());
          return Boolean.TRUE;
        });
      }
      LOG.info("pooled CNN: n={} d={} h={} K={} programs={}", train.n(), train.d(),
          geometry.patchSize(), geometry.patchCount(), opts.get("model"));
      List<Convex> convex = new ArrayList<>();
      double beta = plan.beta();
      for (int i = 0; i < plan.relu().size(); i++) {
        job.describe("cvxrelu: convex pooled CNN (" + (plan.relu().get(i) ? "relu" : "gated")
            + ")");
        Convex c = solve(plan.spec(i, geometry, beta), train, test);
        // The first program fixes beta (a fraction of its beta_max), so every program and
        // every SGD run share it.
        beta = c.trained().beta();
        convex.add(c);
      }
      job.describe("cvxrelu: SGD on the pooled CNN from " + plan.inits() + " initialisations");
      List<DistributedSgd.Init> tasks = new ArrayList<>();
      for (int m : plan.widths()) {
        for (int k = 0; k < plan.inits(); k++) {
          tasks.add(new DistributedSgd.Init(m, k));
        }
      }
      List<DistributedSgd.InitRun> sgd = DistributedCnnSgd.run(job.spark(),
          DistributedCnnSgd.CnnSgdData.of(geometry, train.x(), train.y(),
              test == null ? null : test.x(), test == null ? null : test.y(), new SquaredLoss(),
              beta), plan.sgd(), tasks);
      Outcome outcome = new Outcome(plan, data, train, test, geometry, convex, tasks, sgd);
      CnnComparisonFiles files = CnnComparisonFiles.of(outcome);
      job.io().writeAtomically(out, files.text(), files.plots(), overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  /** Training and test sets after --split and --train-size. */
  private static LabeledData[] sets(Plan plan, DataLoader.Loaded data) {
    LabeledData train = data.train();
    LabeledData test = data.test();
    if (plan.split() > 0) {
      if (test != null) {
        throw new UsageException("--split cuts a test set out of the training data: not with a "
            + "test set of its own");
      }
      if (plan.split() >= train.n()) {
        throw new UsageException("--split " + plan.split() + " leaves no test rows of the "
            + train.n());
      }
      test = rows(train, plan.split(), train.n());
      train = rows(train, 0, plan.split());
    }
    if (plan.trainSize() > 0 && plan.trainSize() < train.n()) {
      train = rows(train, 0, plan.trainSize());
    }
    return new LabeledData[] {train, test};
  }

  /** Rows from .. to - 1, copied column by column (the matrices are column-major). */
  static LabeledData rows(LabeledData data, int from, int to) {
    int n = data.n();
    int d = data.d();
    DenseMatrix x = new DenseMatrix(to - from, d);
    for (int j = 0; j < d; j++) {
      System.arraycopy(data.x().data(), j * n + from, x.data(), j * (to - from), to - from);
    }
    double[] y = java.util.Arrays.copyOfRange(data.y(), from, to);
    return new LabeledData(x, y);
  }

  /** One convex program, its recovered CNN's accuracies and its report row. */
  private static Convex solve(PooledCnnTraining.Spec spec, LabeledData train,
      LabeledData test) {
    String model = spec.relu() ? "relu" : "gated";
    PooledCnnTraining.Trained t = PooledCnnTraining.train(spec, train.x(), train.y(),
        new ProgressLogger(spec.options().tolerance(), 10.0));
    LOG.info("convex {}: {} after {} iterations, {} s, objective {}, relative gap {}, "
        + "{} filters ({}), network objective {}", model, t.result().stopReason(),
        t.result().iterations(), String.format(Locale.ROOT, "%.1f", t.result().seconds()),
        t.result().certificate().objective(), t.result().certificate().relativeGap(),
        t.network().width(), t.solver(), t.nonconvexObjective());
    ComparisonReport.Run r = ComparisonReport.Run.convex("convex " + model + " (" + t.solver()
        + ", P = " + t.patternCount() + ")", t.result(), spec.options(),
        Certification.labelScale(train.y()), null);
    double trainAcc = accuracy(t.network().predict(train.x()), train.y());
    double testAcc = test == null ? Double.NaN
        : accuracy(t.network().predict(test.x()), test.y());
    double[] testCurve = r.testAccuracy().clone();
    if (testCurve.length > 0) {
      testCurve[testCurve.length - 1] = testAcc;
    }
    ComparisonReport.Run run = new ComparisonReport.Run(r.name(), r.group(), 0, r.iterations(),
        r.seconds(), r.objective(), testCurve, r.finalObjective(), r.relativeGap(), trainAcc,
        testAcc, r.totalSeconds(), r.duality());
    return new Convex(t, run);
  }

  private static double accuracy(double[] f, double[] y) {
    return Metrics.isPlusMinusOne(y) ? Metrics.accuracy(f, y) : Double.NaN;
  }
}
