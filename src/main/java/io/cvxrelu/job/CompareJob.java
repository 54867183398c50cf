package io.cvxrelu.job;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.job.ComparisonRuns.Polished;
import io.cvxrelu.job.ComparisonRuns.Solved;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.distributed.DistributedSgd;
import io.cvxrelu.sgd.distributed.DistributedSgd.InitRun;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.TrainingSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/compare.sh}: the convex program and SGD from several initialisations on one task,
 * side by side (Pilanci and Ergen 2020, Figs. 2 and 5). The data are read once; the convex
 * program is solved on the driver (its history with train/test accuracy per certificate row),
 * then every SGD initialisation runs as a Spark task on the same design matrix and the same
 * beta. Writes {@code report.md}, {@code comparison.csv}, {@code summary.json}, the convex
 * {@code convex-history.csv}, {@code sgd-init-K.csv} and three PNG plots, atomically.
 */
public final class CompareJob {
  private static final Logger LOG = LogManager.getLogger(CompareJob.class);

  private CompareJob() {}

  static JobOptions options() {
    JobOptions opts = DataLoader.declareOptions(new JobOptions(
        "Usage: compare.sh --train PATH --out DIR [options]\n"
        + "Solves the convex program and runs SGD from several initialisations on the same\n"
        + "objective, then writes report.md, comparison.csv, summary.json and PNG plots."))
        .option("out", null, "report folder (written atomically)")
        .flag("overwrite", "replace an existing report folder")
        .option("loss", "squared", "squared | logistic (with more than two classes: squared | "
            + "softmax)")
        .option("beta", null, "regularisation strength beta > 0")
        .option("beta-frac", "0.001", "beta as a fraction of beta_max when --beta is absent")
        .flag("bias", "append a column of ones to the features")
        .option("model", "gated", "convex program: relu (cone-constrained) | gated")
        .option("patterns", "100", "sampled sign patterns P, or 'all' to enumerate")
        .option("sampled-patterns", null, "with --patterns all: also solve the approximate "
            + "program over this many sampled patterns (same beta), a third row of the report")
        .flag("polish", "also solve the convex program over the best SGD network's neuron "
            + "patterns plus the sampled ones, starting from that network (one more row)")
        .option("polish-model", null, "polish: relu | gated (default: --model); gated uses "
            + "the network's neurons as gates")
        .option("polish-seconds", "600", "polish: time budget in seconds")
        .option("seed", "0", "seed for patterns, projections and SGD (init k: seed + k)")
        .option("tol", "1e-6", "convex: target relative duality gap")
        .option("max-iter", "200000", "convex: iteration budget")
        .option("max-seconds", "900", "convex: time budget in seconds")
        .option("neurons", "100", "SGD: hidden neurons m, or a list of widths (5,20): "
            + "--inits runs for each")
        .option("architecture", "fc", "fc | " + CnnComparison.ARCHITECTURE + " (the CNN with "
            + "shared filters and global pooling; --model relu, gated or gated,relu; --neurons: "
            + "SGD filters)")
        .option("image-shape", null, "cnn: C,H,W of a row (default: the reader's own)")
        .option("patch", null, "cnn: patch side")
        .option("stride", null, "cnn: step between patches (default: the patch side)")
        .option("split", "0", "cnn or c classes, with no test set: the first K training rows "
            + "train and the rest test (cnn: needs --standardize false; c classes: 0 = half)")
        .option("train-size", "0", "cnn or c classes: use the first N training rows (0: all; "
            + "CIFAR-10 with c classes: N/c per class)");
    return JobContext.declareMaster(ValidationSelection.declareOptions(
        TrainingSpecs.declareSgdOptions(MulticlassComparison.declareOptions(opts))));
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("compare", options(), args, CompareJob::execute);
  }

