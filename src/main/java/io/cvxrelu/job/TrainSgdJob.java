package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.DeepSgdOptions;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.distributed.DistributedDeepSgd;
import io.cvxrelu.sgd.distributed.DistributedSgd;
import io.cvxrelu.sgd.distributed.DistributedSgd.InitRun;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.TrainingSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/train-sgd.sh}: trains the non-convex two-layer ReLU network by mini-batch SGD
 * from several initialisations, on the same objective as {@code train-convex.sh}
 * (L(f(X), y) + beta/2 sum_j (||u_j||^2 + alpha_j^2), beta from {@code --beta} or
 * {@code --beta-frac} of the same beta_max), for comparison with the convex optimum (Pilanci
 * and Ergen 2020, Figs. 2 and 5).
 *
 * <p>The initialisations run as Spark tasks ({@link DistributedSgd}; seed = --seed + k). With
 * {@code --layers L > 2} the network is the L-layer fully connected ReLU network of
 * {@link io.cvxrelu.deep.DeepNetwork} with hidden widths {@code --widths} and objective
 * 1/2 ||f(X) - y||^2 + beta/2 sum_l ||W_l||_F^2 ({@link DistributedDeepSgd}; squared loss).
 *
 * <p>Writes {@code summary.json} (an {@code inits} array with objective, trainAccuracy,
 * testAccuracy, seconds per initialisation) and {@code init-K/history.csv} (per epoch:
 * objective, accuracies, training seconds), atomically. Exit codes as for train-convex.
 */
public final class TrainSgdJob {
  private static final Logger LOG = LogManager.getLogger(TrainSgdJob.class);

  private TrainSgdJob() {}

