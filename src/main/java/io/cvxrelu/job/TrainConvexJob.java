package io.cvxrelu.job;

import io.cvxrelu.report.AccuracyHistory;
import io.cvxrelu.report.ProgressLogger;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.io.NetworkCsv;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.distributed.DistributedGatedSolver;
import io.cvxrelu.solver.distributed.DistributedGeneration;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.solver.distributed.DistributedReluSolver;
import io.cvxrelu.solver.distributed.DistributedTraining;
import io.cvxrelu.solver.distributed.SolverCheckpoint;
import io.cvxrelu.solver.generation.ArrangementCertificate;
import io.cvxrelu.solver.generation.ColumnGeneration;
import io.cvxrelu.train.SolverChoice;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;

/**
 * {@code jobs/train-convex.sh}: trains a two-layer ReLU (or gated-ReLU) network by solving the
 * convex program of Pilanci and Ergen (2020) and writes the model with its certificate.
 *
 * <p>Exit codes: 0 success, 1 unexpected failure, 2 usage or configuration error, 3 data
 * error, 4 output could not be written. Errors are one line on stderr (stack trace with
 * {@code --verbose}); no output folder is left behind.
 */
public final class TrainConvexJob {
  private static final Logger LOG = LogManager.getLogger(TrainConvexJob.class);
  static final long MAX_ENUMERATION_SUBSETS = 5_000_000L;
  /** Enumeration budget of --certify-all auto and of exact pricing in pattern generation. */
  static final long CERTIFY_AUTO_SUBSETS = 100_000L;
  /** With {@code --solver auto}, row counts from which the distributed solvers are used. */
  static final int AUTO_DISTRIBUTED_ROWS = 200_000;
  /** The checkpoint folder inside the output folder. */
  static final String CHECKPOINT = "checkpoint";

  private TrainConvexJob() {}

