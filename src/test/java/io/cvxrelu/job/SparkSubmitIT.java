package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar (target/cvxrelu-VERSION-spark.jar) run through
 * {@code org.apache.spark.deploy.SparkSubmit}, the class the spark-submit script runs, in a
 * separate JVM whose classpath is Spark's (our runtime dependencies) and not our classes: the
 * jar must bring everything of its own. Needs {@code mvn package}, so it runs under failsafe in
 * {@code mvn verify}.
 */
class SparkSubmitIT {
  @TempDir
  static Path tmp;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stop() {
    SparkTestSession.stop(spark);
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    assertTrue(v != null && Files.exists(Path.of(v)), name + " (" + v + ") missing: run mvn"
        + " verify, which packages the jar before the integration tests");
    return v;
  }

  /** Runs TrainConvexJob through SparkSubmit in local[2] on the shaded jar; its exit code. */
  private static int sparkSubmit(String name, String... jobArgs) throws Exception {
    return sparkSubmitClass("io.cvxrelu.job.TrainConvexJob", name, jobArgs);
  }

  /** Runs {@code mainClass} through SparkSubmit in local[2] on the shaded jar; its exit code. */
  private static int sparkSubmitClass(String mainClass, String name, String... jobArgs)
      throws Exception {
    String jar = property("cvxrelu.shadedJar");
    String classpath = Files.readString(Path.of(property("cvxrelu.runtimeClasspath"))).strip();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        // What jobs/lib.sh passes as --driver-java-options: our quiet log settings.
        "-Dlog4j2.configurationFile=" + Path.of("src/main/resources/log4j2.properties")
            .toAbsolutePath(),
        "-cp", classpath, "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--class", mainClass, jar));
    cmd.addAll(List.of(jobArgs));
    File log = tmp.resolve(name + ".log").toFile();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("spark-submit " + name + " timed out; log: " + tail(log));
    }
    int code = p.exitValue();
    System.out.println("spark-submit " + name + " exited " + code + "; log tail:\n" + tail(log));
    return code;
  }

  private static String tail(File log) throws IOException {
    List<String> lines = Files.readAllLines(log.toPath());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  private static List<String> keys(Path out) throws IOException {
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    List<String> k = new ArrayList<>();
    s.fieldNames().forEachRemaining(k::add);
    return k;
  }

  @Test
  void shadedJarTrainsOnTheSampleCsvAndOnSparkMlParquet() throws Exception {
    String[] common = {"--model", "gated", "--patterns", "20", "--seed", "3"};
    // The core job, in process, for the reference set of summary keys.
    Path core = tmp.resolve("core");
    assertEquals(0, TrainConvexJob.run(concat(common, "--conf", "conf/train-convex.properties",
        "--out", core.toString())));

    Path csvOut = tmp.resolve("submit-csv");
    assertEquals(0, sparkSubmit("csv", concat(common, "--conf", "conf/train-convex.properties",
        "--out", csvOut.toString())));
    assertEquals(keys(core), keys(csvOut));
    assertEquals(Files.readString(core.resolve("model.json")),
        Files.readString(csvOut.resolve("model.json")), "same data, same seed: same model");

    // The scoring job through spark-submit reproduces the training job's test MSE (to the
    // last bits: its sum runs over two partitions here, train-convex's over one array).
    Path scored = tmp.resolve("submit-predict");
    assertEquals(0, sparkSubmitClass("io.cvxrelu.job.PredictJob", "predict", "--model",
        csvOut.toString(), "--data", "data-samples/planted_n300_d5_test.csv", "--out",
        scored.toString()));
    ObjectMapper json = new ObjectMapper();
    double trainedMse = json.readTree(csvOut.resolve("summary.json").toFile()).get("testMse")
        .asDouble();
    assertEquals(trainedMse, json.readTree(scored.resolve("metrics.json").toFile()).get("mse")
        .asDouble(), 1e-14 * trainedMse);
    // Its Parquet predictions (written by column under spark-submit): one row per test row.
    var predictions = spark.read().parquet(scored.resolve("predictions").toString());
    assertEquals(200, predictions.count());
    assertEquals(199L, predictions.agg(org.apache.spark.sql.functions.max("row")).first()
        .getLong(0));

    String train = tmp.resolve("train.parquet").toString();
    String test = tmp.resolve("test.parquet").toString();
    HdfsJobTest.writeSparkMlParquet(spark, "data-samples/planted_n300_d5.csv", train);
    HdfsJobTest.writeSparkMlParquet(spark, "data-samples/planted_n300_d5_test.csv", test);
    Path pqOut = tmp.resolve("submit-parquet");
    assertEquals(0, sparkSubmit("parquet", concat(common, "--train", train, "--test", test,
        "--format", "parquet", "--out", pqOut.toString())));
    assertEquals(keys(core), keys(pqOut));
    assertEquals(Files.readString(core.resolve("model.json")),
        Files.readString(pqOut.resolve("model.json")));

    // Errors keep their exit codes through spark-submit: an existing output is a usage error.
    assertEquals(2, sparkSubmit("exists", concat(common, "--train", train, "--out",
        pqOut.toString())));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
