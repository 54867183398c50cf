package io.cvxrelu.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.NetworkCsv;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.EpochRecord;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.SgdResult;
import io.cvxrelu.sgd.SgdTrainer;
import java.io.IOException;
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
import org.apache.spark.sql.SparkSession;

/**
 * {@code jobs/train-sgd.sh}: trains the non-convex two-layer ReLU network by mini-batch SGD
 * from several initialisations, on the same objective as {@code train-convex.sh}
 * (L(f(X), y) + beta/2 sum_j (||u_j||^2 + alpha_j^2), beta from {@code --beta} or
 * {@code --beta-frac} of the same beta_max), for comparison with the convex optimum (Pilanci
 * and Ergen 2020, Figs. 2 and 5).
 *
 * <p>The data are broadcast once; each initialisation is one Spark task (seed = --seed + k).
 * Each task runs single-threaded BLAS when {@code OPENBLAS_NUM_THREADS=1} (the launch script's
 * default), so k tasks use k cores without oversubscribing them.
 *
 * <p>Writes {@code summary.json} (an {@code inits} array with objective, trainAccuracy,
 * testAccuracy, seconds per initialisation) and {@code init-K/history.csv} (per epoch:
 * objective, accuracies, training seconds), atomically. Exit codes as for train-convex.
 */
public final class TrainSgdJob {
  private static final Logger LOG = LogManager.getLogger(TrainSgdJob.class);

  private TrainSgdJob() {}

