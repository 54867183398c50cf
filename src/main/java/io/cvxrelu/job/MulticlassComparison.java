package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.GatedVectorNetwork;
import io.cvxrelu.multiclass.MultiOutputFista;
import io.cvxrelu.multiclass.MultiOutputLoss;
import io.cvxrelu.multiclass.MultiOutputProblem;
import io.cvxrelu.multiclass.MultiOutputResult;
import io.cvxrelu.multiclass.MulticlassTargets;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.distributed.DistributedMultiOutputSgd;
import io.cvxrelu.sgd.distributed.DistributedSgd.InitRun;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.ProblemSetup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/compare.sh} with more than two classes ({@code --classes all} or a list of three
 * or more): the certified vector-output gated convex program ({@link MultiOutputProblem},
 * group lasso over d x c blocks; Sahiner, Ergen, Pauly and Pilanci 2021; Mishkin, Sahiner and
 * Pilanci 2022, eq. (4)) against the vector-output ReLU network trained by SGD from several
 * initialisations on the same loss and the same beta (weight decay beta/2 (||u_j||^2 +
 * ||alpha_j||^2)), as issue 21 asks for CIFAR-10 and MNIST 10-class.
 *
 * <p>The data are read and preprocessed as train-multiclass does ({@link MulticlassData}:
 * standardised, optional PCA ({@code --pca K}), a bias column); the program is solved on the
 * driver by {@link MultiOutputFista}; the SGD initialisations run as Spark tasks
 * ({@link DistributedMultiOutputSgd}). Writes {@code report.md}, {@code comparison.csv},
 * {@code summary.json}, {@code convex-history.csv}, {@code sgd-init-K.csv} and the PNG plots
 * of {@link ComparisonReport}, atomically.
 *
 * <p>What the objectives say about each other: with every sign pattern enumerated
 * ({@code --patterns all}) the program's certified lower bound bounds the objective of every
 * ReLU network of any width (each neuron sits in the block of its own pattern, see
 * {@link io.cvxrelu.multiclass.ReluVectorNetwork}), and the report checks the SGD runs
 * against it. With sampled patterns the program is neither a lower bound nor a restriction of
 * the ReLU problem, and the report only sets the numbers side by side.
 */
final class MulticlassComparison {
  private static final Logger LOG = LogManager.getLogger(MulticlassComparison.class);

  private MulticlassComparison() {}

  /** Declares the options only the multi-class comparison reads. */
  static JobOptions declareOptions(JobOptions opts) {
    // --split and --train-size are declared by CompareJob: the CNN comparison shares them.
    return opts
        .option("test-size", "0", "c classes: use N test rows (0: all; CIFAR-10: N/c per "
            + "class)");
  }

  /** Whether {@code --classes} names more than two classes ('all', or a list of three+). */
  static boolean applies(JobOptions opts) {
    String classes = opts.get("classes");
    return classes != null && (classes.strip().equalsIgnoreCase("all")
        || classes.split(",", -1).length > 2);
  }