  /**
   * What compare runs besides the convex program of its {@link TrainingSpec}.
   *
   * @param sampledCount patterns of the approximate program solved beside the exact one (0:
   *     none)
   * @param polishFormulation the program of the polish row (null: no polish)
   * @param widths SGD widths m, each run from {@code inits} initialisations
   */
  private record Plan(TrainingSpec convex, int sampledCount, Formulation polishFormulation,
      double polishSeconds, int[] widths, int inits, SgdOptions sgd) {

    static Plan of(JobOptions opts) {
      TrainingSpec convex = TrainingSpecs.onDriver(opts);
      boolean enumerate = convex.patterns().all();
      int sampledCount = 0;
      if (opts.get("sampled-patterns") != null) {
        if (!enumerate) {
          throw new UsageException("--sampled-patterns compares the approximate program with "
              + "the exact one: it needs --patterns all");
        }
        sampledCount = (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("sampled-patterns"));
      }
      boolean polish = opts.flagSet("polish");
      double polishSeconds = opts.positiveDouble("polish-seconds");
      Formulation polishFormulation = opts.get("polish-model") == null ? convex.formulation()
          : TrainingSpecs.parse("--polish-model: ", () -> Formulation.parse(
              opts.get("polish-model")));
      if (polish && enumerate) {
        throw new UsageException("--polish adds an SGD network's patterns to sampled ones; "
            + "with --patterns all the program already has every pattern");
      }
      int[] widths = opts.positiveIntList("neurons");
      return new Plan(convex, sampledCount, polish ? polishFormulation : null, polishSeconds,
          widths, TrainingSpecs.inits(opts), TrainingSpecs.sgd(opts, widths[0]));
    }
  }

  /** The runs of a comparison, convex rows first. */
  private record Runs(Solved exact, Solved sampled, Polished polished,
      List<DistributedSgd.Init> tasks, List<InitRun> sgd) {}