  static JobOptions options() {
    return DataLoader.declareOptions(new JobOptions(
        "Usage: train-convex.sh --train PATH --out DIR [options]\n"
        + "Trains a two-layer ReLU network to global optimality over sampled or enumerated\n"
        + "sign patterns (Pilanci & Ergen, ICML 2020) and writes summary.json, model.json and\n"
        + "history.csv to DIR. Paths may use any Hadoop file system scheme."))
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("model", "relu", "relu (cone-constrained) | gated")
        .option("loss", "squared", "squared | logistic (labels +-1 or 0/1)")
        .option("beta", null, "regularisation strength beta > 0")
        .option("beta-frac", "0.01", "beta as a fraction of beta_max, used when --beta is absent")
        .option("patterns", "100", "number of sampled sign patterns P, or 'all' to enumerate")
        .option("seed", "0", "seed for gate sampling")
        .option("gates", null, "CSV of gate vectors, one per row (replaces sampling)")
        .option("patterns-from", null, "a network (train-sgd's init-K/network.csv, or a model.json)"
            + " whose neurons' patterns 1[X u_j > 0] are added to the sampled ones")
        .flag("generate-patterns", "dual-guided pattern generation: add violating patterns and"
            + " re-solve until none is found (single-node solvers)")
        .option("generate-rounds", "20", "generation rounds at most")
        .option("certify-all", "auto", "auto|true|false: certificate over every cell of the"
            + " arrangement, a lower bound for any network (auto: when it is small enough)")
        .flag("bias", "append a column of ones to the features")
        .option("tol", "1e-6", "target relative duality gap")
        .option("max-iter", "200000", "iteration budget")
        .option("max-seconds", "3600", "time budget in seconds")
        .option("master", null,
            "Spark master (default: spark-submit's --master, $CVXRELU_MASTER or local[*])")
        .option("solver", "auto", "local | distributed | auto (distributed when the master is"
            + " not local[...] or n >= " + AUTO_DISTRIBUTED_ROWS + ")")
        .option("partitions", "0", "row-block partitions of the distributed solver"
            + " (0: Spark's default parallelism)")
        .option("pattern-blocks", "auto", "distributed solver: split the sign patterns into K"
            + " blocks, tasks over (row block, pattern block) pairs; auto: ceil(d q / 2^20) for"
            + " d x q weights (1 unless P d is large)")
        .option("checkpoint-every", "100", "distributed solver: save its state to OUT/checkpoint"
            + " every K steps (0: only when a budget runs out)")
        .flag("resume", "distributed solver: continue from OUT/checkpoint");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("train-convex", options(), args, TrainConvexJob::execute);
  }

  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    Formulation formulation = parse(() -> Formulation.parse(opts.get("model")));
    Loss loss = parse(() -> Loss.forName(opts.get("loss")));
    Double beta = opts.get("beta") != null ? opts.positiveDouble("beta") : null;
    double betaFrac = opts.positiveDouble("beta-frac");
    String patternsArg = opts.get("patterns");
    boolean enumerate = patternsArg.equals("all");
    int patternCount = enumerate ? 0 : (int) Math.min(Integer.MAX_VALUE,
        opts.positiveLong("patterns"));
    long seed = opts.anyLong("seed");
    SolverOptions solverOptions = new SolverOptions(opts.positiveDouble("tol"),
        SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
        opts.positiveDouble("max-seconds"));
    boolean bias = opts.flagSet("bias");
    boolean overwrite = opts.flagSet("overwrite");
    // --master, else the master spark-submit passed (as the spark.master property), else
    // $CVXRELU_MASTER, else local[*].
    String master = opts.get("master") != null ? opts.get("master")
        : System.getProperty("spark.master",
            System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]"));
    String solverChoice = opts.get("solver");
    if (!solverChoice.equals("auto") && !solverChoice.equals("local")
        && !solverChoice.equals("distributed")) {
      throw new UsageException("--solver must be local, distributed or auto, got '"
          + solverChoice + "'");
    }
    long partitionsArg = opts.anyLong("partitions");
    long checkpointEvery = opts.anyLong("checkpoint-every");
    if (partitionsArg < 0 || partitionsArg > 1_000_000 || checkpointEvery < 0) {
      throw new UsageException("--partitions and --checkpoint-every must be >= 0");
    }
    String patternBlocksArg = opts.get("pattern-blocks");
    int patternBlocksGiven = 0;
    if (!patternBlocksArg.equals("auto")) {
      long k;
      try {
        k = Long.parseLong(patternBlocksArg);
      } catch (NumberFormatException e) {
        k = 0;
      }
      if (k < 1 || k > 1_000_000) {
        throw new UsageException("--pattern-blocks must be auto or an integer from 1 to"
            + " 1000000, got '" + patternBlocksArg + "'");
      }
      patternBlocksGiven = (int) k;
    }
    boolean resume = opts.flagSet("resume");
    if (resume && solverChoice.equals("local")) {
      throw new UsageException("--resume continues a distributed solve (--solver distributed)");
    }
    boolean generate = opts.flagSet("generate-patterns");
    int generateRounds = (int) Math.min(1000, opts.positiveLong("generate-rounds"));
    String certifyAll = opts.get("certify-all");
    if (!certifyAll.matches("auto|true|false")) {
      throw new UsageException("--certify-all must be auto, true or false, got '" + certifyAll
          + "'");
    }
    if (generate && resume) {
      throw new UsageException("--generate-patterns keeps no checkpoint: --resume does not "
          + "apply to it");
    }

    // A session that already exists (a notebook, a test class, spark-submit's) is reused and
    // left running; one made here is stopped here.
    boolean ownSession = SparkSession.getActiveSession().isEmpty()
        && SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = SparkSession.builder().appName("cvxrelu-train-convex")
        .master(master).config("spark.ui.enabled", "false").getOrCreate();
    try {
      HadoopIo io = new HadoopIo(spark.sparkContext().hadoopConfiguration());
      io.checkOutput(out, overwrite || resume);
      LOG.info("BLAS backend: {}", Blas.backend());
      spark.sparkContext().setJobDescription("cvxrelu: read data");
      DataLoader.Loaded data = DataLoader.load(spark, io, opts);
      LabeledData train = data.train();
      LabeledData test = data.test();
      double[] y = labels(loss, train.y(), "training data");
      if (loss.isClassification()) {
        requireBothClasses(y);
      }
      double[] yTest = test == null ? null : labels(loss, test.y(), "test data");
      DenseMatrix x = bias ? train.x().withOnesColumn() : train.x();

      SignPatterns patterns;
      if (opts.get("gates") != null) {
        DenseMatrix g;
        try (BufferedReader r = io.open(opts.get("gates"), "gates")) {
          g = TextDataReader.readMatrixCsv(r, opts.get("gates"));
        } catch (IOException e) {
          throw new DataFormatException("cannot read gates: " + e.getMessage());
        }
        if (g.cols() != x.cols()) {
          throw new DataFormatException("gates in " + opts.get("gates") + " have dimension "
              + g.cols() + " but the design has " + x.cols() + " columns"
              + (bias ? " (features plus bias)" : ""));
        }
        patterns = SignPatterns.fromGates(x, g.transpose());
        requirePatterns(patterns);
      } else {
        patterns = sampledOrEnumerated(x, enumerate, patternCount, seed);
      }
      double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
      double b = beta != null ? beta : betaFrac * betaMax;
      if (!(b > 0.0)) {
        throw new DataFormatException("beta_max is 0 (all labels zero?): give --beta explicitly");
      }
      // beta_max comes from the sampled (or given) patterns alone, so that beta matches a
      // train-sgd run with the same --patterns, --seed and --beta-frac.
      ReluNetwork seedNetwork = null;
      if (opts.get("patterns-from") != null) {
        seedNetwork = readNetwork(io, opts.get("patterns-from"), x.cols());
        patterns = withNeuronPatterns(x, seedNetwork, patterns);
        LOG.info("added the patterns of {} neurons from {}: P = {}", seedNetwork.width(),
            opts.get("patterns-from"), patterns.count());
      }
      ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, b, formulation);
      LOG.info("problem: n={} d={} P={} model={} loss={} beta={} (beta_max={})", x.rows(),
          x.cols(), patterns.count(), formulation.id(), loss.name(), b, betaMax);