  /** What the comparison runs, from the options. */
  private record Plan(MultiOutputLoss loss, Double beta, double betaFrac, boolean enumerate,
      int patterns, int reduce, long seed, SolverOptions solver, int inits, SgdOptions sgd) {

    static Plan of(JobOptions opts) {
      for (String unsupported : List.of("sampled-patterns", "random-projection")) {
        if (opts.get(unsupported) != null) {
          throw new UsageException("--" + unsupported + " is not supported with more than two "
              + "classes");
        }
      }
      if (opts.flagSet("polish")) {
        throw new UsageException("--polish is not supported with more than two classes");
      }
      if (!opts.get("model").equals("gated")) {
        throw new UsageException("with more than two classes compare runs the gated program "
            + "(--model gated), got --model " + opts.get("model") + " (the multi-output ReLU "
            + "program is train-multiclass.sh --model relu)");
      }
      if (opts.get("standardize").equalsIgnoreCase("false")) {
        throw new UsageException("with more than two classes the features are always "
            + "standardised (--standardize auto or true)");
      }
      MultiOutputLoss loss = MulticlassData.parse(() -> MultiOutputLoss.forName(
          opts.get("loss")));
      boolean enumerate = opts.get("patterns").equals("all");
      int patterns = enumerate ? 0 : (int) Math.min(Integer.MAX_VALUE,
          opts.positiveLong("patterns"));
      int reduce = opts.get("pca") == null ? 0 : (int) opts.positiveLong("pca");
      SolverOptions solver = MulticlassData.parse(() -> new SolverOptions(
          opts.positiveDouble("tol"), SolverOptions.DEFAULTS.feasibilityTolerance(),
          opts.positiveLong("max-iter"), opts.positiveDouble("max-seconds")));
      int[] widths = opts.positiveIntList("neurons");
      if (widths.length != 1) {
        throw new UsageException("with more than two classes --neurons is one width, got "
            + opts.get("neurons"));
      }
      return new Plan(loss, TrainingSpecs.beta(opts), opts.positiveDouble("beta-frac"),
          enumerate, patterns, reduce, opts.anyLong("seed"), solver, TrainingSpecs.inits(opts),
          TrainingSpecs.sgd(opts, widths[0]));
    }
  }

  /** The convex solve and what was measured on it. */
  private record Convex(MultiOutputProblem problem, MultiOutputResult result,
      GatedVectorNetwork network, double betaMax, double trainAccuracy, double testAccuracy) {}