  static JobOptions options() {
    return DataLoader.declareOptions(new JobOptions(
        "Usage: train-sgd.sh --train PATH --out DIR [options]\n"
        + "Trains the non-convex two-layer ReLU network by mini-batch SGD from several\n"
        + "initialisations (one Spark task each) on the objective of train-convex.sh and\n"
        + "writes summary.json and init-K/history.csv to DIR."))
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("loss", "squared", "squared | logistic (labels +-1 or 0/1)")
        .option("beta", null, "regularisation strength beta > 0")
        .option("beta-frac", "0.01", "beta as a fraction of beta_max (as train-convex), used "
            + "when --beta is absent")
        .option("patterns", "100", "sign patterns sampled for beta_max, or 'all' (as "
            + "train-convex)")
        .flag("bias", "append a column of ones to the features")
        .option("neurons", "100", "hidden neurons m")
        .option("inits", "5", "number of random initialisations (parallel Spark tasks)")
        .option("epochs", "30", "passes over the training data")
        .option("batch-size", "100", "rows per mini-batch")
        .option("lr", "0.001", "learning rate on the per-sample objective F/n")
        .option("optimizer", "sgd", "sgd (momentum) | adam")
        .option("momentum", "0.9", "momentum for --optimizer sgd")
        .option("seed", "0", "initialisation k uses seed + k; also seeds pattern sampling")
        .option("master", null, "Spark master (default: $CVXRELU_MASTER or local[*])");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("train-sgd", options(), args, TrainSgdJob::execute);
  }

  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    Loss loss;
    Optimizer optimizer;
    try {
      loss = Loss.forName(opts.get("loss"));
      optimizer = Optimizer.parse(opts.get("optimizer"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Double beta = opts.get("beta") != null ? opts.positiveDouble("beta") : null;
    double betaFrac = opts.positiveDouble("beta-frac");
    String patternsArg = opts.get("patterns");
    int patternCount = patternsArg.equals("all") ? 0
        : (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("patterns"));
    int inits = (int) Math.min(10_000, opts.positiveLong("inits"));
    long seed = opts.anyLong("seed");
    SgdOptions sgd = sgdOptions(opts, optimizer, seed,
        (int) Math.min(1_000_000, opts.positiveLong("neurons")));
    boolean bias = opts.flagSet("bias");
    boolean overwrite = opts.flagSet("overwrite");
    String master = opts.get("master") != null ? opts.get("master")
        : System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]");

    boolean ownSession = SparkSession.getActiveSession().isEmpty()
        && SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = SparkSession.builder().appName("cvxrelu-train-sgd")
        .master(master).config("spark.ui.enabled", "false").getOrCreate();
    try {
      HadoopIo io = new HadoopIo(spark.sparkContext().hadoopConfiguration());
      io.checkOutput(out, overwrite);
      LOG.info("BLAS backend: {}", Blas.backend());
      spark.sparkContext().setJobDescription("cvxrelu: read data");
      DataLoader.Loaded data = DataLoader.load(spark, io, opts);
      LabeledData train = data.train();
      LabeledData test = data.test();
      double[] y = labels(loss, train.y(), "training data");
      double[] yTest = test == null ? null : labels(loss, test.y(), "test data");
      DenseMatrix x = bias ? train.x().withOnesColumn() : train.x();
      DenseMatrix xTest = test == null ? null : bias ? test.x().withOnesColumn() : test.x();

      double betaMax = Double.NaN;
      double b;
      if (beta != null) {
        b = beta;
      } else {
        betaMax = betaMax(x, y, loss, patternCount, seed);
        b = betaFrac * betaMax;
        if (!(b > 0.0)) {
          throw new DataFormatException("beta_max is 0 (all labels zero?): give --beta explicitly");
        }
      }
      LOG.info("SGD: n={} d={} m={} inits={} epochs={} batch={} {} lr={} loss={} beta={}",
          x.rows(), x.cols(), sgd.neurons(), inits, sgd.epochs(), sgd.batchSize(),
          optimizer.id(), sgd.learningRate(), loss.name(), b);

      SgdData payload = new SgdData(x.transpose(), y, xTest == null ? null : xTest.transpose(),
          yTest, loss.name(), b);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      spark.sparkContext().setJobDescription("cvxrelu: SGD from " + inits + " initialisations");
      long wallStart = System.nanoTime();
      Broadcast<SgdData> shared = jsc.broadcast(payload);
      List<InitRun> runs;
      try {
        List<Integer> ids = new ArrayList<>();
        for (int k = 0; k < inits; k++) {
          ids.add(k);
        }
        SgdOptions base = sgd;
        runs = new ArrayList<>(jsc.parallelize(ids, inits)
            .map(k -> runInit(shared.value(), base.withSeed(base.seed() + k), k)).collect());
      } finally {
        shared.destroy();
      }
      double wall = (System.nanoTime() - wallStart) * 1e-9;
      runs.sort((p, q) -> Integer.compare(p.init(), q.init()));

      Map<String, String> files = new LinkedHashMap<>();
      files.put("summary.json", summary(runs, sgd, inits, loss, b, betaMax, x, test, bias,
          data.description(), wall));
      for (InitRun r : runs) {
        files.put("init-" + r.init() + "/history.csv", r.historyCsv());
        files.put("init-" + r.init() + "/network.csv", r.networkCsv());
      }
      io.writeAtomically(out, files, overwrite);
      LOG.info("wrote {}", out);
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
  }

  /** The SGD settings from --neurons, --epochs, --batch-size, --lr and --momentum. */
  static SgdOptions sgdOptions(JobOptions opts, Optimizer optimizer, long seed, int neurons) {
    try {
      return new SgdOptions(neurons,
          (int) Math.min(1_000_000, opts.positiveLong("epochs")),
          (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("batch-size")),
          opts.positiveDouble("lr"), optimizer, Double.parseDouble(opts.require("momentum")),
          seed);
    } catch (NumberFormatException e) {
      throw new UsageException("--momentum must be a number, got '" + opts.get("momentum") + "'");
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

  /** beta_max exactly as train-convex computes it for the same --patterns and --seed. */
  static double betaMax(DenseMatrix x, double[] y, Loss loss, int patternCount, long seed) {
    return ConvexReluProblem.betaMax(x, y,
        TrainConvexJob.sampledOrEnumerated(x, patternCount == 0, patternCount, seed), loss);
  }

  /** One initialisation, run inside a Spark task. */
  static InitRun runInit(SgdData data, SgdOptions o, int k) {
    SgdTrainer trainer = new SgdTrainer(data.features(), data.y(), data.testFeatures(),
        data.yTest(), Loss.forName(data.loss()), data.beta());
    long start = System.nanoTime();
    double[] lastLog = {-1.0};
    SgdResult r = trainer.train(o, rec -> {
      // At most one line per 2 s of training per task, plus the first and the last epoch.
      if (rec.epoch() == 0 || rec.epoch() == o.epochs() || rec.seconds() - lastLog[0] >= 2.0) {
        lastLog[0] = rec.seconds();
        LOG.info(String.format(Locale.ROOT,
            "init %d epoch %d: objective %.8g, train acc %.4f, test acc %.4f, %.1fs", k,
            rec.epoch(), rec.objective(), rec.trainAccuracy(), rec.testAccuracy(),
            rec.seconds()));
      }
    });
    double wall = (System.nanoTime() - start) * 1e-9;
    List<EpochRecord> h = r.history();
    double[][] rows = new double[h.size()][];
    for (int i = 0; i < h.size(); i++) {
      EpochRecord e = h.get(i);
      rows[i] = new double[] {e.epoch(), e.samples(), e.objective(), e.trainAccuracy(),
          e.testAccuracy(), e.seconds()};
    }
    return new InitRun(k, o.seed(), r.stopReason(), rows, wall,
        NetworkCsv.write(r.network()));
  }

  static String summary(List<InitRun> runs, SgdOptions o, int inits, Loss loss, double beta,
      double betaMax, DenseMatrix x, LabeledData test, boolean bias, String data, double wall) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode s = mapper.createObjectNode();
    ArrayNode arr = s.putArray("inits");
    double[] objectives = new double[runs.size()];
    double[] testAcc = new double[runs.size()];
    double trainSeconds = 0.0;
    long samples = 0;
    for (int i = 0; i < runs.size(); i++) {
      InitRun r = runs.get(i);
      double[] last = r.rows()[r.rows().length - 1];
      ObjectNode e = arr.addObject();
      e.put("init", r.init());
      e.put("seed", r.seed());
      e.put("objective", last[2]);
      putFinite(e, "trainAccuracy", last[3]);
      putFinite(e, "testAccuracy", last[4]);
      e.put("seconds", last[5]);
      e.put("wallSeconds", r.wallSeconds());
      e.put("epochs", (int) last[0]);
      e.put("stopReason", r.stopReason());
      objectives[i] = last[2];
      testAcc[i] = last[4];
      trainSeconds += last[5];
      samples += (long) last[1];
    }
    s.put("bestObjective", Arrays.stream(objectives).min().orElse(Double.NaN));
    s.put("medianObjective", median(objectives));
    putFinite(s, "medianTestAccuracy", median(testAcc));
    s.put("samplesPerSecond", trainSeconds > 0 ? samples / trainSeconds : 0.0);
    s.put("wallSeconds", wall);
    s.put("neurons", o.neurons());
    s.put("initCount", inits);
    s.put("epochs", o.epochs());
    s.put("batchSize", o.batchSize());
    s.put("learningRate", o.learningRate());
    s.put("optimizer", o.optimizer().id());
    if (o.optimizer() == Optimizer.SGD) {
      s.put("momentum", o.momentum());
    }
    s.put("seed", o.seed());
    s.put("loss", loss.name());
    s.put("beta", beta);
    putFinite(s, "betaMax", betaMax);
    s.put("bias", bias);
    s.put("n", x.rows());
    s.put("d", x.cols() - (bias ? 1 : 0));
    if (test != null) {
      s.put("nTest", test.n());
    }
    s.put("data", data);
    s.put("blas", Blas.backend());
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

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    if (s.length == 0 || Double.isNaN(s[s.length - 1])) {
      return Double.NaN;
    }
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
  }

  /**
   * The broadcast training set: features transposed (d x n, one row per column), labels,
   * optional test set, loss and beta. Plain arrays so Java serialisation ships it.
   */
  record SgdData(int d, int n, double[] xT, double[] y, int nTest, double[] testXT,
      double[] yTest, String loss, double beta) implements Serializable {
    private static final long serialVersionUID = 1L;

    SgdData(DenseMatrix xT, double[] y, DenseMatrix testXT, double[] yTest, String loss,
        double beta) {
      this(xT.rows(), xT.cols(), xT.data(), y, testXT == null ? 0 : testXT.cols(),
          testXT == null ? null : testXT.data(), yTest, loss, beta);
    }

    DenseMatrix features() {
      return new DenseMatrix(d, n, xT);
    }

    DenseMatrix testFeatures() {
      return testXT == null ? null : new DenseMatrix(d, nTest, testXT);
    }
  }

  /**
   * One initialisation's outcome.
   *
   * @param rows per epoch: epoch, samples, objective, trainAccuracy, testAccuracy, seconds
   */
  /** One initialisation's history and its final network (as {@link NetworkCsv}). */
  record InitRun(int init, long seed, String stopReason, double[][] rows, double wallSeconds,
      String networkCsv) implements Serializable {
    private static final long serialVersionUID = 1L;

    String historyCsv() {
      StringBuilder sb = new StringBuilder(EpochRecord.CSV_HEADER).append('\n');
      for (double[] r : rows) {
        sb.append(new EpochRecord((int) r[0], r[2], r[3], r[4], r[5], (long) r[1]).toCsv())
            .append('\n');
      }
      return sb.toString();
    }
  }
}