      boolean distributed = resume || solverChoice.equals("distributed")
          || solverChoice.equals("auto")
          && (!spark.sparkContext().master().startsWith("local") || x.rows() >= AUTO_DISTRIBUTED_ROWS);
      // Accuracy rows need the weights at each certificate; the distributed solvers certify
      // less often, so every certificate is logged there.
      AccuracyHistory accuracy = new AccuracyHistory(
          new ProgressLogger(solverOptions.tolerance(), distributed ? 0.0 : 2.0),
          formulation, loss.name(), b, bias, patterns.gates(), x, y, test, yTest);
      SolverResult result;
      String solverName;
      ColumnGeneration.Result generation = null;
      int partitions = partitionsArg > 0 ? (int) partitionsArg
          : spark.sparkContext().defaultParallelism();
      if (distributed && !generate) {
        String checkpointDir = new org.apache.hadoop.fs.Path(out, CHECKPOINT).toString();
        int patternBlocks = patternBlocksGiven > 0 ? patternBlocksGiven
            : DistributedProblem.autoPatternBlocks(problem.d(), problem.patternCount(),
                formulation);
        LOG.info("distributed solver: {} row-block partitions, {} pattern blocks", partitions,
            Math.min(patternBlocks, problem.patternCount()));
        DistributedTraining.Outcome o = DistributedTraining.solve(spark, problem, partitions,
            patternBlocks,
            solverOptions, accuracy,
            new SolverCheckpoint(spark.sparkContext().hadoopConfiguration(), checkpointDir,
                (int) Math.min(Integer.MAX_VALUE, checkpointEvery)), resume);
        result = o.result();
        solverName = o.solverName();
      } else if (generate) {
        spark.sparkContext().setJobDescription("cvxrelu: solve and generate patterns");
        ColumnGeneration.Options cgOptions = new ColumnGeneration.Options(generateRounds, 64,
            30, 16, seed, CERTIFY_AUTO_SUBSETS);
        ProgressLogger progress = new ProgressLogger(solverOptions.tolerance(),
            distributed ? 0.0 : 2.0);
        ColumnGeneration.Result cg;
        if (distributed) {
          try (DistributedGeneration backend = new DistributedGeneration(spark, partitions)) {
            cg = ColumnGeneration.run(problem, cgOptions, solverOptions, progress, backend);
          }
        } else {
          cg = ColumnGeneration.run(problem, cgOptions, solverOptions, progress);
        }
        generation = cg;
        result = cg.solution();
        problem = cg.problem();
        patterns = problem.patterns();
        solverName = (distributed ? (problem.formulation() == Formulation.GATED
            ? DistributedGatedSolver.class : DistributedReluSolver.class).getSimpleName()
            : SolverChoice.local(problem).getClass().getSimpleName())
            + " + ColumnGeneration";
      } else {
        spark.sparkContext().setJobDescription("cvxrelu: solve");
        ConvexSolver solver = SolverChoice.local(problem);
        // A seed network is a feasible point of the program over its own patterns: start there,
        // so that the solve polishes it (see ReluNetwork#convexWeights).
        DenseMatrix warmStart = seedNetwork == null ? null
            : seedNetwork.convexWeights(x, patterns, formulation);
        result = solver.solve(problem, warmStart, solverOptions, accuracy);
        solverName = solver.getClass().getSimpleName();
      }
      LOG.info("solver {} stopped: {} after {} iterations, {} s, relative gap {}",
          solverName, result.stopReason(), result.iterations(),
          String.format(Locale.ROOT, "%.2f", result.seconds()), result.certificate().relativeGap());