  /** Data, convex solve, SGD, report. */
  static void execute(JobOptions opts) {
    String train = opts.require("train");
    String out = opts.require("out");
    Plan plan = Plan.of(opts);
    boolean overwrite = opts.flagSet("overwrite");
    System.setProperty("java.awt.headless", "true");
    long wallStart = System.nanoTime();
    try (JobContext job = JobContext.open("compare", opts)) {
      job.io().checkOutput(out, overwrite);
      MulticlassData.Split data = MulticlassData.read(job.io(), opts, train);
      MulticlassData.Design design = MulticlassData.design(data, plan.reduce(), plan.seed());

      job.describe("cvxrelu: multi-class convex solve");
      Convex convex = solve(plan, data, design);

      job.describe("cvxrelu: multi-output SGD from " + plan.inits() + " initialisations");
      List<InitRun> sgd = DistributedMultiOutputSgd.run(job.spark(),
          new DistributedMultiOutputSgd.MultiOutputData(design.x(), design.y(), design.xTest(),
              data.test().classes(), plan.loss().name(), convex.problem().beta()),
          plan.sgd(), plan.inits());

      List<ComparisonReport.Run> rows = new ArrayList<>();
      rows.add(convexRow(convex, plan.solver()));
      for (InitRun r : sgd) {
        rows.add(ComparisonRuns.sgdRun(r, plan.sgd().neurons(), false));
      }
      Map<String, byte[]> plots = ComparisonReport.plots(rows);
      Map<String, String> settings = settings(opts, plan, data, convex);
      List<String> checks = checks(plan, convex, rows.subList(1, rows.size()));
      Map<String, String> files = new LinkedHashMap<>();
      files.put("report.md", ComparisonReport.markdown("Multi-class convex program vs SGD",
          settings, rows, note(plan.enumerate()), checks,
          plots.containsKey(ComparisonReport.TEST_ACCURACY_VS_SECONDS)));
      files.put("comparison.csv", ComparisonReport.csv(rows));
      files.put("summary.json", summary(plan, data, convex, rows, settings, checks,
          (System.nanoTime() - wallStart) * 1e-9));
      files.put("convex-history.csv", history(convex.result().history()));
      for (InitRun r : sgd) {
        files.put("sgd-init-" + r.init() + ".csv", r.historyCsv());
      }
      job.io().writeAtomically(out, files, plots, overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  private static Convex solve(Plan plan, MulticlassData.Split data,
      MulticlassData.Design design) {
    DenseMatrix x = design.x();
    SignPatterns patterns = plan.enumerate() ? ProblemSetup.enumerated(x)
        : ProblemSetup.sampled(x, plan.patterns(), plan.seed());
    MultiOutputProblem unscaled = new MultiOutputProblem(x, design.y(), patterns, plan.loss(),
        1.0);
    double betaMax = unscaled.betaMax();
    double beta = ProblemSetup.beta(plan.beta(), plan.betaFrac(), betaMax);
    MultiOutputProblem problem = unscaled.withBeta(beta);
    LOG.info("{}: n={} d={} c={} P={} ({}) loss={} beta={} ({} beta_max), BLAS {}",
        data.description(), x.rows(), x.cols(), problem.outputs(), patterns.count(),
        plan.enumerate() ? "enumerated" : "sampled", plan.loss().name(), beta, beta / betaMax,
        Blas.backend());
    int[] logged = {0};
    MultiOutputResult result = new MultiOutputFista().solve(problem, null, plan.solver(),
        rec -> {
          if (logged[0]++ % 50 == 0) {
            LOG.info("convex step {}: objective {} gap {} ({} s)", rec.iteration(),
                rec.objective(), rec.relativeGap(), String.format(Locale.ROOT, "%.1f",
                    rec.seconds()));
          }
          return true;
        });
    GatedVectorNetwork network = GatedVectorNetwork.recover(problem, result.weights());
    double trainAcc = MulticlassTargets.accuracy(problem.predict(result.weights()),
        data.train().classes());
    double testAcc = MulticlassTargets.accuracy(network.predict(design.xTest()),
        data.test().classes());
    LOG.info("convex {} after {} steps, {} s: objective {} gap {}; accuracy train {} test {}",
        result.stopReason(), result.iterations(), result.seconds(),
        result.certificate().objective(), result.certificate().relativeGap(), trainAcc,
        testAcc);
    return new Convex(problem, result, network, betaMax, trainAcc, testAcc);
  }

  /** The convex row: one point per certificate evaluation, x = FISTA steps so far. */
  private static ComparisonReport.Run convexRow(Convex convex, SolverOptions options) {
    MultiOutputResult result = convex.result();
    List<IterationRecord> h = result.history();
    int k = h.size();
    double[] steps = new double[k];
    double[] seconds = new double[k];
    double[] objective = new double[k];
    double[] lower = new double[k];
    double[] accuracy = new double[k];
    for (int i = 0; i < k; i++) {
      IterationRecord r = h.get(i);
      steps[i] = r.innerIterations();
      seconds[i] = r.seconds();
      objective[i] = r.objective();
      lower[i] = r.lowerBound();
      accuracy[i] = Double.NaN;
    }
    double gap = result.certificate().relativeGap();
    // The gated program has no cone constraints: certified means CONVERGED at the tolerance.
    boolean certified = result.certified() && gap <= options.tolerance();
    Certification certification = certified ? new Certification(true, "certified")
        : new Certification(false, String.format(Locale.ROOT, "not certified (%s, gap %.2e)",
            result.stopReason().name(), gap));
    ComparisonReport.Duality duality = new ComparisonReport.Duality(certification,
        result.stopReason(), result.certificate().lowerBound(), 0.0, lower, new double[k],
        options.feasibilityTolerance());
    return new ComparisonReport.Run("convex (gated, " + convex.problem().loss().name() + ", P = "
        + convex.problem().patternCount() + ")", ComparisonReport.CONVEX, 0, steps, seconds,
        objective, accuracy, result.certificate().objective(), gap, convex.trainAccuracy(),
        convex.testAccuracy(), result.seconds(), duality);
  }

  /** The report's statements: convex against the SGD median and best, and the bound check. */
  private static List<String> checks(Plan plan, Convex convex, List<ComparisonReport.Run> sgd) {
    List<String> out = new ArrayList<>();
    double obj = convex.result().certificate().objective();
    double[] sgdObj = sgd.stream().mapToDouble(ComparisonReport.Run::finalObjective).toArray();
    double[] sgdTest = sgd.stream().mapToDouble(ComparisonReport.Run::testAccuracyFinal)
        .toArray();
    double medObj = ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective);
    double bestObj = Arrays.stream(sgdObj).min().orElse(Double.NaN);
    out.add(String.format(Locale.ROOT, "Objective: convex %.8g; SGD median %.8g, best %.8g "
        + "(convex %s the SGD median by %.2f%% of it).", obj, medObj, bestObj,
        obj <= medObj ? "below" : "above", 100.0 * Math.abs(medObj - obj) / Math.abs(medObj)));
    out.add(String.format(Locale.ROOT, "Test accuracy: convex %.4f; SGD median %.4f, highest "
        + "%.4f over the %d inits (the highest is picked on the test set, for reference only).",
        convex.testAccuracy(), ComparisonReport.median(sgd,
            ComparisonReport.Run::testAccuracyFinal), Arrays.stream(sgdTest).max()
            .orElse(Double.NaN), sgd.size()));
    double excess = GatedVectorNetwork.rankExcess(convex.problem(), convex.result().weights());
    out.add(String.format(Locale.ROOT, "The recovered gated network (%d neurons) has the "
        + "weight-decay objective %.8g: the convex objective plus beta times the rank excess "
        + "%.4g of the blocks (zero only for rank-one blocks).", convex.network().neurons(),
        obj + convex.problem().beta() * excess, excess));
    if (plan.enumerate()) {
      ComparisonReport.Run row = convexRow(convex, plan.solver());
      double bound = row.certifiedLowerBound();
      if (Double.isNaN(bound)) {
        out.add("The convex run is not certified, so no SGD run is checked against it.");
      } else {
        long below = sgd.stream().filter(r -> Arrays.stream(r.objective())
            .anyMatch(v -> v < bound)).count();
        out.add(String.format(Locale.ROOT, "Every pattern enumerated: %s SGD run ends or "
            + "passes below the certified lower bound %.8g.", below == 0 ? "no" : below
            + " (an error!)", bound));
      }
    }
    return out;
  }

  private static String note(boolean enumerate) {
    return enumerate
        ? "All sign patterns are enumerated, " + ProblemSetup.ENUMERATION_TOLERANCE + ": the "
            + "certified lower bound bounds the weight-decay objective of every ReLU network "
            + "of any width on these data."
        : "Sign patterns are sampled: the gated program over them is not a lower bound on the "
            + "ReLU network's objective (SGD's neurons use patterns outside the sample), nor a "
            + "restriction of it (a gated block is not a ReLU neuron, and its Frobenius penalty "
            + "is at most the network's nuclear-norm penalty). The objectives are set side by "
            + "side on the same loss and beta; the convex one is certified for its program.";
  }

  private static Map<String, String> settings(JobOptions opts, Plan plan,
      MulticlassData.Split data, Convex convex) {
    MultiOutputProblem p = convex.problem();
    SgdOptions sgd = plan.sgd();
    SolverOptions s = plan.solver();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("data", data.description() + " (" + String.join(", ", data.classes().names())
        + ")");
    settings.put("n (train) / n (test) / d", p.n() + " / " + data.test().classes().length
        + " / " + (p.d() - 1) + " (+ bias)" + (plan.reduce() > 0 ? ", PCA of the standardised "
            + "pixels" : ", standardised pixels"));
    settings.put("loss, beta", String.format(Locale.ROOT, "%s, %.6g (%.3g beta_max, beta_max "
        + "%.6g)", p.loss().name(), p.beta(), p.beta() / convex.betaMax(), convex.betaMax()));
    settings.put("convex program", String.format(Locale.ROOT, "gated, group lasso over d x %d "
        + "blocks, %d %s sign patterns, FISTA, tol %.1e, budget %.0f s", p.outputs(),
        p.patternCount(), plan.enumerate() ? "enumerated" : "sampled", s.tolerance(),
        s.maxSeconds()));
    settings.put("SGD", String.format(Locale.ROOT, "ReLU network with %d outputs, %s, m = %d, "
        + "%d inits, %d epochs, batch %d, lr %.3g%s", p.outputs(), sgd.optimizer().id(),
        sgd.neurons(), plan.inits(), sgd.epochs(), sgd.batchSize(), sgd.learningRate(),
        sgd.optimizer() == Optimizer.SGD ? ", momentum " + sgd.momentum() : ""));
    settings.put("seed", opts.get("seed"));
    settings.put("BLAS", Blas.backend());
    return settings;
  }

  private static String summary(Plan plan, MulticlassData.Split data, Convex convex,
      List<ComparisonReport.Run> rows, Map<String, String> settings, List<String> checks,
      double seconds) {
    MultiOutputProblem p = convex.problem();
    MultiOutputResult r = convex.result();
    ObjectNode s = SummaryJson.object();
    s.put("job", "compare");
    s.put("mode", "multiclass");
    s.put("data", data.description());
    ArrayNode names = s.putArray("classes");
    Arrays.stream(data.classes().names()).forEach(names::add);
    s.put("loss", p.loss().name());
    s.put("nTrain", p.n());
    s.put("nTest", data.test().classes().length);
    s.put("d", p.d());
    s.put("beta", p.beta());
    s.put("betaMax", convex.betaMax());
    ObjectNode c = s.putObject("convex");
    c.put("patterns", p.patternCount());
    c.put("patternsEnumerated", plan.enumerate());
    c.put("objective", r.certificate().objective());
    SummaryJson.putFinite(c, "lowerBound", r.certificate().lowerBound());
    SummaryJson.putFinite(c, "relativeGap", r.certificate().relativeGap());
    c.put("tolerance", plan.solver().tolerance());
    c.put("certified", rows.get(0).certified());
    c.put("stopReason", r.stopReason().name());
    c.put("iterations", r.iterations());
    c.put("seconds", r.seconds());
    c.put("trainAccuracy", convex.trainAccuracy());
    c.put("testAccuracy", convex.testAccuracy());
    c.put("activeBlocks", p.activeBlocks(r.weights()));
    c.put("neurons", convex.network().neurons());
    double excess = GatedVectorNetwork.rankExcess(p, r.weights());
    c.put("rankExcess", excess);
    c.put("networkObjective", r.certificate().objective() + p.beta() * excess);
    List<ComparisonReport.Run> sgd = rows.subList(1, rows.size());
    ObjectNode g = s.putObject("sgd");
    g.put("neurons", plan.sgd().neurons());
    g.put("inits", sgd.size());
    g.put("medianObjective", ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective));
    g.put("bestObjective", sgd.stream().mapToDouble(ComparisonReport.Run::finalObjective).min()
        .orElse(Double.NaN));
    g.put("medianTestAccuracy", ComparisonReport.median(sgd,
        ComparisonReport.Run::testAccuracyFinal));
    g.put("maxTestAccuracy", sgd.stream().mapToDouble(ComparisonReport.Run::testAccuracyFinal)
        .max().orElse(Double.NaN));
    g.put("medianTrainAccuracy", ComparisonReport.median(sgd,
        ComparisonReport.Run::trainAccuracy));
    g.put("medianSeconds", ComparisonReport.median(sgd, ComparisonReport.Run::totalSeconds));
    ArrayNode runs = g.putArray("runs");
    for (ComparisonReport.Run run : sgd) {
      ObjectNode o = runs.addObject();
      o.put("name", run.name());
      o.put("objective", run.finalObjective());
      o.put("trainAccuracy", run.trainAccuracy());
      o.put("testAccuracy", run.testAccuracyFinal());
      o.put("seconds", run.totalSeconds());
    }
    ArrayNode ch = s.putArray("checks");
    checks.forEach(ch::add);
    ObjectNode set = s.putObject("settings");
    settings.forEach(set::put);
    s.put("totalSeconds", seconds);
    return SummaryJson.write(s);
  }

  private static String history(List<IterationRecord> records) {
    StringBuilder sb = new StringBuilder(IterationRecord.CSV_HEADER).append('\n');
    records.forEach(rec -> sb.append(rec.toCsv()).append('\n'));
    return sb.toString();
  }
}
