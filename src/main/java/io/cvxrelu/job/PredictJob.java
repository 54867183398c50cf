package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.DataFormat;
import io.cvxrelu.data.DataSpec;
import io.cvxrelu.data.DistributedInput;
import io.cvxrelu.data.IdentifiedInput;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.scoring.ScoreSums;
import io.cvxrelu.scoring.Scorer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SaveMode;

/**
 * {@code jobs/predict.sh}: scores data with a saved model, as a scheduled pipeline does after
 * training. The model folder is a train-convex output or a saved Spark ML model; the data are
 * read on the executors in any input format, preprocessed as the training rows were, and
 * scored block by block ({@link ScoredBlocks}). Writes {@code predictions/} (Parquet or CSV:
 * row, or the {@code --id-columns} of an input with named columns, then label, output f(x),
 * prediction, and probability for a logistic model) and
 * {@code metrics.json} (accuracy or MSE on the data's labels), atomically.
 *
 * <p>Exit codes as every job: 0 success, 2 usage, 3 data (a missing or incomplete model
 * folder, a feature count other than the model's, a bad record), 4 output, 1 otherwise.
 */
public final class PredictJob {
  private static final Logger LOG = LogManager.getLogger(PredictJob.class);
  /** The folder of prediction part files inside the output. */
  static final String PREDICTIONS = "predictions";
  static final String METRICS = "metrics.json";

  private PredictJob() {}