  static JobOptions options() {
    JobOptions opts = DataLoader.declareOptions(new JobOptions(
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
        .option("layers", "2", "depth L >= 2; L > 2 trains the L-layer ReLU network (squared "
            + "loss)")
        .option("widths", null, "hidden widths m1,...,m_{L-1} (or one width for all layers); "
            + "default --neurons")
        .option("seed", "0", "initialisation k uses seed + k; also seeds pattern sampling");
    return JobContext.declareMaster(TrainingSpecs.declareSgdOptions(opts));
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("train-sgd", options(), args, TrainSgdJob::execute);
  }

  /** Options, then data and beta, then the initialisations as Spark tasks, then the files. */
  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    Loss loss = TrainingSpecs.loss(opts);
    Double beta = TrainingSpecs.beta(opts);
    double betaFrac = opts.positiveDouble("beta-frac");
    TrainingSpec.Patterns patterns = TrainingSpecs.patterns(opts);
    int inits = TrainingSpecs.inits(opts);
    int layers = (int) Math.min(1000, opts.anyLong("layers"));
    int[] widths;
    try {
      widths = DeepSgdOptions.parseWidths(opts.get("widths") == null ? opts.require("neurons")
          : opts.get("widths"), layers);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (layers > 2 && !loss.name().equals("squared")) {
      throw new UsageException("--layers " + layers + " trains with the squared loss only, got "
          + "--loss " + loss.name());
    }
    SgdOptions sgd = TrainingSpecs.sgd(opts, widths[0]);
    boolean bias = opts.flagSet("bias");
    boolean overwrite = opts.flagSet("overwrite");
    try (JobContext job = JobContext.open("train-sgd", opts)) {
      job.io().checkOutput(out, overwrite);
      LOG.info("BLAS backend: {}", Blas.backend());
      job.describe("cvxrelu: read data");
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      LabeledData test = data.test();
      double[] y = ProblemSetup.trainingLabels(loss, data.train().y());
      double[] yTest = test == null ? null : ProblemSetup.labels(loss, test.y(), "test data");
      DenseMatrix x = ProblemSetup.design(data.train().x(), bias);
      DenseMatrix xTest = test == null ? null : ProblemSetup.design(test.x(), bias);
      // beta_max (and the patterns it needs) only when beta is a fraction of it.
      double betaMax = beta != null ? Double.NaN
          : ProblemSetup.betaMax(x, y, loss, patterns, sgd.seed());
      double b = ProblemSetup.beta(beta, betaFrac, betaMax);
      LOG.info("SGD: n={} d={} m={} inits={} epochs={} batch={} {} lr={} loss={} beta={}",
          x.rows(), x.cols(), sgd.neurons(), inits, sgd.epochs(), sgd.batchSize(),
          sgd.optimizer().id(), sgd.learningRate(), loss.name(), b);

      job.describe("cvxrelu: SGD from " + inits + " initialisations");
      long wallStart = System.nanoTime();
      List<InitRun> runs = new ArrayList<>(layers == 2
          ? twoLayer(job, x, y, xTest, yTest, loss, b, sgd, inits)
          : DistributedDeepSgd.run(job.spark(), new DistributedDeepSgd.DeepData(x,
              new DenseMatrix(y.length, 1, y), xTest, yTest == null ? null
              : new DenseMatrix(yTest.length, 1, yTest), b), new DeepSgdOptions(widths,
              sgd.epochs(), sgd.batchSize(), sgd.learningRate(), sgd.optimizer(),
              sgd.momentum(), false, sgd.seed()), inits));
      double wall = (System.nanoTime() - wallStart) * 1e-9;
      runs.sort((p, q) -> Integer.compare(p.init(), q.init()));

      Map<String, String> files = new LinkedHashMap<>();
      files.put("summary.json", summary(runs, sgd, widths, inits, loss, b, betaMax, x, test,
          bias, data.description(), wall));
      for (InitRun r : runs) {
        files.put("init-" + r.init() + "/history.csv", r.historyCsv());
        files.put("init-" + r.init() + "/network.csv", r.networkCsv());
      }
      job.io().writeAtomically(out, files, overwrite);
      LOG.info("wrote {}", out);
    }
  }

  private static List<InitRun> twoLayer(JobContext job, DenseMatrix x, double[] y,
      DenseMatrix xTest, double[] yTest, Loss loss, double beta, SgdOptions sgd, int inits) {
    List<DistributedSgd.Init> tasks = new ArrayList<>();
    for (int k = 0; k < inits; k++) {
      tasks.add(new DistributedSgd.Init(sgd.neurons(), k));
    }
    return DistributedSgd.run(job.spark(), DistributedSgd.SgdData.of(x, y, xTest, yTest, loss,
        beta), sgd, tasks);
  }

  static String summary(List<InitRun> runs, SgdOptions o, int[] widths, int inits, Loss loss,
      double beta, double betaMax, DenseMatrix x, LabeledData test, boolean bias, String data,
      double wall) {
    ObjectNode s = SummaryJson.object();
    ArrayNode arr = s.putArray("inits");
    double[] objectives = new double[runs.size()];
    double[] testAcc = new double[runs.size()];
    double trainSeconds = 0.0;
    long samples = 0;
    for (int i = 0; i < runs.size(); i++) {
      InitRun r = runs.get(i);
      double[] last = r.last();
      ObjectNode e = arr.addObject();
      e.put("init", r.init());
      e.put("seed", r.seed());
      e.put("objective", last[2]);
      SummaryJson.putFinite(e, "trainAccuracy", last[3]);
      SummaryJson.putFinite(e, "testAccuracy", last[4]);
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
    SummaryJson.putFinite(s, "medianTestAccuracy", median(testAcc));
    s.put("samplesPerSecond", trainSeconds > 0 ? samples / trainSeconds : 0.0);
    s.put("wallSeconds", wall);
    s.put("neurons", o.neurons());
    if (widths.length > 1) {
      s.put("layers", widths.length + 1);
      ArrayNode w = s.putArray("widths");
      Arrays.stream(widths).forEach(w::add);
    }
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
    SummaryJson.putFinite(s, "betaMax", betaMax);
    s.put("bias", bias);
    s.put("n", x.rows());
    s.put("d", x.cols() - (bias ? 1 : 0));
    if (test != null) {
      s.put("nTest", test.n());
    }
    s.put("data", data);
    s.put("blas", Blas.backend());
    return SummaryJson.write(s);
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
}