  /** Options, then the data and the program, then the convex solves and SGD, then the report. */
  private static void execute(JobOptions opts) {
    if (ValidationSelection.requested(opts)) {
      if (MulticlassComparison.applies(opts) || !opts.get("architecture").equals("fc")) {
        throw new UsageException("--select-on-validation compares two-class fully connected "
            + "models (--architecture fc, two --classes)");
      }
      ValidationSelection.execute(opts);
      return;
    }
    if (MulticlassComparison.applies(opts)) {
      if (!opts.get("architecture").equals("fc")) {
        throw new UsageException("--architecture " + opts.get("architecture") + " compares two "
            + "classes; more than two need --architecture fc");
      }
      MulticlassComparison.execute(opts);
      return;
    }
    if (CnnComparison.wanted(opts)) {
      CnnComparison.execute(opts);
      return;
    }
    opts.require("train");
    String out = opts.require("out");
    Plan plan = Plan.of(opts);
    TrainingSpec spec = plan.convex();
    boolean overwrite = opts.flagSet("overwrite");
    System.setProperty("java.awt.headless", "true");
    try (JobContext job = JobContext.open("compare", opts)) {
      job.io().checkOutput(out, overwrite);
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      ProblemSetup.Setup setup = ProblemSetup.of(spec, data.train(), data.test(),
          ProblemSetup.PatternFiles.NONE);
      LabeledData test = data.test();

      // Convex program on the driver.
      job.describe("cvxrelu: convex solve");
      LOG.info("convex: n={} d={} P={} model={} loss={} beta={} (beta_max={})",
          setup.x().rows(), setup.x().cols(), setup.patterns().count(),
          spec.formulation().id(), spec.loss().name(), setup.beta(), setup.betaMax());
      Solved exact = ComparisonRuns.solve("convex (" + spec.formulation().id() + ")",
          setup.problem(), spec.solverOptions(), spec.bias(), test, setup.yTest(), null);
      Solved sampled = plan.sampledCount() > 0 ? sampled(job, plan, setup, test) : null;

      // SGD initialisations as Spark tasks on the same design and beta.
      job.describe("cvxrelu: SGD from " + plan.inits() + " initialisations");
      List<DistributedSgd.Init> tasks = new ArrayList<>();
      for (int m : plan.widths()) {
        for (int k = 0; k < plan.inits(); k++) {
          tasks.add(new DistributedSgd.Init(m, k));
        }
      }
      DenseMatrix xTest = test == null ? null : ProblemSetup.design(test.x(), spec.bias());
      List<InitRun> sgd = DistributedSgd.run(job.spark(), DistributedSgd.SgdData.of(setup.x(),
          setup.y(), xTest, setup.yTest(), spec.loss(), setup.beta()), plan.sgd(), tasks);

      Polished polished = plan.polishFormulation() == null ? null
          : ComparisonRuns.polish(ComparisonRuns.best(sgd), setup, plan.polishFormulation(),
              spec.solverOptions(), plan.polishSeconds(), spec.bias(), test);
      Runs runs = new Runs(exact, sampled, polished, tasks, sgd);
      List<ComparisonReport.Run> rows = rows(runs, plan.widths().length > 1);
      Map<String, byte[]> plots = ComparisonReport.plots(rows);
      job.io().writeAtomically(out, files(opts, plan, data, setup, runs, rows,
          plots.containsKey(ComparisonReport.TEST_ACCURACY_VS_SECONDS)), plots, overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  /**
   * The approximate program of Remark 3.3 (P sampled gates) at the same beta: a restriction of
   * the exact program (a subset of its patterns), so its optimum is at least the exact one's.
   */
  private static Solved sampled(JobContext job, Plan plan, ProblemSetup.Setup setup,
      LabeledData test) {
    job.describe("cvxrelu: sampled convex solve");
    TrainingSpec spec = plan.convex();
    ConvexReluProblem exact = setup.problem();
    ConvexReluProblem problem = new ConvexReluProblem(exact.x(), exact.y(),
        ProblemSetup.sampled(exact.x(), plan.sampledCount(), spec.seed()), exact.loss(),
        exact.beta(), exact.formulation());
    LOG.info("sampled convex: P={} (of {} in the arrangement)", problem.patternCount(),
        exact.patternCount());
    return ComparisonRuns.solve("convex sampled (" + spec.formulation().id() + ", P = "
        + problem.patternCount() + ")", problem, spec.solverOptions(), spec.bias(), test,
        setup.yTest(), null);
  }

  /** The report's rows: the convex ones, then one per SGD task. */
  private static List<ComparisonReport.Run> rows(Runs runs, boolean manyWidths) {
    List<ComparisonReport.Run> rows = new ArrayList<>(convexRows(runs));
    for (int t = 0; t < runs.tasks().size(); t++) {
      rows.add(ComparisonRuns.sgdRun(runs.sgd().get(t), runs.tasks().get(t).neurons(),
          manyWidths));
    }
    return rows;
  }

  private static List<ComparisonReport.Run> convexRows(Runs runs) {
    List<ComparisonReport.Run> rows = new ArrayList<>();
    rows.add(runs.exact().run());
    if (runs.sampled() != null) {
      rows.add(runs.sampled().run());
    }
    if (runs.polished() != null) {
      rows.add(runs.polished().solved().run());
    }
    return rows;
  }

  /** report.md, comparison.csv, summary.json and every run's history, by file name. */
  private static Map<String, String> files(JobOptions opts, Plan plan, DataLoader.Loaded data,
      ProblemSetup.Setup setup, Runs runs, List<ComparisonReport.Run> rows,
      boolean accuracyPlot) {
    TrainingSpec spec = plan.convex();
    int convexRows = convexRows(runs).size();
    List<ComparisonReport.Run> sgdRows = rows.subList(convexRows, rows.size());
    List<String> checks = ComparisonSummary.checks(spec.patterns().all(), runs.exact(),
        runs.sampled(), sgdRows);
    List<String> reportChecks = new ArrayList<>(checks);
    if (runs.polished() != null) {
      reportChecks.add(runs.polished().check());
    }
    String accuracy = ComparisonSummary.accuracyCheck(rows.subList(0, convexRows), sgdRows);
    if (accuracy != null) {
      reportChecks.add(accuracy);
    }
    Map<String, String> settings = settings(opts, plan, data, setup, runs);
    ConvexReluModel model = new ConvexReluModel(spec.formulation(), spec.loss().name(),
        setup.beta(), spec.bias(), setup.patterns().gates(), runs.exact().result().weights());
    Map<String, String> files = new LinkedHashMap<>();
    files.put("report.md", ComparisonReport.markdown("Convex program vs SGD", settings, rows,
        note(spec.patterns().all()), reportChecks, accuracyPlot));
    files.put("comparison.csv", ComparisonReport.csv(rows));
    files.put("summary.json", ComparisonSummary.json(model, runs.exact(), runs.sampled(),
        runs.polished(), rows, checks, settings, setup.betaMax(), spec.solverOptions()));
    files.put("convex-history.csv", runs.exact().history().csv(runs.exact().result()));
    if (runs.sampled() != null) {
      files.put("convex-sampled-history.csv",
          runs.sampled().history().csv(runs.sampled().result()));
    }
    if (runs.polished() != null) {
      Solved p = runs.polished().solved();
      files.put("convex-polish-history.csv", p.history().csv(p.result()));
    }
    boolean manyWidths = plan.widths().length > 1;
    for (int t = 0; t < runs.tasks().size(); t++) {
      DistributedSgd.Init task = runs.tasks().get(t);
      files.put((manyWidths ? "sgd-m" + task.neurons() + "-" : "sgd-") + "init-"
          + task.init() + ".csv", runs.sgd().get(t).historyCsv());
    }
    return files;
  }

  /** The report's settings table. */
  private static Map<String, String> settings(JobOptions opts, Plan plan,
      DataLoader.Loaded data, ProblemSetup.Setup setup, Runs runs) {
    TrainingSpec spec = plan.convex();
    SolverOptions solverOptions = spec.solverOptions();
    SgdOptions sgd = plan.sgd();
    LabeledData test = data.test();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("data", data.description());
    settings.put("n (train) / n (test) / d", setup.x().rows() + " / " + (test == null ? "-"
        : test.n()) + " / " + data.train().d() + (spec.bias() ? " (+ bias)" : ""));
    settings.put("loss, beta", String.format(Locale.ROOT, "%s, %.6g (beta_max %.6g)",
        spec.loss().name(), setup.beta(), setup.betaMax()));
    settings.put("convex program", String.format(Locale.ROOT,
        "%s, %d %s sign patterns, %s, tol %.1e, budget %.0f s", spec.formulation().id(),
        setup.patterns().count(), spec.patterns().all() ? "enumerated (all)" : "sampled",
        runs.exact().solverName(), solverOptions.tolerance(), solverOptions.maxSeconds()));
    settings.put("SGD", String.format(Locale.ROOT,
        "%s, m = %s, %d inits each, %d epochs, batch %d, lr %.3g%s", sgd.optimizer().id(),
        opts.get("neurons").replace(",", ", "), plan.inits(), sgd.epochs(), sgd.batchSize(),
        sgd.learningRate(), sgd.optimizer() == Optimizer.SGD ? ", momentum " + sgd.momentum()
            : ""));
    settings.put("BLAS", Blas.backend());
    if (runs.sampled() != null) {
      settings.put("approximate program", String.format(Locale.ROOT,
          "%d sampled sign patterns (of %d), same beta",
          runs.sampled().problem().patterns().count(), setup.patterns().count()));
    }
    if (runs.polished() != null) {
      settings.put("polish", runs.polished().setting());
    }
    return settings;
  }

  private static String note(boolean enumerate) {
    return enumerate
        ? "All sign patterns are enumerated, " + ProblemSetup.ENUMERATION_TOLERANCE + ": the "
            + "convex optimum is the global optimum of the non-convex objective for any width, "
            + "so no SGD run can end below its certified lower bound."
        : "Sign patterns are sampled: the convex program is then a restriction (ReLU) or a "
            + "gated relaxation of the non-convex problem, solved to the certified gap shown; "
            + "SGD objectives are the same function L(f(X), y) + beta/2 sum_j (|u_j|^2 + "
            + "alpha_j^2).";
  }
}
