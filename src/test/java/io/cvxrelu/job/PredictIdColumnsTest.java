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
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict.sh's identifier columns: the {@code --id-columns} of a CSV with a header and of
 * Parquet come back unchanged beside each row's own prediction (checked against the model's
 * predictions in memory, row by row), the {@code row} column of unnamed inputs is the input
 * order, and the metrics do not change with ids. Bad id options give one line, exit 2 and no
 * output.
 */
class PredictIdColumnsTest {
  private static final String TRAIN = "data-samples/planted_n300_d5.csv";
  private static final String TEST = "data-samples/planted_n300_d5_test.csv";
  private static SparkSession spark;

  @TempDir
  static Path shared;
  private static Path model;
  private static LabeledData test;
  private static double[] expected;

  @TempDir
  Path tmp;

  @BeforeAll
  static void train() throws IOException {
    spark = SparkTestSession.start();
    model = shared.resolve("relu");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", TRAIN, "--test", TEST,
        "--out", model.toString(), "--model", "relu", "--patterns", "10", "--bias",
        "--solver", "local"}));
    try (BufferedReader r = Files.newBufferedReader(Path.of(TEST))) {
      test = TextDataReader.readCsv(r, TEST);
    }
    ConvexReluModel m = ModelJson.read(Files.readString(model.resolve("model.json")),
        "model.json");
    FeatureTransform t = TransformJson.read(Files.readString(
        model.resolve("preprocessing.json")), "preprocessing.json");
    expected = m.predict(t.apply(test.x()));
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  private static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  private static Dataset<Row> predictions(Path out, boolean csv) {
    String dir = out.resolve(PredictJob.PREDICTIONS).toString();
    return csv ? spark.read().option("header", "true").csv(dir) : spark.read().parquet(dir);
  }

  private static void assertOutput(int i, Row r) {
    double f = ((Number) r.getAs(ScoredBlocks.OUTPUT)).doubleValue();
    assertEquals(expected[i], f, 1e-12 * Math.max(1.0, Math.abs(expected[i])), "row " + i);
  }

  private static double mse(Path out) throws IOException {
    return json(out.resolve(PredictJob.METRICS)).get("mse").asDouble();
  }

  /** The test rows as two CSV files with a header "user,y,x1..x5,batch", ids around them. */
  private Path csvWithIds() throws IOException {
    Path dir = tmp.resolve("with-ids");
    Files.createDirectories(dir);
    List<String> lines = Files.readAllLines(Path.of(TEST));
    String header = "user,y,x1,x2,x3,x4,x5,batch";
    int half = lines.size() / 2;
    for (int part = 0; part < 2; part++) {
      StringBuilder sb = new StringBuilder(header).append('\n');
      for (int i = part * half; i < (part == 0 ? half : lines.size()); i++) {
        sb.append(String.format(Locale.ROOT, "u%04d", i)).append(',').append(lines.get(i))
            .append(',').append(i % 7 == 0 ? "b-" + i : "7").append('\n');
      }
      Files.writeString(dir.resolve("part-" + part + ".csv"), sb.toString());
    }
    return dir;
  }

  @Test
  void csvIdsRoundTripBesideTheirOwnRowsAndTheMetricsDoNotChange() throws IOException {
    Path data = csvWithIds();
    Path out = tmp.resolve("ids");
    assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data",
        data.toString(), "--format", "csv", "--out", out.toString(), "--id-columns",
        "user,batch", "--partitions", "3", "--output-format", "csv"}));
    Dataset<Row> df = predictions(out, true);
    assertEquals(List.of("user", "batch", ScoredBlocks.LABEL, ScoredBlocks.OUTPUT,
        ScoredBlocks.PREDICTION), List.of(df.columns()));
    List<Row> rows = df.collectAsList();
    assertEquals(test.n(), rows.size());
    boolean[] seen = new boolean[test.n()];
    for (Row r : rows) {
      int i = Integer.parseInt(r.<String>getAs("user").substring(1));
      assertFalse(seen[i], "row " + i + " twice");
      seen[i] = true;
      assertEquals(i % 7 == 0 ? "b-" + i : "7", r.getAs("batch"));
      assertEquals(test.y()[i], Double.parseDouble(r.getAs(ScoredBlocks.LABEL)), 0.0);
      double f = Double.parseDouble(r.getAs(ScoredBlocks.OUTPUT));
      assertEquals(expected[i], f, 1e-12 * Math.max(1.0, Math.abs(expected[i])), "row " + i);
    }

    // The same rows without ids: the same blocks and merge order, so the same metric bits.
    Path plain = tmp.resolve("plain");
    Files.createDirectories(plain);
    for (int part = 0; part < 2; part++) {
      StringBuilder sb = new StringBuilder();
      for (String line : Files.readAllLines(data.resolve("part-" + part + ".csv"))) {
        if (!line.startsWith("user")) {
          sb.append(line, line.indexOf(',') + 1, line.lastIndexOf(',')).append('\n');
        }
      }
      Files.writeString(plain.resolve("part-" + part + ".csv"), sb.toString());
    }
    Path without = tmp.resolve("without");
    assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data",
        plain.toString(), "--format", "csv", "--out", without.toString(), "--partitions",
        "3"}));
    assertEquals(mse(without), mse(out), 0.0);
    JsonNode summary = json(model.resolve("summary.json"));
    double testMse = summary.get("testMse").asDouble();
    assertEquals(testMse, mse(out), 1e-12 * testMse);
  }

  @Test
  void parquetIdsKeepTheirTypes() throws IOException {
    StructType schema = new StructType().add("key", DataTypes.LongType, false)
        .add("name", DataTypes.StringType, true)
        .add("features", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false)
        .add("label", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < test.n(); i++) {
      rows.add(RowFactory.create(1000L + 3 * i, i % 5 == 0 ? null : "n" + i,
          Vectors.dense(test.x().row(i)), test.y()[i]));
    }
    Path data = tmp.resolve("data.parquet");
    spark.createDataFrame(rows, schema).repartition(3).write().parquet(data.toString());
    Path out = tmp.resolve("ids");
    assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data",
        data.toString(), "--out", out.toString(), "--id-columns", "name,key"}));
    Dataset<Row> df = predictions(out, false);
    assertEquals(DataTypes.LongType, df.schema().apply("key").dataType());
    assertEquals(List.of("name", "key", ScoredBlocks.LABEL, ScoredBlocks.OUTPUT,
        ScoredBlocks.PREDICTION), List.of(df.columns()));
    List<Row> scored = df.collectAsList();
    assertEquals(test.n(), scored.size());
    for (Row r : scored) {
      int i = (int) ((r.<Long>getAs("key") - 1000L) / 3);
      assertEquals(i % 5 == 0 ? null : "n" + i, r.getAs("name"));
      assertOutput(i, r);
    }
    double testMse = json(model.resolve("summary.json")).get("testMse").asDouble();
    assertEquals(testMse, mse(out), 1e-12 * testMse);
  }

  @Test
  void theRowColumnIsTheInputOrderOfLibsvm() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < test.n(); i++) {
      sb.append(test.y()[i]);
      double[] x = test.x().row(i);
      for (int j = 0; j < x.length; j++) {
        sb.append(' ').append(j + 1).append(':').append(x[j]);
      }
      sb.append('\n');
    }
    Path data = tmp.resolve("test.libsvm");
    Files.writeString(data, sb.toString());
    Path out = tmp.resolve("rows");
    assertEquals(0, PredictJob.run(new String[] {"--model", model.toString(), "--data",
        data.toString(), "--out", out.toString(), "--partitions", "4"}));
    List<Row> rows = predictions(out, false).orderBy(ScoredBlocks.ROW).collectAsList();
    assertEquals(test.n(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i, rows.get(i).<Long>getAs(ScoredBlocks.ROW));
      assertEquals(test.y()[i], rows.get(i).<Double>getAs(ScoredBlocks.LABEL), 0.0);
      assertOutput(i, rows.get(i));
    }
  }

  @Test
  void badIdColumnsAreOneLineExitTwoAndNoOutput() throws IOException {
    Path out = tmp.resolve("never");
    Path named = csvWithIds();
    List<PredictRun> runs = List.of(
        PredictRun.of("--model", model.toString(), "--data", named.toString(), "--format",
            "csv", "--out", out.toString(), "--id-columns", "user,account"),
        PredictRun.of("--model", model.toString(), "--data", TEST, "--out", out.toString(),
            "--id-columns", "user"),
        PredictRun.of("--model", model.toString(), "--data", named.toString(), "--format",
            "libsvm", "--out", out.toString(), "--id-columns", "user"),
        PredictRun.of("--model", model.toString(), "--data", named.toString(), "--format",
            "csv", "--out", out.toString(), "--id-columns", "user,prediction"));
    for (PredictRun r : runs) {
      assertEquals(2, r.code(), r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    }
    assertTrue(runs.get(0).stderr().contains("unknown id column 'account'"),
        runs.get(0).stderr());
    assertTrue(runs.get(1).stderr().contains("header"), runs.get(1).stderr());
    assertFalse(Files.exists(out));
  }
}
