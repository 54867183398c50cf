package io.cvxrelu.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.TransformJson;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.ClassList;
import io.cvxrelu.multiclass.GatedVectorNetwork;
import io.cvxrelu.multiclass.MultiOutputFista;
import io.cvxrelu.multiclass.MultiOutputLoss;
import io.cvxrelu.multiclass.MultiOutputProblem;
import io.cvxrelu.multiclass.MultiOutputResult;
import io.cvxrelu.multiclass.MulticlassTargets;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.ProblemSetup;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/train-multiclass.sh}: trains the vector-output gated convex network
 * ({@link MultiOutputProblem}: group lasso over d x c blocks per sign pattern, Sahiner et al.
 * 2021; Mishkin, Sahiner and Pilanci 2022) on c classes of CIFAR-10 or an IDX set (MNIST,
 * Fashion-MNIST) with one-hot squared loss or softmax cross-entropy, solved by
 * {@link MultiOutputFista} to a certified relative duality gap, on the driver (no Spark).
 * {@code --model relu} trains the cone-constrained program instead ({@link ReluMulticlassRun}).
 *
 * <p>Pixels / 255 are standardised with training statistics, optionally reduced by PCA
 * ({@code --reduce K}), and a bias column is appended. Writes {@code summary.json} (objective,
 * dual bound, certified gap, stop reason, accuracies), {@code metrics.json}, {@code model.json}
 * (preprocessing, class names, the active gates and d x c blocks) and {@code history.csv},
 * atomically. Exit codes as for every job: 2 usage (an unknown class among them), 3 data,
 * 4 output.
 */
public final class TrainMulticlassJob {
  private static final Logger LOG = LogManager.getLogger(TrainMulticlassJob.class);

  private TrainMulticlassJob() {}

  static JobOptions options() {
    return new JobOptions(
        "Usage: train-multiclass.sh --train PATH --out DIR [options]\n"
        + "Trains the vector-output gated convex ReLU network (group lasso over d x c blocks),\n"
        + "or with --model relu the cone-constrained ReLU program, on c classes of CIFAR-10 or\n"
        + "an IDX image set and writes the model and its certificate to DIR.")
        .option("train", null, "cifar-10-batches-bin folder, or an IDX images file "
            + "(*images-idx3*[.gz], labels from the matching *labels-idx1* file)")
        .option("test", null, "test data: a CIFAR-10 test batch or folder, or an IDX images "
            + "file (default: CIFAR-10 test_batch.bin; IDX: the rows after --split)")
        .option("format", "auto", "auto | cifar10 | idx (auto: cifar10 for a folder)")
        .option("classes", "all", "'all' or a list of class names or indices, e.g. 0,1,2")
        .option("split", "0", "IDX without --test: the first K rows of the selected classes "
            + "train, the rest test (0: half)")
        .option("train-size", "0", "use N training rows (0: all; CIFAR-10: N/c per class)")
        .option("test-size", "0", "use N test rows (0: all; CIFAR-10: N/c per class)")
        .option("reduce", "0", "PCA to K dimensions after standardising (0: none)")
        .option("model", "gated", "gated (group lasso over d x c blocks) | relu (cone-"
            + "constrained, a block pair per pattern and class; squared: c certified scalar "
            + "solves, softmax: augmented Lagrangian)")
        .option("loss", "softmax", "softmax (cross-entropy) | squared (one-hot targets)")
        .option("beta", null, "regularisation strength beta > 0")
        .option("beta-frac", "0.001", "beta as a fraction of beta_max, used when --beta is "
            + "absent")
        .option("patterns", "100", "sign patterns sampled (Gaussian gates)")
        .option("tol", "1e-6", "target relative duality gap")
        .option("max-iter", "20000", "FISTA step budget (relu: per scalar solve, or in all)")
        .option("max-seconds", "1800", "wall-clock budget of the solver")
        .option("seed", "0", "seed of the gates and the PCA")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("train-multiclass", options(), args, TrainMulticlassJob::execute);
  }

