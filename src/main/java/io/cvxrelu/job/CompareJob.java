package io.cvxrelu.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.io.IOException;
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
        .option("seed", "0", "seed for patterns, projections and SGD (init k: seed + k)")
        .option("tol", "1e-6", "convex: target relative duality gap")
        .option("max-iter", "200000", "convex: iteration budget")
        .option("max-seconds", "900", "convex: time budget in seconds")
        .option("neurons", "100", "SGD: hidden neurons m")
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
    int inits = (int) Math.min(10_000, opts.positiveLong("inits"));
    SgdOptions sgd = TrainSgdJob.sgdOptions(opts, optimizer, seed);
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
      ConvexSolver solver = ConvexSolver.forProblem(problem);
      AccuracyHistory accuracy = new AccuracyHistory(
          new TrainConvexJob.ProgressLogger(solverOptions.tolerance(), 2.0), formulation,
          loss.name(), b, bias, patterns.gates(), x, y, test, yTest);
      SolverResult result = solver.solve(problem, null, solverOptions, accuracy);
      ConvexReluModel model = new ConvexReluModel(formulation, loss.name(), b, bias,
          patterns.gates(), result.weights());
      List<double[]> convexRows = accuracy.rows(result);
      ComparisonReport.Run convexRun = convexRun(formulation, result, convexRows);
      LOG.info("convex: {} after {} steps, {} s, objective {}, gap {}", result.stopReason(),
          result.iterations(), String.format(Locale.ROOT, "%.1f", result.seconds()),
          result.certificate().objective(), result.certificate().relativeGap());

      // SGD initialisations as Spark tasks on the same design and beta.
      spark.sparkContext().setJobDescription("cvxrelu: SGD from " + inits + " initialisations");
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<TrainSgdJob.SgdData> shared = jsc.broadcast(new TrainSgdJob.SgdData(
          x.transpose(), y, xTest == null ? null : xTest.transpose(), yTest, loss.name(), b));
      List<TrainSgdJob.InitRun> sgdRuns;
      try {
        List<Integer> ids = new ArrayList<>();
        for (int k = 0; k < inits; k++) {
          ids.add(k);
        }
        SgdOptions base = sgd;
        sgdRuns = new ArrayList<>(jsc.parallelize(ids, inits).map(k -> TrainSgdJob.runInit(
            shared.value(), base.withSeed(base.seed() + k), k)).collect());
      } finally {
        shared.destroy();
      }
      sgdRuns.sort((p, q) -> Integer.compare(p.init(), q.init()));

      List<ComparisonReport.Run> runs = new ArrayList<>();
      runs.add(convexRun);
      for (TrainSgdJob.InitRun r : sgdRuns) {
        runs.add(sgdRun(r));
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
          "%s, m = %d, %d inits, %d epochs, batch %d, lr %.3g%s", optimizer.id(),
          sgd.neurons(), inits, sgd.epochs(), sgd.batchSize(), sgd.learningRate(),
          optimizer == Optimizer.SGD ? ", momentum " + sgd.momentum() : ""));
      settings.put("BLAS", Blas.backend());
      String note = enumerate
          ? "All sign patterns are enumerated: the convex optimum is the global optimum of the "
              + "non-convex objective for any width, so no SGD run can end below its certified "
              + "lower bound."
          : "Sign patterns are sampled: the convex program is then a restriction (ReLU) or a "
              + "gated relaxation of the non-convex problem, solved to the certified gap shown; "
              + "SGD objectives are the same function L(f(X), y) + beta/2 sum_j (|u_j|^2 + "
              + "alpha_j^2).";
      Map<String, byte[]> plots = ComparisonReport.plots(runs);
      Map<String, String> files = new LinkedHashMap<>();
      files.put("report.md", ComparisonReport.markdown("Convex program vs SGD", settings, runs,
          note, plots.containsKey(ComparisonReport.TEST_ACCURACY_VS_SECONDS)));
      files.put("comparison.csv", ComparisonReport.csv(runs));
      files.put("summary.json", summary(model, problem, result, convexRun, runs, settings, b,
          betaMax));
      files.put("convex-history.csv", accuracy.csv(result));
      for (TrainSgdJob.InitRun r : sgdRuns) {
        files.put("sgd-init-" + r.init() + ".csv", r.historyCsv());
      }
      io.writeAtomically(out, files, plots, overwrite, null);
      LOG.info("wrote {}", out);
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
  }

  private static double[] labels(Loss loss, double[] y, String what) {
    try {
      return loss.canonicalLabels(y);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(what + ": " + e.getMessage());
    }
  }

  private static ComparisonReport.Run convexRun(Formulation f, SolverResult result,
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
    return new ComparisonReport.Run("convex (" + f.id() + ")", it, sec, obj, acc,
        result.certificate().objective(), result.certificate().relativeGap(), last[5], last[6],
        result.seconds());
  }

  private static ComparisonReport.Run sgdRun(TrainSgdJob.InitRun r) {
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
    return new ComparisonReport.Run("SGD init " + r.init(), it, sec, obj, acc, last[2],
        Double.NaN, last[3], last[4], last[5]);
  }

  private static String summary(ConvexReluModel model, ConvexReluProblem problem,
      SolverResult result, ComparisonReport.Run convex, List<ComparisonReport.Run> runs,
      Map<String, String> settings, double beta, double betaMax) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode s = mapper.createObjectNode();
    ObjectNode c = s.putObject("convex");
    var cert = result.certificate();
    c.put("objective", cert.objective());
    c.put("lowerBound", cert.lowerBound());
    c.put("relativeGap", cert.relativeGap());
    c.put("constraintViolation", cert.constraintViolation());
    c.put("nonconvexObjective", model.nonconvexObjective(problem.x(), problem.y(),
        problem.loss()));
    c.put("neurons", model.network().width());
    c.put("iterations", result.iterations());
    c.put("seconds", result.seconds());
    c.put("stopReason", result.stopReason().name());
    putFinite(c, "trainAccuracy", convex.trainAccuracy());
    putFinite(c, "testAccuracy", convex.testAccuracyFinal());
    ObjectNode g = s.putObject("sgd");
    ArrayNode arr = g.putArray("inits");
    List<ComparisonReport.Run> sgd = runs.subList(1, runs.size());
    for (ComparisonReport.Run r : sgd) {
      ObjectNode e = arr.addObject();
      e.put("objective", r.finalObjective());
      putFinite(e, "trainAccuracy", r.trainAccuracy());
      putFinite(e, "testAccuracy", r.testAccuracyFinal());
      e.put("seconds", r.totalSeconds());
    }
    g.put("medianObjective", ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective));
    putFinite(g, "medianTestAccuracy",
        ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal));
    double medianTest = ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal);
    if (Double.isFinite(medianTest) && Double.isFinite(convex.testAccuracyFinal())) {
      s.put("convexTestAccuracyAtLeastSgdMedian", convex.testAccuracyFinal() >= medianTest);
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

  private static void putFinite(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    }
  }
}