      ConvexReluModel model = new ConvexReluModel(formulation, loss.name(), b, bias,
          patterns.gates(), result.weights());
      Map<String, String> files = new LinkedHashMap<>();
      ObjectNode extras = new ObjectMapper().createObjectNode();
      if (seedNetwork != null) {
        extras.put("patternsFromNeurons", seedNetwork.width());
        extras.put("patternsFromObjective", seedNetwork.objective(x, y, loss, b));
      }
      if (generation != null) {
        ObjectNode g = extras.putObject("generation");
        List<ColumnGeneration.Round> rounds = generation.rounds();
        g.put("rounds", rounds.size());
        g.put("patternsAdded", problem.patternCount() - rounds.get(0).patterns());
        g.put("noViolationFound", generation.converged());
        g.put("largestViolation", rounds.get(rounds.size() - 1).largestViolation());
        files.put("generation.csv", generationCsv(rounds));
      }
      certifyOverAllPatterns(problem, result, certifyAll, generation, extras);
      files.put("summary.json", summary(problem, model, result, train, test, y, yTest, betaMax,
          solverName, solverOptions.tolerance(), extras));
      files.put("model.json", ModelJson.write(model));
      files.put("history.csv", generation == null ? accuracy.csv(result)
          : historyWithoutAccuracy(result));
      // A checkpoint left by a run that did not converge stays in the output for --resume; a
      // converged run's output replaces it.
      boolean keepCheckpoint = distributed && result.stopReason() != StopReason.CONVERGED;
      io.writeAtomically(out, files, Map.of(), overwrite || resume || distributed,
          keepCheckpoint ? CHECKPOINT : null);
      LOG.info("wrote {}", out);
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
  }

  private static <T> T parse(java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static double[] labels(Loss loss, double[] y, String what) {
    try {
      return loss.canonicalLabels(y);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(what + ": " + e.getMessage());
    }
  }

  /**
   * A classifier needs both classes in its training labels (canonical +-1): with one class the
   * logistic loss has no finite minimiser without the regulariser and the model is trivial.
   * A test set may hold a single class.
   */
  static void requireBothClasses(double[] y) {
    boolean positive = false;
    boolean negative = false;
    for (double v : y) {
      positive |= v > 0;
      negative |= v < 0;
    }
    if (!(positive && negative)) {
      throw new DataFormatException("training data: only one class present (all labels "
          + (positive ? "positive" : "negative") + "); a classifier needs both");
    }
  }

  /**
   * The sign patterns every job uses when no gate file is given: all cells of the arrangement
   * ({@code enumerate}; too large is a usage error) or {@code count} sampled gates, never empty.
   */
  static SignPatterns sampledOrEnumerated(DenseMatrix x, boolean enumerate, int count,
      long seed) {
    SignPatterns patterns;
    if (enumerate) {
      try {
        patterns = ArrangementEnumerator.enumerate(x, MAX_ENUMERATION_SUBSETS);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    } else {
      patterns = SignPatterns.sample(x, count, seed, 50 * count + 1000);
    }
    requirePatterns(patterns);
    return patterns;
  }

  static void requirePatterns(SignPatterns patterns) {
    if (patterns.count() == 0) {
      throw new DataFormatException("no non-zero sign pattern: every gate is inactive on all rows");
    }
  }

  /**
   * Reads a network: a model.json of either job, or train-sgd's network.csv ({@link NetworkCsv}).
   */
  static ReluNetwork readNetwork(HadoopIo io, String path, int dimension) {
    String text;
    try (BufferedReader r = io.open(path, "network")) {
      StringBuilder sb = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        sb.append(line).append('\n');
      }
      text = sb.toString();
    } catch (IOException e) {
      throw new DataFormatException("cannot read network " + path + ": " + e.getMessage());
    }
    ReluNetwork net;
    if (text.stripLeading().startsWith("{")) {
      net = ModelJson.read(text, path).network();
    } else {
      try {
        net = NetworkCsv.read(new BufferedReader(new java.io.StringReader(text)), path,
            dimension);
      } catch (IOException e) {
        throw new DataFormatException("cannot read network " + path + ": " + e.getMessage());
      }
    }
    if (net.hidden().rows() != dimension) {
      throw new DataFormatException("network in " + path + " has input dimension "
          + net.hidden().rows() + " but the design has " + dimension + " columns");
    }
    if (!net.hidden().isFinite()) {
      throw new DataFormatException("network in " + path + " has NaN or infinite weights");
    }
    return net;
  }

  /**
   * The neurons' patterns 1[X u_j &gt; 0] first, then the others. Each neuron (u_j, alpha_j) is a
   * feasible block of its own pattern (v = u_j |alpha_j| for alpha_j &gt; 0, w for alpha_j &lt; 0),
   * so the convex optimum over these patterns is at most the network's objective.
   */
  static SignPatterns withNeuronPatterns(DenseMatrix x, ReluNetwork net, SignPatterns others) {
    DenseMatrix u = net.hidden();
    DenseMatrix g = others.gates();
    DenseMatrix all = new DenseMatrix(x.cols(), u.cols() + g.cols());
    System.arraycopy(u.data(), 0, all.data(), 0, u.data().length);
    System.arraycopy(g.data(), 0, all.data(), u.data().length, g.data().length);
    return SignPatterns.fromGates(x, all);
  }

  /**
   * With --certify-all true or auto, checks the solution's dual point against every cell of the
   * arrangement (exact where it can be enumerated; auto skips what is too large). Otherwise,
   * after pattern generation, records that the global statement is a search result.
   */
  static void certifyOverAllPatterns(ConvexReluProblem problem, SolverResult result,
      String mode, ColumnGeneration.Result generation, ObjectNode extras) {
    if (!mode.equals("false")) {
      long budget = mode.equals("true") ? MAX_ENUMERATION_SUBSETS : CERTIFY_AUTO_SUBSETS;
      try {
        ArrangementCertificate.Result all = ArrangementCertificate.compute(problem,
            result.weights(), budget);
        extras.put("globalLowerBound", all.certificate().lowerBound());
        extras.put("globalRelativeGap", all.certificate().relativeGap());
        extras.put("globalCertificate", "exact over all " + all.patternsChecked()
            + " cells of the arrangement");
        return;
      } catch (IllegalArgumentException tooLarge) {
        if (mode.equals("true")) {
          throw new UsageException(tooLarge.getMessage());
        }
        LOG.info("no certificate over all patterns: {}", tooLarge.getMessage());
      }
    }
    if (generation != null) {
      extras.put("globalCertificate", generation.converged()
          ? "search: no violating pattern found (not a proof)"
          : "search: violating patterns remain (round budget)");
    }
  }

  static String generationCsv(List<ColumnGeneration.Round> rounds) {
    StringBuilder sb = new StringBuilder(ColumnGeneration.Round.CSV_HEADER).append('\n');
    for (ColumnGeneration.Round r : rounds) {
      sb.append(r.toCsv()).append('\n');
    }
    return sb.toString();
  }

  static String historyWithoutAccuracy(SolverResult result) {
    StringBuilder sb = new StringBuilder(IterationRecord.CSV_HEADER).append('\n');
    for (IterationRecord r : result.history()) {
      sb.append(r.toCsv()).append('\n');
    }
    return sb.toString();
  }

  static String summary(ConvexReluProblem problem, ConvexReluModel model, SolverResult result,
      LabeledData train, LabeledData test, double[] y, double[] yTest, double betaMax,
      String solverName, double tolerance, ObjectNode extras) {
    ObjectNode s = new ObjectMapper().createObjectNode();
    var cert = result.certificate();
    s.put("objective", cert.objective());
    s.put("lowerBound", cert.lowerBound());
    s.put("relativeGap", cert.relativeGap());
    s.put("nonconvexObjective", model.nonconvexObjective(problem.x(), y, problem.loss()));
    s.put("constraintViolation", cert.constraintViolation());
    s.put("neurons", model.network().width());
    s.put("patterns", problem.patternCount());
    s.put("iterations", result.iterations());
    s.put("seconds", result.seconds());
    s.put("stopReason", result.stopReason().name());
    double[] predTrain = model.predictDesign(problem.x());
    if (Metrics.isPlusMinusOne(y)) {
      s.put("trainAccuracy", Metrics.accuracy(predTrain, y));
      if (yTest != null && Metrics.isPlusMinusOne(yTest)) {
        s.put("testAccuracy", Metrics.accuracy(model.predict(test.x()), yTest));
      }
    } else {
      s.put("trainMse", Metrics.mse(predTrain, y));
      if (yTest != null) {
        s.put("testMse", Metrics.mse(model.predict(test.x()), yTest));
      }
    }
    s.put("model", model.formulation().id());
    s.put("loss", problem.loss().name());
    s.put("beta", problem.beta());
    s.put("betaMax", betaMax);
    s.put("bias", model.bias());
    s.put("n", problem.n());
    s.put("d", train.d());
    s.put("tolerance", tolerance);
    s.put("solver", solverName);
    s.put("blas", Blas.backend());
    s.setAll(extras);
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(s) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
