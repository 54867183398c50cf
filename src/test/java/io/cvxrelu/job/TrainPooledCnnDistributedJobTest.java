package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * train-convex --architecture cnn-pooled --model gated|relu --solver distributed end to end:
 * the rows read on the executors reach the single-node run's certified optimum and write the
 * same network; the CNN programs without a distributed solver are one-line usage errors.
 */
class TrainPooledCnnDistributedJobTest {
  private static final String TRAIN = "data-samples/planted_n300_d5.csv";
  private static final String TEST = "data-samples/planted_n300_d5_test.csv";
  private static SparkSession spark;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stop() {
    SparkTestSession.stop(spark);
  }

  private static String[] args(Path out, String... more) {
    return Stream.concat(Stream.of("--train", TRAIN, "--test", TEST, "--out", out.toString(),
        "--architecture", "cnn-pooled", "--patch", "3", "--stride", "1"), Arrays.stream(more))
        .toArray(String[]::new);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gated", "relu"})
  void distributedRunReachesTheLocalCertifiedOptimum(String model) throws Exception {
    String[] program = {"--model", model, "--patterns", "4", "--beta-frac", "0.2", "--tol",
        "1e-7"};
    Path local = dir.resolve("local");
    assertEquals(0, TrainConvexJob.run(args(local, Stream.concat(Arrays.stream(program),
        Stream.of("--solver", "local")).toArray(String[]::new))));
    Path distributed = dir.resolve("distributed");
    assertEquals(0, TrainConvexJob.run(args(distributed, Stream.concat(Arrays.stream(program),
        Stream.of("--solver", "distributed", "--partitions", "3")).toArray(String[]::new))));
    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(local.resolve("summary.json").toFile());
    JsonNode b = json.readTree(distributed.resolve("summary.json").toFile());
    assertTrue(a.get("certified").asBoolean());
    assertTrue(b.get("certified").asBoolean());
    assertEquals(model.equals("gated") ? "distributed fista" : "distributed interior-point",
        b.get("solver").asText());
    double optimum = a.get("objective").asDouble();
    assertEquals(optimum, b.get("objective").asDouble(), 1e-6 * optimum);
    assertEquals(b.get("objective").asDouble(), b.get("nonconvexObjective").asDouble(),
        1e-8 * optimum);
    for (String field : new String[] {"betaMax", "beta", "n", "d", "patterns"}) {
      assertEquals(a.get(field).asDouble(), b.get(field).asDouble(),
          1e-12 * Math.abs(a.get(field).asDouble()), field);
    }
    assertEquals(a.get("testMse").asDouble(), b.get("testMse").asDouble(),
        1e-5 * a.get("testMse").asDouble());
    JsonNode ma = json.readTree(local.resolve("model.json").toFile());
    JsonNode mb = json.readTree(distributed.resolve("model.json").toFile());
    if (model.equals("gated")) {
      assertEquals(ma.get("gates"), mb.get("gates"), "the same sampled gates");
    }
    assertTrue(Files.readAllLines(distributed.resolve("history.csv")).size() > 1);
  }

  @Test
  void programsWithoutADistributedSolverAreUsageErrors() {
    String[][] bad = {
        {"--model", "gated", "--solver", "distributed", "--patterns", "all"},
        {"--model", "gated", "--solver", "cluster"}};
    for (String[] b : bad) {
      assertUsageError(args(dir.resolve("bad"), b), b);
    }
    Path out = dir.resolve("bad-separable");
    assertUsageError(new String[] {"--train", TRAIN, "--out", out.toString(), "--architecture",
        "cnn-separable", "--model", "gated", "--patch", "3", "--solver", "distributed"},
        new String[] {"cnn-separable"});
    assertUsageError(new String[] {"--train", TRAIN, "--out", out.toString(), "--architecture",
        "linear-cnn", "--patch", "3", "--solver", "distributed"}, new String[] {"linear-cnn"});
  }

  private static void assertUsageError(String[] args, String[] what) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = TrainConvexJob.run(args);
    } finally {
      System.setErr(saved);
    }
    String err = buf.toString(StandardCharsets.UTF_8);
    String label = String.join(" ", what);
    assertEquals(2, code, label + ": " + err);
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.startsWith("train-convex: usage error: "), err);
    for (int k = 0; k < args.length - 1; k++) {
      if (args[k].equals("--out")) {
        assertFalse(Files.exists(Path.of(args[k + 1])), "output left behind for " + label);
      }
    }
  }
}