  private static void execute(JobOptions opts) {
    String trainPath = opts.require("train");
    String out = opts.require("out");
    MultiOutputLoss loss = MulticlassData.parse(() -> MultiOutputLoss.forName(
        opts.require("loss")));
    int patterns = (int) opts.positiveLong("patterns");
    int reduce = (int) MulticlassData.nonNegative(opts, "reduce");
    long seed = opts.anyLong("seed");
    SolverOptions solver = MulticlassData.parse(() -> new SolverOptions(
        opts.positiveDouble("tol"), 1e-9,
        opts.positiveLong("max-iter"), opts.positiveDouble("max-seconds")));
    boolean overwrite = opts.flagSet("overwrite");
    String model = opts.get("model");
    if (!model.equals("gated") && !model.equals("relu")) {
      throw new UsageException("--model must be gated or relu, got '" + model + "'");
    }
    HadoopIo io = new HadoopIo(new Configuration());
    io.checkOutput(out, overwrite);
    long wallStart = System.nanoTime();

    MulticlassData.Split data = MulticlassData.read(io, opts, trainPath);
    MulticlassData.Design design = MulticlassData.design(data, reduce, seed);
    FeatureTransform transform = design.transform();
    DenseMatrix x = design.x();
    DenseMatrix xTest = design.xTest();
    int c = data.classes().count();
    DenseMatrix y = design.y();
    SignPatterns gates = SignPatterns.sample(x, patterns, seed,
        ProblemSetup.samplingBudget(patterns));
    if (model.equals("relu")) {
      ReluMulticlassRun run = ReluMulticlassRun.train(x, y, xTest, data.train().classes(),
          data.test().classes(), gates, loss,
          opts.get("beta") != null ? opts.positiveDouble("beta") : null,
          opts.positiveDouble("beta-frac"), solver, data.classes().names(), transform);
      ObjectNode summary = SummaryJson.object();
      summary.put("job", "train-multiclass");
      summary.put("data", data.description());
      ArrayNode names = summary.putArray("classes");
      Arrays.stream(data.classes().names()).forEach(names::add);
      summary.setAll(run.summary());
      write(io, out, overwrite, summary, metrics(run.trainAccuracy(), run.testAccuracy(), x,
          xTest), run.model(), run.result().history(), wallStart);
      return;
    }
    MultiOutputProblem problem = new MultiOutputProblem(x, y, gates, loss, 1.0);
    double betaMax = problem.betaMax();
    double beta = opts.get("beta") != null ? opts.positiveDouble("beta")
        : opts.positiveDouble("beta-frac") * betaMax;
    problem = problem.withBeta(beta);
    LOG.info("{}: n={} d={} c={} P={} loss={} beta={} ({} beta_max), BLAS {}",
        data.description(), x.rows(), x.cols(), c, gates.count(), loss.name(), beta,
        beta / betaMax, Blas.backend());

    final int[] logged = {0};
    MultiOutputResult result = new MultiOutputFista().solve(problem, null, solver, rec -> {
      if (logged[0]++ % 50 == 0) {
        LOG.info("step {}: objective {} gap {} ({} s)", rec.iteration(), rec.objective(),
            rec.relativeGap(), String.format("%.1f", rec.seconds()));
      }
      return true;
    });
    GatedVectorNetwork network = GatedVectorNetwork.recover(problem, result.weights());
    double trainAcc = MulticlassTargets.accuracy(problem.predict(result.weights()),
        data.train().classes());
    double testAcc = MulticlassTargets.accuracy(network.predict(xTest), data.test().classes());
    LOG.info("{} after {} steps, {} s: objective {} gap {}; accuracy train {} test {}",
        result.stopReason(), result.iterations(), result.seconds(),
        result.certificate().objective(), result.certificate().relativeGap(), trainAcc, testAcc);

    write(io, out, overwrite, summary(problem, result, network, data, betaMax, solver),
        metrics(trainAcc, testAcc, x, xTest),
        model(problem, result.weights(), data.classes(), transform), result.history(),
        wallStart);
  }

  private static ObjectNode metrics(double trainAcc, double testAcc, DenseMatrix x,
      DenseMatrix xTest) {
    ObjectNode metrics = SummaryJson.object();
    metrics.put("trainAccuracy", trainAcc);
    metrics.put("testAccuracy", testAcc);
    metrics.put("nTrain", x.rows());
    metrics.put("nTest", xTest.rows());
    return metrics;
  }

