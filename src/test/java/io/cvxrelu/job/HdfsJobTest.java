package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a real in-process HDFS (MiniDFSCluster from hadoop-client-minicluster, the
 * Hadoop version Spark brings): CSV and Parquet inputs read from hdfs://, outputs written to
 * hdfs:// atomically, existing outputs refused without --overwrite.
 */
class HdfsJobTest {
  static final String[] CORE_SUMMARY_KEYS = {"objective", "lowerBound", "relativeGap",
      "nonconvexObjective", "constraintViolation", "neurons", "patterns", "iterations",
      "seconds", "stopReason", "trainMse", "testMse", "model", "loss", "beta", "betaMax", "bias",
      "n", "d", "tolerance", "solver", "blas"};

  @TempDir
  static Path base;
  private static MiniDFSCluster cluster;
  private static FileSystem fs;
  private static String hdfs;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("dfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
    hdfs = fs.getUri().toString();
    spark = SparkTestSession.start();
    copyToHdfs(Path.of("data-samples/planted_n300_d5.csv"), "/data/train.csv");
    copyToHdfs(Path.of("data-samples/planted_n300_d5_test.csv"), "/data/test.csv");
    writeSparkMlParquet(spark, "data-samples/planted_n300_d5.csv", hdfs + "/data/train_pq");
    writeSparkMlParquet(spark, "data-samples/planted_n300_d5_test.csv",
        hdfs + "/data/test.parquet");
  }

  @AfterAll
  static void stop() {
    SparkTestSession.stop(spark);
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static void copyToHdfs(Path local, String target) throws IOException {
    try (OutputStream os = fs.create(new org.apache.hadoop.fs.Path(target))) {
      os.write(Files.readAllBytes(local));
    }
  }

  /**
   * The label-first CSV as Spark ML users hold it: VectorAssembler's {@code features} column
   * and a {@code label} column, written with {@code df.write().parquet(...)} as one part file
   * (so row order, and hence the trained model, matches the CSV).
   */
  static void writeSparkMlParquet(SparkSession spark, String csv, String target) {
    Dataset<Row> raw = spark.read().option("inferSchema", "true").csv(csv);
    String[] cols = raw.columns();
    String[] featureCols = java.util.Arrays.copyOfRange(cols, 1, cols.length);
    Dataset<Row> assembled = new VectorAssembler().setInputCols(featureCols)
        .setOutputCol("features").transform(raw.withColumnRenamed(cols[0], "label"))
        .select("features", "label");
    assembled.coalesce(1).write().mode("overwrite").parquet(target);
  }

  private static String readHdfs(String path) throws IOException {
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String[] args(String train, String test, String out, String... extra) {
    List<String> a = new ArrayList<>(List.of("--train", train, "--test", test, "--out", out,
        "--model", "gated", "--patterns", "20", "--seed", "3"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  @Test
  void csvAndParquetOnHdfsTrainTheSameModelAndWriteToHdfs() throws IOException {
    String csvOut = hdfs + "/out/csv";
    assertEquals(0, TrainConvexJob.run(args(hdfs + "/data/train.csv", hdfs + "/data/test.csv",
        csvOut)));
    String pqOut = hdfs + "/out/parquet";
    // A folder of part files is recognised as Parquet without --format.
    assertEquals(0, TrainConvexJob.run(args(hdfs + "/data/train_pq", hdfs + "/data/test.parquet",
        pqOut)));
    JsonNode csv = new ObjectMapper().readTree(readHdfs(csvOut + "/summary.json"));
    JsonNode pq = new ObjectMapper().readTree(readHdfs(pqOut + "/summary.json"));
    for (String k : CORE_SUMMARY_KEYS) {
      assertTrue(csv.has(k), "summary lacks " + k);
    }
    List<String> csvKeys = new ArrayList<>();
    csv.fieldNames().forEachRemaining(csvKeys::add);
    List<String> pqKeys = new ArrayList<>();
    pq.fieldNames().forEachRemaining(pqKeys::add);
    assertEquals(csvKeys, pqKeys);
    assertEquals(300, pq.get("n").asInt());
    assertEquals("CONVERGED", pq.get("stopReason").asText());
    assertEquals(csv.get("objective").asDouble(), pq.get("objective").asDouble(), 0.0);
    assertEquals(csv.get("testMse").asDouble(), pq.get("testMse").asDouble(), 0.0);
    assertEquals(readHdfs(csvOut + "/model.json"), readHdfs(pqOut + "/model.json"));
    assertTrue(readHdfs(pqOut + "/history.csv").lines().count() > 1);
  }

  @Test
  void existingHdfsOutputNeedsOverwrite() throws IOException {
    String out = hdfs + "/out/again";
    String train = hdfs + "/data/train.csv";
    String test = hdfs + "/data/test.csv";
    assertEquals(0, TrainConvexJob.run(args(train, test, out)));
    long first = fs.getFileStatus(new org.apache.hadoop.fs.Path(out + "/summary.json"))
        .getModificationTime();
    assertEquals(2, TrainConvexJob.run(args(train, test, out)));
    assertEquals(first, fs.getFileStatus(new org.apache.hadoop.fs.Path(out + "/summary.json"))
        .getModificationTime(), "refused run left the old output alone");
    assertEquals(0, TrainConvexJob.run(args(train, test, out, "--overwrite", "--seed", "4")));
    FileStatus[] siblings = fs.listStatus(new org.apache.hadoop.fs.Path(hdfs + "/out"));
    for (FileStatus st : siblings) {
      assertFalse(st.getPath().getName().startsWith("."), "temporary folder left: "
          + st.getPath());
    }
    assertTrue(readHdfs(out + "/summary.json").contains("\"objective\""));
  }

  @Test
  void missingHdfsInputsAreDataErrors() {
    assertEquals(3, TrainConvexJob.run(args(hdfs + "/data/none.csv", hdfs + "/data/test.csv",
        hdfs + "/out/none")));
    assertEquals(3, TrainConvexJob.run(args(hdfs + "/data/none.parquet",
        hdfs + "/data/test.csv", hdfs + "/out/none")));
    // Parquet without the Spark ML columns: the CSV read as Parquet has neither.
    assertEquals(3, TrainConvexJob.run(args(hdfs + "/data/train.csv", hdfs + "/data/test.csv",
        hdfs + "/out/none", "--format", "parquet")));
    assertArrayEquals(new String[0], existing(hdfs + "/out/none"));
  }

  private static String[] existing(String path) {
    try {
      return fs.exists(new org.apache.hadoop.fs.Path(path)) ? new String[] {path} : new String[0];
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
