package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.report.SelectionReport;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.distributed.DistributedSgd;
import io.cvxrelu.sgd.distributed.DistributedSgd.InitRun;
import io.cvxrelu.sgd.distributed.DistributedSgd.SgdData;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.ModelSelection;
import io.cvxrelu.train.ModelSelection.Candidate;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.RegularisationPath;
import io.cvxrelu.train.TrainingSpec;
import io.cvxrelu.train.ValidationSplit;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * {@code compare.sh --select-on-validation}: the convex program of Pilanci and Ergen (2020,
 * eq. (8), or its gated variant) and SGD on their eq. (1), each given the same model selection
 * on held-out training rows ({@link ValidationSplit}; the test set is read only after both
 * choices are made), then both selected models on the test set. The convex side chooses P and
 * beta along warm-started regularisation paths ({@link RegularisationPath}); SGD chooses beta,
 * learning rate and epochs (early stopping) from several initialisations, every (beta, lr,
 * initialisation) one Spark task. The rule is {@link ModelSelection}'s. Writes
 * {@code report.md}, {@code selection.csv}, {@code summary.json} and
 * {@code validation_vs_beta.png}, atomically.
 */
final class ValidationSelection {
  private static final Logger LOG = LogManager.getLogger(ValidationSelection.class);

  private ValidationSelection() {}

  /** Declares the options of the mode (the rest are compare's). */
  static JobOptions declareOptions(JobOptions opts) {
    return opts
        .flag("select-on-validation", "choose each side's settings on held-out training rows "
            + "(convex: P from --patterns P1,P2,... and beta; SGD: beta, lr, epochs), then "
            + "report both on the test set")
        .option("validation-fraction", "0.2", "with --select-on-validation: share of the "
            + "training rows held out (seeded by --seed)")
        .option("select-betas", "0.03,0.01,0.005", "with --select-on-validation: fractions of "
            + "beta_max, the convex path and SGD's beta grid")
        .option("select-sgd-betas", null, "with --select-on-validation: SGD's fractions of "
            + "beta_max when they differ from --select-betas")
        .option("select-lrs", null, "with --select-on-validation: SGD learning rates (default "
            + "--lr); --epochs is the most SGD may run");
  }

  static boolean requested(JobOptions opts) {
    return opts.flagSet("select-on-validation");
  }

  /** What the mode runs: the grids of both sides and the shared settings. */
  private record Plan(double validationFraction, int[] patterns, double[] convexFractions,
      double[] sgdFractions, double[] learningRates, Formulation formulation, Loss loss,
      long seed, boolean bias, SolverOptions solverOptions, int inits, SgdOptions sgd) {

    static Plan of(JobOptions opts) {
      for (String o : List.of("beta", "sampled-patterns", "polish-model")) {
        if (opts.get(o) != null) {
          throw new UsageException("--" + o + " does not apply with --select-on-validation");
        }
      }
      if (opts.flagSet("polish")) {
        throw new UsageException("--polish does not apply with --select-on-validation");
      }
      if (opts.require("patterns").equals("all")) {
        throw new UsageException("--select-on-validation samples patterns: --patterns takes "
            + "counts P1,P2,...");
      }
      int[] widths = opts.positiveIntList("neurons");
      if (widths.length != 1) {
        throw new UsageException("--select-on-validation runs one SGD width: --neurons M");
      }
      double f = PathRun.validationFraction(opts);
      double[] convex = fractions(opts.require("select-betas"));
      double[] sgd = opts.get("select-sgd-betas") == null ? convex
          : fractions(opts.get("select-sgd-betas"));
      double[] lrs = learningRates(opts.get("select-lrs") == null ? opts.require("lr")
          : opts.get("select-lrs"));
      return new Plan(f, opts.positiveIntList("patterns"), convex, sgd, lrs,
          TrainingSpecs.formulation(opts), TrainingSpecs.loss(opts), opts.anyLong("seed"),
          opts.flagSet("bias"), TrainingSpecs.solverOptions(opts), TrainingSpecs.inits(opts),
          TrainingSpecs.sgd(opts, widths[0]));
    }

    private static double[] fractions(String list) {
      return TrainingSpecs.parse(() -> RegularisationPath.parse(list));
    }

    private static double[] learningRates(String list) {
      String[] parts = list.split(",");
      double[] out = new double[parts.length];
      for (int k = 0; k < parts.length; k++) {
        try {
          out[k] = Double.parseDouble(parts[k].strip());
        } catch (NumberFormatException e) {
          out[k] = Double.NaN;
        }
        if (!(out[k] > 0.0) || !Double.isFinite(out[k])) {
          throw new UsageException("--select-lrs takes positive learning rates, got '"
              + parts[k].strip() + "'");
        }
      }
      return out;
    }
  }