  /** summary.json (with the metrics and the wall time), metrics.json, model.json, history. */
  private static void write(HadoopIo io, String out, boolean overwrite, ObjectNode summary,
      ObjectNode metrics, String model, List<IterationRecord> history, long wallStart) {
    summary.setAll(metrics);
    summary.put("totalSeconds", (System.nanoTime() - wallStart) * 1e-9);
    Map<String, String> files = new LinkedHashMap<>();
    files.put("summary.json", SummaryJson.write(summary));
    files.put("metrics.json", SummaryJson.write(metrics));
    files.put("model.json", model);
    files.put("history.csv", history(history));
    io.writeAtomically(out, files, overwrite);
    LOG.info("wrote {}", out);
  }

  private static ObjectNode summary(MultiOutputProblem problem, MultiOutputResult result,
      GatedVectorNetwork network, MulticlassData.Split data, double betaMax,
      SolverOptions solver) {
    ObjectNode s = SummaryJson.object();
    s.put("job", "train-multiclass");
    s.put("data", data.description());
    ArrayNode names = s.putArray("classes");
    Arrays.stream(data.classes().names()).forEach(names::add);
    s.put("formulation", "gated");
    s.put("loss", problem.loss().name());
    s.put("n", problem.n());
    s.put("d", problem.d());
    s.put("outputs", problem.outputs());
    s.put("patterns", problem.patternCount());
    s.put("beta", problem.beta());
    s.put("betaMax", betaMax);
    s.put("betaFrac", problem.beta() / betaMax);
    s.put("objective", result.certificate().objective());
    SummaryJson.putFinite(s, "lowerBound", result.certificate().lowerBound());
    SummaryJson.putFinite(s, "relativeGap", result.certificate().relativeGap());
    s.put("tolerance", solver.tolerance());
    s.put("certified", result.certified());
    s.put("stopReason", result.stopReason().name());
    s.put("iterations", result.iterations());
    s.put("solverSeconds", result.seconds());
    s.put("activeBlocks", problem.activeBlocks(result.weights()));
    s.put("neurons", network.neurons());
    double excess = GatedVectorNetwork.rankExcess(problem, result.weights());
    s.put("rankExcess", excess);
    s.put("networkObjective", result.certificate().objective() + problem.beta() * excess);
    s.put("blas", Blas.backend());
    return s;
  }

  /** Preprocessing, classes and the active patterns: gate g_i and block W_i (d x c, rows). */
  private static String model(MultiOutputProblem problem, DenseMatrix w, ClassList classes,
      FeatureTransform transform) {
    ObjectNode m = SummaryJson.object();
    m.put("format", "cvxrelu-multiclass");
    m.put("version", 1);
    m.put("formulation", "gated");
    m.put("loss", problem.loss().name());
    m.put("beta", problem.beta());
    m.put("bias", true);
    ArrayNode names = m.putArray("classes");
    Arrays.stream(classes.names()).forEach(names::add);
    try {
      m.set("preprocessing", new ObjectMapper().readTree(TransformJson.write(transform)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ArrayNode blocks = m.putArray("patterns");
    int c = problem.outputs();
    for (int i = 0; i < problem.patternCount(); i++) {
      if (problem.blockNorm(w, i) == 0.0) {
        continue;
      }
      ObjectNode b = blocks.addObject();
      b.put("index", i);
      ArrayNode gate = b.putArray("gate");
      for (double v : problem.patterns().gates().column(i)) {
        gate.add(v);
      }
      ArrayNode rows = b.putArray("block");
      for (int r = 0; r < problem.d(); r++) {
        ArrayNode row = rows.addArray();
        for (int j = 0; j < c; j++) {
          row.add(w.get(r, i * c + j));
        }
      }
    }
    return SummaryJson.write(m);
  }

  private static String history(List<IterationRecord> records) {
    StringBuilder sb = new StringBuilder(IterationRecord.CSV_HEADER).append('\n');
    records.forEach(r -> sb.append(r.toCsv()).append('\n'));
    return sb.toString();
  }
}
