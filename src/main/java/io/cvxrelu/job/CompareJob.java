package io.cvxrelu.job;

import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.report.AccuracyHistory;
import io.cvxrelu.report.ProgressLogger;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.NetworkCsv;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.SolverChoice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

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
    return DataLoader.declareOptions(new JobOptions(
        "Usage: compare.sh --train PATH --out DIR [options]\n"
        + "Solves the convex program and runs SGD from several initialisations on the same\n"
        + "objective, then writes report.md, comparison.csv, summary.json and PNG plots."))
        .option("out", null, "report folder (written atomically)")
        .flag("overwrite", "replace an existing report folder")
        .option("loss", "squared", "squared | logistic")
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
        .option("inits", "5", "SGD: random initialisations (parallel Spark tasks)")
        .option("epochs", "30", "SGD: passes over the training data")
        .option("batch-size", "100", "SGD: rows per mini-batch")
        .option("lr", "0.001", "SGD: learning rate on F/n")
        .option("optimizer", "sgd", "SGD: sgd (momentum) | adam")
        .option("momentum", "0.9", "SGD: momentum")
        .option("master", null, "Spark master (default: $CVXRELU_MASTER or local[*])");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("compare", options(), args, CompareJob::execute);
  }

  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    Formulation formulation;
    Loss loss;
    Optimizer optimizer;
    try {
      formulation = Formulation.parse(opts.get("model"));
      loss = Loss.forName(opts.get("loss"));
      optimizer = Optimizer.parse(opts.get("optimizer"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Double beta = opts.get("beta") != null ? opts.positiveDouble("beta") : null;
    double betaFrac = opts.positiveDouble("beta-frac");
    boolean enumerate = opts.get("patterns").equals("all");
    int patternCount = enumerate ? 0
        : (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("patterns"));
    long seed = opts.anyLong("seed");
    SolverOptions solverOptions = new SolverOptions(opts.positiveDouble("tol"),
        SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
        opts.positiveDouble("max-seconds"));
    int sampledCount = 0;
    if (opts.get("sampled-patterns") != null) {
      if (!enumerate) {
        throw new UsageException("--sampled-patterns compares the approximate program with the "
            + "exact one: it needs --patterns all");
      }
      sampledCount = (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("sampled-patterns"));
    }
    boolean polish = opts.flagSet("polish");
    double polishSeconds = opts.positiveDouble("polish-seconds");
    Formulation polishFormulation = formulation;
    if (opts.get("polish-model") != null) {
      try {
        polishFormulation = Formulation.parse(opts.get("polish-model"));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--polish-model: " + e.getMessage());
      }
    }
    if (polish && enumerate) {
      throw new UsageException("--polish adds an SGD network's patterns to sampled ones; with "
          + "--patterns all the program already has every pattern");
    }
    int inits = (int) Math.min(10_000, opts.positiveLong("inits"));
    int[] widths = opts.positiveIntList("neurons");
    SgdOptions sgd = TrainSgdJob.sgdOptions(opts, optimizer, seed, widths[0]);
    boolean bias = opts.flagSet("bias");
    boolean overwrite = opts.flagSet("overwrite");
    String master = opts.get("master") != null ? opts.get("master")
        : System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]");
    System.setProperty("java.awt.headless", "true");

    boolean ownSession = SparkSession.getActiveSession().isEmpty()
        && SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = SparkSession.builder().appName("cvxrelu-compare")
        .master(master).config("spark.ui.enabled", "false").getOrCreate();
    try {
      HadoopIo io = new HadoopIo(spark.sparkContext().hadoopConfiguration());
      io.checkOutput(out, overwrite);
      DataLoader.Loaded data = DataLoader.load(spark, io, opts);
      LabeledData train = data.train();
      LabeledData test = data.test();
      double[] y = labels(loss, train.y(), "training data");
      double[] yTest = test == null ? null : labels(loss, test.y(), "test data");
      DenseMatrix x = bias ? train.x().withOnesColumn() : train.x();
      DenseMatrix xTest = test == null ? null : bias ? test.x().withOnesColumn() : test.x();

      SignPatterns patterns = TrainConvexJob.sampledOrEnumerated(x, enumerate, patternCount,
          seed);
      double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
      double b = beta != null ? beta : betaFrac * betaMax;
      if (!(b > 0.0)) {
        throw new DataFormatException("beta_max is 0 (all labels zero?): give --beta explicitly");
      }

      // Convex program on the driver.
      spark.sparkContext().setJobDescription("cvxrelu: convex solve");
      ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, b, formulation);
      LOG.info("convex: n={} d={} P={} model={} loss={} beta={} (beta_max={})", x.rows(),
          x.cols(), patterns.count(), formulation.id(), loss.name(), b, betaMax);
      ConvexSolver solver = SolverChoice.local(problem);
      Solved exact = solveConvex("convex (" + formulation.id() + ")", problem, solverOptions,
          bias, test, yTest);
      SolverResult result = exact.result();
      ConvexReluModel model = new ConvexReluModel(formulation, loss.name(), b, bias,
          patterns.gates(), result.weights());
      ComparisonReport.Run convexRun = exact.run();

      // The approximate program of Remark 3.3 (P sampled gates) at the same beta: a restriction
      // of the exact program (a subset of its patterns), so its optimum is at least the exact
      // one's.
      Solved sampled = null;
      if (sampledCount > 0) {
        spark.sparkContext().setJobDescription("cvxrelu: sampled convex solve");
        SignPatterns sampledPatterns = TrainConvexJob.sampledOrEnumerated(x, false,
            sampledCount, seed);
        ConvexReluProblem sampledProblem = new ConvexReluProblem(x, y, sampledPatterns, loss, b,
            formulation);
        LOG.info("sampled convex: P={} (of {} in the arrangement)", sampledPatterns.count(),
            patterns.count());
        sampled = solveConvex("convex sampled (" + formulation.id() + ", P = "
            + sampledPatterns.count() + ")", sampledProblem, solverOptions, bias, test, yTest);
      }

      // SGD initialisations as Spark tasks on the same design and beta.
      spark.sparkContext().setJobDescription("cvxrelu: SGD from " + inits + " initialisations");
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<TrainSgdJob.SgdData> shared = jsc.broadcast(new TrainSgdJob.SgdData(
          x.transpose(), y, xTest == null ? null : xTest.transpose(), yTest, loss.name(), b));
      // One task per (width, initialisation); collect() keeps the order of the tasks.
      List<int[]> tasks = new ArrayList<>();
      for (int m : widths) {
        for (int k = 0; k < inits; k++) {
          tasks.add(new int[] {m, k});
        }
      }
      List<TrainSgdJob.InitRun> sgdRuns;
      try {
        SgdOptions base = sgd;
        sgdRuns = jsc.parallelize(tasks, tasks.size()).map(t -> TrainSgdJob.runInit(
            shared.value(), base.withNeurons(t[0]).withSeed(base.seed() + t[1]), t[1]))
            .collect();
      } finally {
        shared.destroy();
      }

      // The convex program over the best SGD network's own patterns plus the sampled ones,
      // solved from that network: its optimum is at most the network's objective
      // (ReluNetwork#convexWeights), so a budgeted solve polishes it.
      Polished polished = null;
      if (polish) {
        int best = 0;
        for (int t = 1; t < sgdRuns.size(); t++) {
          if (finalObjective(sgdRuns.get(t)) < finalObjective(sgdRuns.get(best))) {
            best = t;
          }
        }
        polished = polish(sgdRuns.get(best), x, y, patterns, loss, b, polishFormulation,
            solverOptions, polishSeconds, bias, test, yTest);
      }

      List<ComparisonReport.Run> runs = new ArrayList<>();
      runs.add(convexRun);
      if (sampled != null) {
        runs.add(sampled.run());
      }
      if (polished != null) {
        runs.add(polished.solved().run());
      }
      boolean manyWidths = widths.length > 1;
      for (int t = 0; t < tasks.size(); t++) {
        runs.add(sgdRun(sgdRuns.get(t), tasks.get(t)[0], manyWidths));
      }
      int convexRows = 1 + (sampled == null ? 0 : 1) + (polished == null ? 0 : 1);
      List<String> checks = checks(enumerate, exact, sampled,
          runs.subList(convexRows, runs.size()));
      List<String> reportChecks = new ArrayList<>(checks);
      if (polished != null) {
        reportChecks.add(polished.check());
      }
      String accuracy = accuracyCheck(runs.subList(0, convexRows),
          runs.subList(convexRows, runs.size()));
      if (accuracy != null) {
        reportChecks.add(accuracy);
      }
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put("data", data.description());
      settings.put("n (train) / n (test) / d", x.rows() + " / " + (test == null ? "-"
          : test.n()) + " / " + train.d() + (bias ? " (+ bias)" : ""));
      settings.put("loss, beta", String.format(Locale.ROOT, "%s, %.6g (beta_max %.6g)",
          loss.name(), b, betaMax));
      settings.put("convex program", String.format(Locale.ROOT,
          "%s, %d %s sign patterns, %s, tol %.1e, budget %.0f s", formulation.id(),
          patterns.count(), enumerate ? "enumerated (all)" : "sampled",
          solver.getClass().getSimpleName(), solverOptions.tolerance(),
          solverOptions.maxSeconds()));
      settings.put("SGD", String.format(Locale.ROOT,
          "%s, m = %s, %d inits each, %d epochs, batch %d, lr %.3g%s", optimizer.id(),
          opts.get("neurons").replace(",", ", "), inits, sgd.epochs(), sgd.batchSize(),
          sgd.learningRate(), optimizer == Optimizer.SGD ? ", momentum " + sgd.momentum() : ""));
      settings.put("BLAS", Blas.backend());
      String note = enumerate
          ? "All sign patterns are enumerated: the convex optimum is the global optimum of the "
              + "non-convex objective for any width, so no SGD run can end below its certified "
              + "lower bound."
          : "Sign patterns are sampled: the convex program is then a restriction (ReLU) or a "
              + "gated relaxation of the non-convex problem, solved to the certified gap shown; "
              + "SGD objectives are the same function L(f(X), y) + beta/2 sum_j (|u_j|^2 + "
              + "alpha_j^2).";
      if (sampled != null) {
        settings.put("approximate program", String.format(Locale.ROOT,
            "%d sampled sign patterns (of %d), same beta", sampled.problem().patterns().count(),
            patterns.count()));
      }
      if (polished != null) {
        settings.put("polish", polished.setting());
      }
      Map<String, byte[]> plots = ComparisonReport.plots(runs);
      Map<String, String> files = new LinkedHashMap<>();
      files.put("report.md", ComparisonReport.markdown("Convex program vs SGD", settings, runs,
          note, reportChecks, plots.containsKey(ComparisonReport.TEST_ACCURACY_VS_SECONDS)));
      files.put("comparison.csv", ComparisonReport.csv(runs));
      files.put("summary.json", summary(model, problem, exact, sampled, polished, runs, checks,
          settings, b, betaMax));
      files.put("convex-history.csv", exact.history().csv(result));
      if (sampled != null) {
        files.put("convex-sampled-history.csv", sampled.history().csv(sampled.result()));
      }
      if (polished != null) {
        files.put("convex-polish-history.csv",
            polished.solved().history().csv(polished.solved().result()));
      }
      for (int t = 0; t < tasks.size(); t++) {
        files.put((manyWidths ? "sgd-m" + tasks.get(t)[0] + "-" : "sgd-") + "init-"
            + tasks.get(t)[1] + ".csv", sgdRuns.get(t).historyCsv());
      }
      io.writeAtomically(out, files, plots, overwrite, null);
      LOG.info("wrote {}", out);
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
  }

  private static double finalObjective(TrainSgdJob.InitRun r) {
    return r.rows()[r.rows().length - 1][2];
  }

  /**
   * The polish row: the solve, the report's statement comparing it with the network it started
   * from, and its settings line.
   */
  private record Polished(Solved solved, String check, String setting, int sgdInit,
      double startObjective) {}

  private static Polished polish(TrainSgdJob.InitRun seed, DenseMatrix x, double[] y,
      SignPatterns sampledPatterns, Loss loss, double beta, Formulation formulation,
      SolverOptions options, double seconds, boolean bias, LabeledData test, double[] yTest) {
    ReluNetwork net;
    try {
      net = NetworkCsv.read(new BufferedReader(new StringReader(seed.networkCsv())),
          "SGD init " + seed.init(), x.cols());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read back SGD init " + seed.init(), e);
    }
    SignPatterns patterns = TrainConvexJob.withNeuronPatterns(x, net, sampledPatterns);
    ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, beta, formulation);
    double start = net.objective(x, y, loss, beta);
    String program = formulation == Formulation.RELU ? "ReLU program" : "gated program";
    LOG.info("polish: {} over SGD init {}'s {} neuron patterns and {} sampled (P = {}),"
        + " from its objective {}", program, seed.init(), net.width(), sampledPatterns.count(),
        patterns.count(), start);
    SolverOptions budget = new SolverOptions(options.tolerance(),
        options.feasibilityTolerance(), options.maxIterations(), seconds);
    Solved solved = solveConvex("convex polish of SGD init " + seed.init() + " ("
        + formulation.id() + ")", problem, budget, bias, test, yTest,
        net.convexWeights(x, patterns, formulation));
    ConvexReluModel model = new ConvexReluModel(formulation, loss.name(), beta, bias,
        patterns.gates(), solved.result().weights());
    double network = model.nonconvexObjective(x, y, loss);
    ComparisonReport.Run r = solved.run();
    // The report compares networks: its objective is the recovered network's (equal to the
    // convex one when the cone constraints hold exactly; for the gated program the gated
    // network's, whose gates are the SGD neurons and the sampled ones).
    ComparisonReport.Run run = new ComparisonReport.Run(r.name(), r.group(), r.neurons(),
        r.iterations(), r.seconds(), r.objective(), r.testAccuracy(), network,
        r.relativeGap(), r.trainAccuracy(), r.testAccuracyFinal(), r.totalSeconds());
    String what = formulation == Formulation.RELU
        ? "the network recovered from the ReLU program over SGD init %d's patterns"
        : "the gated network of the gated program whose gates include SGD init %d's neurons";
    String check = String.format(Locale.ROOT, "Polish: " + what + " has objective %.6g "
        + "against that init's %.6g (%s); certified gap %.3g over its %d patterns.",
        seed.init(), network, start, network <= start ? "no worse" : "WORSE", r.relativeGap(),
        patterns.count());
    return new Polished(new Solved(problem, solved.result(), solved.history(), run), check,
        String.format(Locale.ROOT, "%s over the %d neuron patterns of SGD init %d "
            + "plus the %d sampled ones, warm-started at that network, budget %.0f s", program,
            net.width(), seed.init(), sampledPatterns.count(), seconds), seed.init(), start);
  }

  private static double[] labels(Loss loss, double[] y, String what) {
    try {
      return loss.canonicalLabels(y);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(what + ": " + e.getMessage());
    }
  }

  /** A convex solve with its accuracy history and its report row. */
  private record Solved(ConvexReluProblem problem, SolverResult result, AccuracyHistory history,
      ComparisonReport.Run run) {}

  private static Solved solveConvex(String name, ConvexReluProblem problem,
      SolverOptions options, boolean bias, LabeledData test, double[] yTest) {
    return solveConvex(name, problem, options, bias, test, yTest, null);
  }

  private static Solved solveConvex(String name, ConvexReluProblem problem,
      SolverOptions options, boolean bias, LabeledData test, double[] yTest,
      DenseMatrix warmStart) {
    AccuracyHistory accuracy = new AccuracyHistory(
        new ProgressLogger(options.tolerance(), 2.0), problem.formulation(),
        problem.loss().name(), problem.beta(), bias, problem.patterns().gates(), problem.x(),
        problem.y(), test, yTest);
    SolverResult result = SolverChoice.local(problem).solve(problem, warmStart, options,
        accuracy);
    LOG.info("{}: {} after {} steps, {} s, objective {}, gap {}", name, result.stopReason(),
        result.iterations(), String.format(Locale.ROOT, "%.1f", result.seconds()),
        result.certificate().objective(), result.certificate().relativeGap());
    return new Solved(problem, result, accuracy, convexRun(name, result,
        accuracy.rows(result)));
  }

  private static ComparisonReport.Run convexRun(String name, SolverResult result,
      List<double[]> rows) {
    int k = rows.size();
    double[] it = new double[k];
    double[] sec = new double[k];
    double[] obj = new double[k];
    double[] acc = new double[k];
    for (int i = 0; i < k; i++) {
      double[] r = rows.get(i);
      it[i] = r[0];
      obj[i] = r[1];
      sec[i] = r[4];
      acc[i] = r[6];
    }
    double[] last = rows.isEmpty() ? new double[] {0, result.certificate().objective(), 0, 0,
        result.seconds(), Double.NaN, Double.NaN} : rows.get(k - 1);
    return new ComparisonReport.Run(name, ComparisonReport.CONVEX, 0, it, sec, obj, acc,
        result.certificate().objective(), result.certificate().relativeGap(), last[5], last[6],
        result.seconds());
  }

  private static ComparisonReport.Run sgdRun(TrainSgdJob.InitRun r, int neurons,
      boolean manyWidths) {
    double[][] rows = r.rows();
    int k = rows.length;
    double[] it = new double[k];
    double[] sec = new double[k];
    double[] obj = new double[k];
    double[] acc = new double[k];
    for (int i = 0; i < k; i++) {
      it[i] = rows[i][0];
      obj[i] = rows[i][2];
      acc[i] = rows[i][4];
      sec[i] = rows[i][5];
    }
    double[] last = rows[k - 1];
    String group = manyWidths ? "SGD m = " + neurons : "SGD";
    return new ComparisonReport.Run(group + " init " + r.init(), group, neurons, it, sec, obj,
        acc, last[2], Double.NaN, last[3], last[4], last[5]);
  }

  /**
   * The statements the report makes about the runs. With every pattern enumerated the exact
   * program's certified lower bound bounds the objective of a network of any width (Theorem
   * 1), so an SGD objective below it, at any epoch, would be an error; the approximate program
   * uses a subset of the patterns, so its optimum cannot be below that bound either.
   */
  private static List<String> checks(boolean enumerate, Solved exact, Solved sampled,
      List<ComparisonReport.Run> sgd) {
    List<String> out = new ArrayList<>();
    if (!enumerate) {
      return out;
    }
    double optimum = exact.result().certificate().objective();
    double lower = exact.result().certificate().lowerBound();
    int below = sgdRunsBelow(sgd, lower);
    int above = 0;
    for (ComparisonReport.Run r : sgd) {
      if (r.finalObjective() > optimum * (1 + STALL_MARGIN)) {
        above++;
      }
    }
    out.add(String.format(Locale.ROOT, "SGD runs below the optimum: %s of %d (runs whose "
        + "objective fell below the exact program's certified lower bound %.8g at any epoch; "
        + "none may)", below == 0 ? "none" : Integer.toString(below), sgd.size(), lower));
    out.add(String.format(Locale.ROOT, "SGD runs that stall above the optimum %.8g (final "
        + "objective more than %.1f%% above it): %d of %d", optimum, 100 * STALL_MARGIN, above,
        sgd.size()));
    if (sampled != null) {
      double s = sampled.result().certificate().objective();
      out.add(String.format(Locale.ROOT, "exact <= sampled: %s (exact %.8g, sampled %.8g with "
          + "%d of %d patterns, %.2f%% above)", s >= lower ? "yes" : "NO", optimum, s,
          sampled.problem().patterns().count(), exact.problem().patterns().count(),
          100 * (s - optimum) / Math.abs(optimum)));
    }
    return out;
  }

  /**
   * Each convex row's final test accuracy against the median SGD run's, or null without test
   * data. The summary records the same comparison as booleans.
   */
  static String accuracyCheck(List<ComparisonReport.Run> convex,
      List<ComparisonReport.Run> sgd) {
    double median = ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal);
    if (!Double.isFinite(median)) {
      return null;
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Test accuracy against the median SGD run's %.4f:", median));
    String sep = " ";
    for (ComparisonReport.Run r : convex) {
      double a = r.testAccuracyFinal();
      if (Double.isFinite(a)) {
        sb.append(String.format(Locale.ROOT, "%s%s %.4f (%s)", sep, r.name(), a,
            a >= median ? "at least the median" : "below the median"));
        sep = "; ";
      }
    }
    return sb.append('.').toString();
  }

  /** Relative margin above the optimum beyond which an SGD run is said to stall. */
  static final double STALL_MARGIN = 1e-3;

  /** SGD runs whose objective fell below {@code bound} at some epoch. */
  private static int sgdRunsBelow(List<ComparisonReport.Run> sgd, double bound) {
    int below = 0;
    for (ComparisonReport.Run r : sgd) {
      for (double v : r.objective()) {
        if (v < bound) {
          below++;
          break;
        }
      }
    }
    return below;
  }

  private static String summary(ConvexReluModel model, ConvexReluProblem problem,
      Solved exact, Solved sampled, Polished polished, List<ComparisonReport.Run> runs,
      List<String> checks, Map<String, String> settings, double beta, double betaMax) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode s = mapper.createObjectNode();
    SolverResult result = exact.result();
    ComparisonReport.Run convex = exact.run();
    ObjectNode c = s.putObject("convex");
    putConvex(c, result, convex);
    c.put("nonconvexObjective", model.nonconvexObjective(problem.x(), problem.y(),
        problem.loss()));
    c.put("neurons", model.network().width());
    c.put("patterns", problem.patterns().count());
    if (sampled != null) {
      ObjectNode sc = s.putObject("sampledConvex");
      putConvex(sc, sampled.result(), sampled.run());
      sc.put("patterns", sampled.problem().patterns().count());
    }
    ObjectNode g = s.putObject("sgd");
    ArrayNode arr = g.putArray("inits");
    List<ComparisonReport.Run> sgd = new ArrayList<>();
    for (ComparisonReport.Run r : runs) {
      if (!r.group().equals(ComparisonReport.CONVEX)) {
        sgd.add(r);
      }
    }
    for (ComparisonReport.Run r : sgd) {
      ObjectNode e = arr.addObject();
      e.put("neurons", r.neurons());
      e.put("objective", r.finalObjective());
      putFinite(e, "trainAccuracy", r.trainAccuracy());
      putFinite(e, "testAccuracy", r.testAccuracyFinal());
      e.put("seconds", r.totalSeconds());
    }
    g.put("medianObjective", ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective));
    double medianTest = ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal);
    putFinite(g, "medianTestAccuracy", medianTest);
    if (Double.isFinite(medianTest) && Double.isFinite(convex.testAccuracyFinal())) {
      s.put("convexTestAccuracyAtLeastSgdMedian", convex.testAccuracyFinal() >= medianTest);
    }
    if (polished != null) {
      ObjectNode p = s.putObject("polish");
      ComparisonReport.Run pr = polished.solved().run();
      putConvex(p, polished.solved().result(), pr);
      p.put("nonconvexObjective", pr.finalObjective());
      p.put("startObjective", polished.startObjective());
      p.put("sgdInit", polished.sgdInit());
      p.put("model", polished.solved().problem().formulation().id());
      p.put("patterns", polished.solved().problem().patterns().count());
      if (Double.isFinite(medianTest) && Double.isFinite(pr.testAccuracyFinal())) {
        p.put("testAccuracyAtLeastSgdMedian", pr.testAccuracyFinal() >= medianTest);
      }
      double bestSgd = Double.POSITIVE_INFINITY;
      for (ComparisonReport.Run r : sgd) {
        bestSgd = Math.min(bestSgd, r.finalObjective());
      }
      p.put("bestSgdObjective", bestSgd);
      p.put("atOrBelowBestSgd", pr.finalObjective() <= bestSgd);
    }
    if (!checks.isEmpty()) {
      s.put("sgdRunsBelowOptimum", sgdRunsBelow(sgd, result.certificate().lowerBound()));
      ArrayNode ch = s.putArray("checks");
      checks.forEach(ch::add);
    }
    s.put("bestObjective", ComparisonReport.best(runs));
    s.put("beta", beta);
    s.put("betaMax", betaMax);
    ObjectNode st = s.putObject("settings");
    settings.forEach(st::put);
    try {
      return mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putConvex(ObjectNode c, SolverResult result, ComparisonReport.Run run) {
    var cert = result.certificate();
    c.put("objective", cert.objective());
    c.put("lowerBound", cert.lowerBound());
    c.put("relativeGap", cert.relativeGap());
    c.put("constraintViolation", cert.constraintViolation());
    c.put("iterations", result.iterations());
    c.put("seconds", result.seconds());
    c.put("stopReason", result.stopReason().name());
    putFinite(c, "trainAccuracy", run.trainAccuracy());
    putFinite(c, "testAccuracy", run.testAccuracyFinal());
  }

  private static void putFinite(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    }
  }
}