  /** The data as both sides see them: design matrices (bias added) and canonical labels. */
  private record Rows(DenseMatrix xFit, double[] yFit, DenseMatrix xValidation,
      double[] yValidation, DenseMatrix xTest, double[] yTest) {}

  /** The convex side's outcome: every candidate, and the selected one's model. */
  private record ConvexSide(List<Candidate> candidates, int best, ConvexReluModel model,
      String certification, double betaMax, String solver) {}

  /** SGD's outcome: every candidate and the selection runs, by configuration. */
  private record SgdSide(List<Candidate> candidates, int best, List<InitRun> chosenRuns) {}

  /** One SGD configuration of the grid. */
  private record SgdConfig(double fraction, double beta, double learningRate)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** One Spark task of the grid: configuration c, initialisation k. */
  private record SgdTask(int config, int init) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Options, then the split, the convex paths, the SGD grid, the test set, the outputs. */
  static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    Plan plan = Plan.of(opts);
    boolean overwrite = opts.flagSet("overwrite");
    System.setProperty("java.awt.headless", "true");
    long start = System.nanoTime();
    try (JobContext job = JobContext.open("compare", opts)) {
      job.io().checkOutput(out, overwrite);
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      if (data.test() == null) {
        throw new UsageException("--select-on-validation reports the selected models on test "
            + "data: give --test");
      }
      ValidationSplit split = ValidationSplit.of(data.train(), plan.validationFraction(),
          plan.seed());
      Map<String, Double> timings = new LinkedHashMap<>();
      timings.put("read and split", seconds(start));
      long t = System.nanoTime();
      job.describe("cvxrelu: convex regularisation paths on the fit rows");
      ConvexSide convex = convexSide(plan, split);
      timings.put("convex paths", seconds(t));
      Rows rows = rows(plan, split, data.test());
      t = System.nanoTime();
      job.describe("cvxrelu: SGD grid on the fit rows");
      SgdSide sgd = sgdSide(job, plan, rows, convex.betaMax());
      timings.put("SGD grid", seconds(t));
      t = System.nanoTime();
      job.describe("cvxrelu: selected models on the test set");
      SelectionReport.Final result = onTest(job, plan, rows, split, data.test(), convex, sgd);
      timings.put("test evaluation (convex predictions, SGD reruns)", seconds(t));
      timings.put("whole job", seconds(start));
      List<Candidate> all = new ArrayList<>(convex.candidates());
      all.addAll(sgd.candidates());
      LOG.info(SelectionReport.statement(result));
      Map<String, String> files = new LinkedHashMap<>();
      files.put("report.md", SelectionReport.markdown(settings(plan, data, split, convex),
          all, result, timings));
      files.put(SelectionReport.CSV, SelectionReport.csv(all, result.convex(), result.sgd()));
      files.put("summary.json", summary(result, timings));
      job.io().writeAtomically(out, files, Map.of(SelectionReport.PLOT,
          SelectionReport.png(all, result.convex(), result.sgd())), overwrite, null);
      LOG.info("wrote {}", out);
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) * 1e-9;
  }

  /**
   * One warm-started path per P on the fit rows, each point scored on the validation rows. The
   * test set is not passed: the solves and their listeners never see it.
   */
  private static ConvexSide convexSide(Plan plan, ValidationSplit split) {
    List<Candidate> candidates = new ArrayList<>();
    ConvexReluModel bestModel = null;
    String bestCertification = null;
    String bestSolver = null;
    int best = -1;
    double betaMax = Double.NaN;
    for (int p : plan.patterns()) {
      TrainingSpec spec = TrainingSpec.onDriver(plan.formulation(), plan.loss(), null,
          plan.convexFractions()[0], TrainingSpec.Patterns.sampled(p), plan.seed(), plan.bias(),
          plan.solverOptions());
      ProblemSetup.Setup setup = ProblemSetup.of(spec, split.fit(), null,
          ProblemSetup.PatternFiles.NONE);
      requireClasses(setup.y());
      if (Double.isNaN(betaMax)) {
        betaMax = setup.betaMax();
      }
      double[] yValidation = ProblemSetup.labels(plan.loss(), split.validation().y(),
          "validation data");
      LOG.info("convex path: P={} n={} d={} beta_max={} fractions {}", setup.patterns().count(),
          setup.x().rows(), setup.x().cols(), setup.betaMax(),
          Arrays.toString(plan.convexFractions()));
      List<RegularisationPath.Point> path = RegularisationPath.solve(setup.problem(),
          setup.betaMax(), plan.convexFractions(), plan.solverOptions(),
          beta -> new ProgressLogger(plan.solverOptions().tolerance(), 10.0));
      double labelScale = Certification.labelScale(setup.y());
      for (RegularisationPath.Point point : path) {
        ConvexReluModel model = new ConvexReluModel(plan.formulation(), plan.loss().name(),
            point.beta(), plan.bias(), point.problem().patterns().gates(),
            point.result().weights());
        double validation = Metrics.accuracy(model.predict(split.validation().x()),
            yValidation);
        Certification cert = Certification.of(point.result(), plan.solverOptions(), labelScale);
        Candidate c = new Candidate(ModelSelection.Side.CONVEX, setup.patterns().count(),
            point.fraction(), point.beta(), Double.NaN, 0, validation,
            point.result().certificate().objective(), point.result().certificate().relativeGap(),
            cert.certified(), point.result().seconds());
        LOG.info("convex P={} beta={} ({} beta_max): validation accuracy {}, gap {}, {}",
            c.patterns(), c.beta(), c.betaFraction(), validation, c.relativeGap(), cert.label());
        candidates.add(c);
        if (ModelSelection.best(candidates) == candidates.size() - 1) {
          best = candidates.size() - 1;
          bestModel = model;
          bestCertification = cert.label();
          bestSolver = point.solver().getSimpleName();
        }
      }
    }
    return new ConvexSide(candidates, best, bestModel, bestCertification, betaMax, bestSolver);
  }

  private static void requireClasses(double[] y) {
    if (!Metrics.isPlusMinusOne(y)) {
      throw new DataFormatException("--select-on-validation selects by validation accuracy: "
          + "the labels must be two classes (+-1 or 0/1)");
    }
  }

  private static Rows rows(Plan plan, ValidationSplit split, LabeledData test) {
    return new Rows(ProblemSetup.design(split.fit().x(), plan.bias()),
        ProblemSetup.trainingLabels(plan.loss(), split.fit().y()),
        ProblemSetup.design(split.validation().x(), plan.bias()),
        ProblemSetup.labels(plan.loss(), split.validation().y(), "validation data"),
        ProblemSetup.design(test.x(), plan.bias()),
        ProblemSetup.labels(plan.loss(), test.y(), "test data"));
  }

  /**
   * Every (beta, lr, initialisation) of SGD's grid as one Spark task on the fit rows, with the
   * validation rows in the trainer's held-out slot (so each epoch's record carries the
   * validation accuracy); candidates by early stopping.
   */
  private static SgdSide sgdSide(JobContext job, Plan plan, Rows rows, double betaMax) {
    List<SgdConfig> configs = new ArrayList<>();
    for (double f : plan.sgdFractions()) {
      for (double lr : plan.learningRates()) {
        configs.add(new SgdConfig(f, f * betaMax, lr));
      }
    }
    List<SgdTask> tasks = new ArrayList<>();
    for (int c = 0; c < configs.size(); c++) {
      for (int k = 0; k < plan.inits(); k++) {
        tasks.add(new SgdTask(c, k));
      }
    }
    LOG.info("SGD grid: {} configurations x {} initialisations, up to {} epochs each",
        configs.size(), plan.inits(), plan.sgd().epochs());
    SgdOptions base = plan.sgd();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(job.spark().sparkContext());
    Broadcast<SgdData> shared = jsc.broadcast(SgdData.of(rows.xFit(), rows.yFit(),
        rows.xValidation(), rows.yValidation(), plan.loss(), 0.0));
    List<InitRun> runs;
    try {
      runs = jsc.parallelize(tasks, tasks.size()).map(t -> {
        SgdConfig c = configs.get(t.config());
        SgdData d = shared.value();
        SgdData at = new SgdData(d.d(), d.n(), d.xT(), d.y(), d.nTest(), d.testXT(),
            d.yTest(), d.loss(), c.beta());
        return DistributedSgd.runInit(at, options(base, c.learningRate(), base.epochs(),
            base.seed() + t.init()), t.init());
      }).collect();
    } finally {
      shared.destroy();
    }
    List<Candidate> candidates = new ArrayList<>();
    List<List<InitRun>> runsOf = new ArrayList<>();
    for (int c = 0; c < configs.size(); c++) {
      List<InitRun> group = runs.subList(c * plan.inits(), (c + 1) * plan.inits());
      SgdConfig cfg = configs.get(c);
      for (Candidate k : ModelSelection.earlyStopping(cfg.fraction(), cfg.beta(),
          cfg.learningRate(), column(group, 4), column(group, 2), column(group, 5))) {
        candidates.add(k);
        runsOf.add(group);
      }
    }
    int best = ModelSelection.best(candidates);
    if (best < 0) {
      throw new IllegalStateException("every SGD configuration diverged");
    }
    return new SgdSide(candidates, best, runsOf.get(best));
  }

  private static SgdOptions options(SgdOptions base, double lr, int epochs, long seed) {
    return new SgdOptions(base.neurons(), epochs, base.batchSize(), lr, base.optimizer(),
        base.momentum(), seed);
  }

  /** Per initialisation, column j of its epoch rows (epoch, samples, objective, ...). */
  private static double[][] column(List<InitRun> runs, int j) {
    double[][] out = new double[runs.size()][];
    for (int k = 0; k < out.length; k++) {
      double[][] r = runs.get(k).rows();
      out[k] = new double[r.length];
      for (int e = 0; e < r.length; e++) {
        out[k][e] = r[e][j];
      }
    }
    return out;
  }

  /**
   * The selected models on the test set: the convex model's predictions, and SGD rerun from the
   * same seeds for the selected epochs with the test rows in the held-out slot (training does
   * not read that slot, so the runs repeat the selection runs; the report states how exactly).
   */
  private static SelectionReport.Final onTest(JobContext job, Plan plan, Rows rows,
      ValidationSplit split, LabeledData test, ConvexSide convex, SgdSide sgd) {
    Candidate cx = convex.candidates().get(convex.best());
    double convexTest = Metrics.accuracy(convex.model().predict(test.x()), rows.yTest());
    double convexTrain = Metrics.accuracy(convex.model().predict(split.fit().x()), rows.yFit());
    LOG.info("selected convex model (P={}, {} beta_max): test accuracy {}", cx.patterns(),
        cx.betaFraction(), convexTest);
    Candidate sg = sgd.candidates().get(sgd.best());
    int e = sg.epochs();
    List<DistributedSgd.Init> inits = new ArrayList<>();
    for (int k = 0; k < plan.inits(); k++) {
      inits.add(new DistributedSgd.Init(plan.sgd().neurons(), k));
    }
    List<InitRun> reruns = DistributedSgd.run(job.spark(), SgdData.of(rows.xFit(), rows.yFit(),
        rows.xTest(), rows.yTest(), plan.loss(), sg.beta()), options(plan.sgd(),
        sg.learningRate(), e, plan.sgd().seed()), inits);
    int n = reruns.size();
    int[] ids = new int[n];
    double[] validation = new double[n];
    double[] testAcc = new double[n];
    double[] objective = new double[n];
    double reproduction = 0.0;
    for (int k = 0; k < n; k++) {
      double[][] selected = sgd.chosenRuns().get(k).rows();
      double[][] rerun = reruns.get(k).rows();
      ids[k] = reruns.get(k).init();
      validation[k] = selected[e][4];
      testAcc[k] = rerun[e][4];
      objective[k] = rerun[e][2];
      for (int i = 0; i <= e; i++) {
        reproduction = Math.max(reproduction, Math.abs(rerun[i][2] - selected[i][2])
            / Math.max(1e-300, Math.abs(selected[i][2])));
      }
    }
    return new SelectionReport.Final(cx, convex.certification(), convexTrain, convexTest, sg,
        ids, validation, testAcc, objective, reproduction);
  }

  private static Map<String, String> settings(Plan plan, DataLoader.Loaded data,
      ValidationSplit split, ConvexSide convex) {
    SgdOptions sgd = plan.sgd();
    Map<String, String> s = new LinkedHashMap<>();
    s.put("data", data.description());
    s.put("n fit / validation / test, d", split.fit().n() + " / " + split.validation().n()
        + " / " + data.test().n() + ", " + data.train().d() + (plan.bias() ? " (+ bias)" : ""));
    s.put("validation rows", String.format(Locale.ROOT, "a seeded random %.3g of the training "
        + "rows (seed %d); preprocessing statistics are those of the whole training set",
        plan.validationFraction(), plan.seed()));
    s.put("loss, beta_max", String.format(Locale.ROOT, "%s, %.6g (fit rows, first P's "
        + "patterns; SGD's betas are fractions of it)", plan.loss().name(), convex.betaMax()));
    s.put("convex grid", String.format(Locale.ROOT, "%s, P in %s, beta / beta_max in %s "
        + "(warm-started path per P), %s, tol %.1e, budget %.0f s per point",
        plan.formulation().id(), Arrays.toString(plan.patterns()),
        Arrays.toString(plan.convexFractions()), convex.solver(),
        plan.solverOptions().tolerance(), plan.solverOptions().maxSeconds()));
    s.put("SGD grid", String.format(Locale.ROOT, "%s, m = %d, beta / beta_max in %s, lr in %s,"
        + " epochs 1..%d (early stopping), %d inits each, batch %d%s", sgd.optimizer().id(),
        sgd.neurons(), Arrays.toString(plan.sgdFractions()),
        Arrays.toString(plan.learningRates()), sgd.epochs(), plan.inits(), sgd.batchSize(),
        sgd.optimizer() == io.cvxrelu.sgd.Optimizer.SGD ? ", momentum " + sgd.momentum() : ""));
    s.put("selection rule", "highest validation accuracy (SGD: median over the inits), ties to "
        + "the larger beta, smaller lr, fewer epochs");
    s.put("BLAS", Blas.backend());
    return s;
  }

  private static String summary(SelectionReport.Final f, Map<String, Double> timings) {
    ObjectNode s = SummaryJson.object();
    ObjectNode c = s.putObject("convex");
    c.put("patterns", f.convex().patterns());
    c.put("betaFraction", f.convex().betaFraction());
    c.put("beta", f.convex().beta());
    c.put("objective", f.convex().objective());
    SummaryJson.putFinite(c, "relativeGap", f.convex().relativeGap());
    c.put("certified", f.convex().certified());
    c.put("validationAccuracy", f.convex().validationAccuracy());
    c.put("trainAccuracy", f.convexTrainAccuracy());
    c.put("testAccuracy", f.convexTestAccuracy());
    ObjectNode g = s.putObject("sgd");
    g.put("betaFraction", f.sgd().betaFraction());
    g.put("beta", f.sgd().beta());
    g.put("learningRate", f.sgd().learningRate());
    g.put("epochs", f.sgd().epochs());
    g.put("medianValidationAccuracy", f.sgd().validationAccuracy());
    g.put("medianTestAccuracy", f.sgdMedianTest());
    g.put("bestTestAccuracy", f.sgdBestTest());
    g.put("reproduction", f.reproduction());
    var tests = g.putArray("testAccuracy");
    Arrays.stream(f.sgdTest()).forEach(tests::add);
    s.put("convexTestAccuracyAtLeastSgdMedian", f.convexAtLeastSgdMedian());
    ObjectNode secs = s.putObject("seconds");
    timings.forEach(secs::put);
    return SummaryJson.write(s);
  }
}