  static JobOptions options() {
    JobOptions opts = new JobOptions(
        "Usage: predict.sh --model DIR --data PATH --out DIR [options]\n"
        + "Scores PATH with the model in DIR (a train-convex output or a saved Spark ML model),\n"
        + "reading the rows on the executors, and writes predictions/ and metrics.json to OUT.")
        .option("model", null, "model folder: train-convex's --out, or a saved Spark ML model")
        .option("data", null, "data to score: CSV (label first), LIBSVM, Parquet, a CIFAR-10"
            + " batch file or an IDX images file")
        .option("format", "auto", "auto|csv|libsvm|parquet|cifar10|idx, as train-convex")
        .option("classes", null, "two classes for cifar10/idx, positive first, as in training")
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("output-format", "parquet", "parquet | csv (with a header line)")
        .option("partitions", "0", "input partitions (0: Spark's default parallelism; the same"
            + " value as train-convex gives its test metrics to the last bit)")
        .option("id-columns", null, "columns a,b of a CSV with a header or of Parquet to keep"
            + " beside the predictions (default: a 'row' column, the 0-based input position)");
    return JobContext.declareMaster(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("predict", options(), args, PredictJob::execute);
  }

  private static void execute(JobOptions opts) {
    String modelDir = opts.require("model");
    opts.require("data");
    String out = opts.require("out");
    String outputFormat = opts.get("output-format").toLowerCase(Locale.ROOT);
    if (!outputFormat.equals("parquet") && !outputFormat.equals("csv")) {
      throw new UsageException("--output-format must be parquet or csv, got '"
          + opts.get("output-format") + "'");
    }
    boolean overwrite = opts.flagSet("overwrite");
    try (JobContext job = JobContext.open("predict", opts)) {
      job.io().checkOutput(out, overwrite);
      Scorer scorer = SavedModel.read(job.io(), job.spark().sparkContext().hadoopConfiguration(),
          modelDir);
      LOG.info("model {}: {} {}, {} patterns, {} features{}", modelDir,
          scorer.model().formulation().id(), scorer.model().loss(),
          scorer.model().patternCount(), scorer.rawDimension(),
          scorer.classification() ? ", a classifier" : "");
      try {
        score(job, opts, scorer, out, outputFormat, overwrite);
      } catch (Exception e) {
        // Scala throws the checked SparkException undeclared: an executor's bad record surfaces
        // wrapped, here or in the writer.
        Optional<DataFormatException> data = DistributedInput.unwrap(e);
        if (data.isPresent()) {
          throw data.get();
        }
        throw e;
      }
      LOG.info("wrote {}", out);
    }
  }

  private static void score(JobContext job, JobOptions opts, Scorer scorer, String out,
      String outputFormat, boolean overwrite) {
    job.describe("cvxrelu: read data");
    List<String> ids = idColumns(opts);
    Stages stages = new Stages();
    // The identifier columns' types are known after the read only; the SQL session state the
    // warm-up builds is the same for every schema.
    // (Not needed when the column writer writes the predictions: no DataFrame is planned.)
    boolean rowWriter = !ids.isEmpty() || !outputFormat.equals("parquet")
        || columnWriter(job, scorer) == null;
    PlannerWarmUp warmUp = rowWriter ? PlannerWarmUp.start(job.spark(),
        ScoredBlocks.schema(null, scorer.probabilistic())) : null;
    if (ids.isEmpty()) {
      try (DistributedInput.Loaded data = load(job, opts, scorer)) {
        stages.done("read and block");
        try (ScoredBlocks scored = ScoredBlocks.score(checked(data.train(), scorer), scorer)) {
          write(job, opts, scorer, scored, new Target(out, outputFormat, overwrite), stages);
        }
      }
    } else {
      try (IdentifiedInput.Identified data = loadIdentified(job, opts, ids)) {
        stages.done("read and block");
        try (ScoredBlocks scored = ScoredBlocks.score(checked(data, scorer), scorer)) {
          write(job, opts, scorer, scored, new Target(out, outputFormat, overwrite), stages);
        }
      }
    }
    if (warmUp != null) {
      warmUp.await();
    }
    LOG.info("seconds, wall (cpu of this JVM): {}", stages);
  }

  /** Spark option that sends Parquet predictions through Spark's row writer (default false). */
  static final String ROW_WRITER = "spark.cvxrelu.predict.rowWriter";

  /**
   * The settings of the column writer ({@link PredictionParquet}) for Parquet predictions, or
   * null for Spark's row writer: with {@value #ROW_WRITER}, or a compression codec parquet-mr
   * does not know. Rows with identifier columns take the row writer whatever this says.
   */
  private static PredictionParquet.Settings columnWriter(JobContext job, Scorer scorer) {
    var conf = job.spark().conf();
    if (Boolean.parseBoolean(conf.get(ROW_WRITER, "false"))) {
      return null;
    }
    return PredictionParquet.Settings.of(job.spark().sparkContext().hadoopConfiguration(),
        conf.get("spark.sql.parquet.compression.codec", "snappy"), scorer.probabilistic(),
        ScoredBlocks.schema(null, scorer.probabilistic()));
  }

  /** Where and how the predictions go. */
  private record Target(String out, String format, boolean overwrite) {}

  /**
   * Seconds per stage of a run, logged in one line at its end (docs/pipelines.md sets them
   * beside a training pass): wall, and the CPU of this JVM's threads, which in local mode are
   * the executors' too and which, unlike the wall, another process's load does not stretch.
   */
  private static final class Stages {
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private final StringBuilder line = new StringBuilder();
    private long lastWall = System.nanoTime();
    private long lastCpu = OS.getProcessCpuTime();

    void done(String stage) {
      long wall = System.nanoTime();
      long cpu = OS.getProcessCpuTime();
      line.append(line.length() == 0 ? "" : ", ").append(stage).append(String.format(
          Locale.ROOT, " %.2f (cpu %.2f)", (wall - lastWall) * 1e-9, (cpu - lastCpu) * 1e-9));
      lastWall = wall;
      lastCpu = cpu;
    }

    @Override
    public String toString() {
      return line.toString();
    }
  }

  /** The --id-columns, checked against the prediction columns they are written beside. */
  private static List<String> idColumns(JobOptions opts) {
    String value = opts.get("id-columns");
    if (value == null) {
      return List.of();
    }
    List<String> ids = Arrays.stream(value.split(",")).map(String::strip).toList();
    for (String id : ids) {
      if (id.isEmpty() || List.of(ScoredBlocks.ROW, ScoredBlocks.LABEL, ScoredBlocks.OUTPUT,
          ScoredBlocks.PREDICTION, ScoredBlocks.PROBABILITY).contains(id)) {
        throw new UsageException("--id-columns: '" + id + "' cannot be an id column (the "
            + "predictions have row, label, output, prediction and probability columns)");
      }
    }
    return ids;
  }

  private static IdentifiedInput.Identified loadIdentified(JobContext job, JobOptions opts,
      List<String> ids) {
    if (opts.get("classes") != null) {
      throw new UsageException("--id-columns needs named columns (CSV with a header line, or "
          + "Parquet); image rows have none and are written with their 'row' position");
    }
    String data = opts.require("data");
    int partitions = (int) Math.min(Integer.MAX_VALUE, opts.anyLong("partitions"));
    try {
      DataFormat format = DataFormat.of(opts.get("format")).resolve(data,
          job.spark().sparkContext().hadoopConfiguration());
      return IdentifiedInput.read(job.spark(), format, data, ids,
          partitions > 0 ? partitions : job.defaultParallelism(), DataSpec.DEFAULT_BLOCK_ROWS);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void write(JobContext job, JobOptions opts, Scorer scorer,
      ScoredBlocks scored, Target to, Stages stages) {
    try (StagedOutput staged = StagedOutput.open(
        job.spark().sparkContext().hadoopConfiguration(), to.out(), to.overwrite())) {
      ScoreSums sums = scored.sums();
      stages.done("score and sum metrics");
      job.describe("cvxrelu: write predictions");
      String target = staged.path(PREDICTIONS);
      if (to.format().equals("csv")) {
        scored.rows(job.spark()).write().mode(SaveMode.ErrorIfExists).option("header", "true")
            .csv(target);
      } else if (!scored.writeParquet(target, columnWriter(job, scorer))) {
        scored.rows(job.spark()).write().mode(SaveMode.ErrorIfExists).parquet(target);
      }
      stages.done("write " + to.format());
      staged.write(METRICS, metrics(scorer, sums, opts, to.format()));
      staged.commit();
      stages.done("commit");
      LOG.info("scored {} rows{}", sums.rows(), Double.isNaN(sums.accuracy()) ? ""
          : ", accuracy " + sums.accuracy());
    }
  }

  private static DistributedInput.Loaded load(JobContext job, JobOptions opts, Scorer scorer) {
    DataSpec spec = spec(job, opts, scorer);
    try {
      return DistributedInput.load(job.spark(), spec);
    } catch (IllegalArgumentException e) {
      // load's own usage errors: classes with a text format, an unknown class.
      throw new UsageException(e.getMessage());
    }
  }

  /** The data options as train-convex reads its test part: raw rows, the model's dimension. */
  private static DataSpec spec(JobContext job, JobOptions opts, Scorer scorer) {
    int partitions = (int) Math.min(Integer.MAX_VALUE, opts.anyLong("partitions"));
    try {
      return DataSpec.builder(DataFormat.of(opts.get("format")), opts.require("data"), null)
          .classes(opts.get("classes"))
          // The preprocessing is the model's, fitted on its training rows: none is refitted.
          .standardise(DataSpec.Standardise.FALSE)
          .numFeatures(scorer.rawDimension())
          .layout(partitions > 0 ? partitions : job.defaultParallelism(),
              DataSpec.DEFAULT_BLOCK_ROWS)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The data's rows, when their width is the model's. */
  private static BlockedDataset checked(BlockedDataset data, Scorer scorer) {
    checkWidth(data.d(), data.source(), scorer);
    return data;
  }

  private static IdentifiedInput.Identified checked(IdentifiedInput.Identified data,
      Scorer scorer) {
    checkWidth(data.d(), data.source(), scorer);
    return data;
  }

  private static void checkWidth(int d, String source, Scorer scorer) {
    if (d != scorer.rawDimension()) {
      throw new DataFormatException("--data " + source + " has " + d
          + " features but the model expects " + scorer.rawDimension());
    }
  }

  private static String metrics(Scorer scorer, ScoreSums sums, JobOptions opts,
      String outputFormat) {
    ObjectNode m = SummaryJson.object();
    m.put("rows", sums.rows());
    if (scorer.classification()) {
      SummaryJson.putFinite(m, "accuracy", sums.accuracy());
    } else {
      m.put("mse", sums.mse());
    }
    m.put("meanLoss", sums.meanLoss());
    m.put("classification", scorer.classification());
    m.put("model", scorer.model().formulation().id());
    m.put("loss", scorer.model().loss());
    m.put("modelFolder", opts.get("model"));
    m.put("data", opts.get("data"));
    m.put("predictions", PREDICTIONS + " (" + outputFormat + ")");
    return SummaryJson.write(m);
  }
}
