package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.io.TransformJson;
import io.cvxrelu.ml.ConvexReluClassificationModel;
import io.cvxrelu.ml.ConvexReluClassifier;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict.sh against its two independent answers: the model's own predictions in memory (the
 * model.json and preprocessing.json read back, the rows read on the driver) and the test
 * metrics train-convex wrote for the same rows. Bad inputs give one line, an exit code and no
 * output folder.
 */
class PredictJobTest {
  private static final String TRAIN = "data-samples/planted_n300_d5.csv";
  private static final String TEST = "data-samples/planted_n300_d5_test.csv";
  private static SparkSession spark;

  /** The sample's train-convex run (ReLU, squared loss, single node), shared by the tests. */
  @TempDir
  static Path shared;
  private static Path sampleModel;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
    sampleModel = shared.resolve("relu");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", TRAIN, "--test", TEST,
        "--out", sampleModel.toString(), "--model", "relu", "--patterns", "20", "--bias",
        "--solver", "local"}));
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  private static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  private static LabeledData csv(String file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(Path.of(file))) {
      return TextDataReader.readCsv(r, file);
    }
  }

  /** n rows "y,a,b,c" with 0/1 labels from a ReLU teacher, features on different scales. */
  private Path classes(String name, int n, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double a = rng.nextGaussian() * 3 + 1;
      double b = rng.nextGaussian() * 0.1;
      double c = rng.nextGaussian();
      double f = Math.max(0, (a - 1) / 3 - 5 * b) - Math.max(0, c + 0.3) + 0.3
          + 0.3 * rng.nextGaussian();
      sb.append(f > 0 ? 1 : 0).append(',').append(a).append(',').append(b).append(',')
          .append(c).append('\n');
    }
    Path p = tmp.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  /** The model of a train-convex folder with its preprocessing, as written. */
  private static double[] inMemory(Path modelDir, LabeledData rows) throws IOException {
    ConvexReluModel model = ModelJson.read(Files.readString(modelDir.resolve("model.json")),
        "model.json");
    FeatureTransform t = TransformJson.read(Files.readString(
        modelDir.resolve("preprocessing.json")), "preprocessing.json");
    return model.predict(t.apply(rows.x()));
  }

  /** The prediction rows, ordered by their input position. */
  private static List<Row> predictions(Path out, boolean csv) {
    String dir = out.resolve(PredictJob.PREDICTIONS).toString();
    Dataset<Row> df = csv ? spark.read().option("header", "true").option("inferSchema", "true")
        .csv(dir) : spark.read().parquet(dir);
    return df.orderBy(ScoredBlocks.ROW).collectAsList();
  }

  @Test
  void reproducesTheSampleRunsPredictionsAndTestMse() throws IOException {
    Path model = sampleModel;
    Path out = tmp.resolve("scored");
    assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data", TEST,
        "--out", out.toString(), "--output-format", "csv"}));

    LabeledData test = csv(TEST);
    double[] expected = inMemory(model, test);
    List<Row> rows = predictions(out, true);
    assertEquals(test.n(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      assertEquals(i, ((Number) r.getAs(ScoredBlocks.ROW)).longValue());
      assertEquals(test.y()[i], ((Number) r.getAs(ScoredBlocks.LABEL)).doubleValue(), 0.0);
      double f = ((Number) r.getAs(ScoredBlocks.OUTPUT)).doubleValue();
      assertEquals(expected[i], f, 1e-12 * Math.max(1.0, Math.abs(expected[i])), "row " + i);
      assertEquals(f, ((Number) r.getAs(ScoredBlocks.PREDICTION)).doubleValue(), 0.0);
    }
    JsonNode summary = json(model.resolve("summary.json"));
    JsonNode metrics = json(out.resolve(PredictJob.METRICS));
    double mse = summary.get("testMse").asDouble();
    // The training run summed the squared errors over one array, the scoring run per block.
    assertEquals(mse, metrics.get("mse").asDouble(), 1e-12 * mse);
    assertEquals(test.n(), metrics.get("rows").asLong());
    assertFalse(metrics.has("accuracy"));
  }

  @Test
  void executorPathGatedLogisticWithStandardisationGivesTheSameAccuracy() throws IOException {
    Path train = classes("train.csv", 200, 1);
    Path test = classes("test.csv", 300, 2);
    Path model = tmp.resolve("gated");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", train.toString(), "--test",
        test.toString(), "--out", model.toString(), "--model", "gated", "--loss", "logistic",
        "--patterns", "10", "--bias", "--standardize", "true", "--solver", "distributed",
        "--partitions", "2", "--seed", "4", "--max-iter", "30"}));
    JsonNode pre = json(model.resolve("preprocessing.json"));
    assertTrue(pre.get("standardised").asBoolean(), pre.toString());
    Path out = tmp.resolve("scored");
    assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data",
        test.toString(), "--out", out.toString(), "--partitions", "2"}));

    JsonNode summary = json(model.resolve("summary.json"));
    JsonNode metrics = json(out.resolve(PredictJob.METRICS));
    // The same blocks, the same arithmetic and the same merge order as the training run.
    assertEquals(summary.get("testAccuracy").asDouble(), metrics.get("accuracy").asDouble(),
        0.0);
    assertTrue(metrics.get("accuracy").asDouble() > 0.7, metrics.toString());

    LabeledData rows = csv(test.toString());
    double[] expected = inMemory(model, rows);
    List<Row> scored = predictions(out, false);
    assertEquals(rows.n(), scored.size());
    for (int i = 0; i < scored.size(); i++) {
      Row r = scored.get(i);
      double f = r.getDouble(r.fieldIndex(ScoredBlocks.OUTPUT));
      assertEquals(expected[i], f, 1e-12 * Math.max(1.0, Math.abs(expected[i])), "row " + i);
      assertEquals(f > 0 ? 1.0 : -1.0, r.getDouble(r.fieldIndex(ScoredBlocks.PREDICTION)));
      assertEquals(1.0 / (1.0 + Math.exp(-f)),
          r.getDouble(r.fieldIndex(ScoredBlocks.PROBABILITY)), 1e-15);
    }
  }

  @Test
  void scoresASavedSparkMlClassifierAsTheModelItself() throws IOException {
    Dataset<Row> train = spark.read().option("inferSchema", "true").csv(TRAIN)
        .toDF("label", "x1", "x2", "x3", "x4", "x5")
        .withColumn("label", functions.when(functions.col("label").gt(0), 1.0).otherwise(0.0));
    Dataset<Row> assembled = new VectorAssembler().setInputCols(new String[] {"x1", "x2", "x3",
        "x4", "x5"}).setOutputCol("features").transform(train);
    ConvexReluClassificationModel fitted = new ConvexReluClassifier().setFormulation("gated")
        .setPatterns(10).setBias(true).setSeed(2).setMaxIter(100).fit(assembled);
    Path saved = tmp.resolve("ml-model");
    fitted.save(saved.toString());
    StringBuilder zeroOne = new StringBuilder();
    for (String line : Files.readAllLines(Path.of(TRAIN))) {
      int comma = line.indexOf(',');
      zeroOne.append(Double.parseDouble(line.substring(0, comma)) > 0 ? "1" : "0")
          .append(line.substring(comma)).append('\n');
    }
    Path data = tmp.resolve("zero-one.csv");
    Files.writeString(data, zeroOne.toString());
    Path out = tmp.resolve("scored");
    assertEquals(0, PredictJob.run(new String[] {"--model", saved.toString(), "--data",
        data.toString(), "--out", out.toString()}));

    // The fitted model's own outputs on the same rows, in memory: f(x) and its class.
    io.cvxrelu.linalg.DenseMatrix x = csv(TRAIN).x();
    double[] own = fitted.convexModel().predict(x);
    List<Row> scored = predictions(out, false);
    assertEquals(own.length, scored.size());
    for (int i = 0; i < scored.size(); i++) {
      Row r = scored.get(i);
      double f = r.getDouble(r.fieldIndex(ScoredBlocks.OUTPUT));
      assertEquals(own[i], f, 1e-12 * Math.max(1.0, Math.abs(own[i])), "row " + i);
      // Spark ML's class 1 / 0 is predict.sh's +1 / -1.
      double ownClass = fitted.predict(org.apache.spark.ml.linalg.Vectors.dense(x.row(i)));
      assertEquals(ownClass == 1.0 ? 1.0 : -1.0,
          r.getDouble(r.fieldIndex(ScoredBlocks.PREDICTION)), "row " + i);
    }
    JsonNode metrics = json(out.resolve(PredictJob.METRICS));
    assertTrue(metrics.get("classification").asBoolean());
    assertTrue(metrics.has("accuracy"));
  }

  private final List<PredictRun> runs = new ArrayList<>();

  private PredictRun predict(String... args) {
    PredictRun r = PredictRun.of(args);
    runs.add(r);
    return r;
  }

  @Test
  void theColumnWriterWritesWhatSparksRowWriterWrites() throws IOException {
    Path column = tmp.resolve("column");
    Path row = tmp.resolve("row");
    assertEquals(0, PredictJob.run(new String[] {"--model", sampleModel.toString(), "--data",
        TEST, "--out", column.toString(), "--partitions", "3"}));
    spark.conf().set(PredictJob.ROW_WRITER, "true");
    try {
      assertEquals(0, PredictJob.run(new String[] {"--model", sampleModel.toString(), "--data",
          TEST, "--out", row.toString(), "--partitions", "3"}));
    } finally {
      spark.conf().unset(PredictJob.ROW_WRITER);
    }
    Dataset<Row> a = spark.read().parquet(column.resolve(PredictJob.PREDICTIONS).toString());
    Dataset<Row> b = spark.read().parquet(row.resolve(PredictJob.PREDICTIONS).toString());
    assertEquals(b.schema(), a.schema());
    assertEquals(predictions(row, false), predictions(column, false));
    // One file per partition, of the first attempts, and nothing else.
    try (var files = Files.list(column.resolve(PredictJob.PREDICTIONS))) {
      List<String> names = files.map(f -> f.getFileName().toString())
          .filter(n -> !n.startsWith(".")).sorted().toList();
      assertEquals(3, names.size(), names.toString());
      names.forEach(n -> assertTrue(n.matches("part-0000[0-2]-.*-a0\\.snappy\\.parquet"), n));
    }
    assertEquals(Files.readString(row.resolve(PredictJob.METRICS)),
        Files.readString(column.resolve(PredictJob.METRICS)));
  }

  @Test
  void theFilesOfAttemptsTheDriverDidNotHearFromAreDeleted() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("parts"));
    Files.writeString(dir.resolve("part-00000-j-a0.snappy.parquet"), "kept");
    Files.writeString(dir.resolve("part-00000-j-a1.snappy.parquet"), "a lost speculative copy");
    Files.writeString(dir.resolve("part-00001-j-a0.snappy.parquet"), "a failed attempt");
    Files.writeString(dir.resolve("part-00001-j-a1.snappy.parquet"), "kept");
    org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(dir.toString());
    ScoredBlocks.keepOnly(folder.getFileSystem(spark.sparkContext().hadoopConfiguration()),
        folder, List.of("part-00000-j-a0.snappy.parquet", "part-00001-j-a1.snappy.parquet"));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("part-00000-j-a0.snappy.parquet", "part-00001-j-a1.snappy.parquet"),
          files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith("."))
              .sorted().toList());
    }
  }

  @Test
  void onAnObjectStoreTheOutputIsCommittedByManifest() throws IOException {
    Path model = sampleModel;
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.set(ManifestCommit.MODE, "manifest");
    Path out = tmp.resolve("scored");
    try {
      assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data", TEST,
          "--out", out.toString()}));
    } finally {
      conf.unset(ManifestCommit.MODE);
    }
    assertTrue(Files.exists(out.resolve(ManifestCommit.SUCCESS)));
    assertFalse(Files.exists(out.resolve(ManifestCommit.PENDING)));
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(out.toString());
    ManifestCommit.verify(dir.getFileSystem(conf), dir);
    assertTrue(ManifestCommit.digests(dir.getFileSystem(conf), dir).containsKey(
        PredictJob.METRICS));
  }

  @Test
  void badInputIsOneLineAnExitCodeAndNoOutput() throws IOException {
    Path model = sampleModel;
    Path out = tmp.resolve("never");

    Path incomplete = tmp.resolve("incomplete");
    Files.createDirectories(incomplete);
    Files.copy(model.resolve("model.json"), incomplete.resolve("model.json"));
    PredictRun r = predict("--model", incomplete.toString(), "--data", TEST, "--out",
        out.toString());
    assertEquals(3, r.code(), r.stderr());
    assertTrue(r.stderr().contains("preprocessing.json"), r.stderr());

    Path narrow = tmp.resolve("narrow.csv");
    Files.writeString(narrow, "1,2,3\n0,1,2\n");
    r = predict("--model", model.toString(), "--data", narrow.toString(), "--out",
        out.toString());
    assertEquals(3, r.code(), r.stderr());
    assertTrue(r.stderr().contains("2 features but the model expects 5"), r.stderr());

    r = predict("--model", model.toString(), "--data", TEST, "--format", "cifar10",
        "--classes", "airplane,zebra", "--out", out.toString());
    assertEquals(2, r.code(), r.stderr());

    r = predict("--model", tmp.resolve("absent").toString(), "--data", TEST, "--out",
        out.toString());
    assertEquals(3, r.code(), r.stderr());

    // A model folder whose object-store write never finished.
    Path pending = tmp.resolve("pending");
    Files.createDirectories(pending);
    for (String f : List.of("model.json", "preprocessing.json", "summary.json")) {
      Files.copy(model.resolve(f), pending.resolve(f));
    }
    Files.writeString(pending.resolve(ManifestCommit.PENDING), "writing\n");
    r = predict("--model", pending.toString(), "--data", TEST, "--out", out.toString());
    assertEquals(3, r.code(), r.stderr());
    assertTrue(r.stderr().contains("incomplete"), r.stderr());

    for (PredictRun each : runs) {
      assertEquals(1, each.stderr().strip().lines().count(), each.stderr());
    }
    assertFalse(Files.exists(out));
    try (Stream<Path> left = Files.list(tmp)) {
      List<String> hidden = new ArrayList<>();
      left.filter(p -> p.getFileName().toString().startsWith(".never")).forEach(p ->
          hidden.add(p.toString()));
      assertTrue(hidden.isEmpty(), "staging folders left: " + hidden);
    }
  }
}
