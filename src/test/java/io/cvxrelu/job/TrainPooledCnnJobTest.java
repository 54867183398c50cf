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

/**
 * train-cnn --architecture cnn-pooled-gated | cnn-pooled | cnn-separable (the programs with
 * sign patterns beyond the gated separable CNN) end to end on the embedded sample.
 */
class TrainPooledCnnJobTest {
  private static final String TRAIN = "data-samples/planted_n300_d5.csv";
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

  private record Run(int code, String stderr) {}

  private static Run run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return new Run(TrainCnnJob.run(args), buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void bothPooledProgramsWriteACertifiedNetworkWithTheConvexObjective() throws Exception {
    for (String arch : new String[] {"cnn-pooled-gated", "cnn-pooled"}) {
      Path out = dir.resolve(arch);
      Run r = run("--train", TRAIN, "--test", "data-samples/planted_n300_d5_test.csv",
          "--out", out.toString(), "--architecture", arch, "--patch", "3", "--stride", "1",
          "--patterns", "8", "--beta-frac", "0.05", "--tol", "1e-9");
      assertEquals(0, r.code(), r.stderr());
      ObjectMapper json = new ObjectMapper();
      JsonNode s = json.readTree(out.resolve("summary.json").toFile());
      assertTrue(s.get("certified").asBoolean(), arch);
      assertTrue(s.get("relativeGap").asDouble() <= 1e-9);
      assertEquals(0.0, s.get("constraintViolation").asDouble(), 1e-9);
      double objective = s.get("objective").asDouble();
      assertEquals(objective, s.get("nonconvexObjective").asDouble(), 1e-9 * objective);
      JsonNode model = json.readTree(out.resolve("model.json").toFile());
      assertEquals(s.get("filters").asInt(), model.get("filters").size());
      assertEquals(s.get("filters").asInt(), model.get("outputWeights").size());
      assertEquals(3, model.get("filters").get(0).size());
      assertEquals(arch.equals("cnn-pooled-gated"), model.has("gates"));
      assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 1);
    }
  }

  @Test
  void separableReluWritesCertifiedReluNeurons() throws Exception {
    Path out = dir.resolve("separable");
    Run r = run("--train", TRAIN, "--out", out.toString(), "--architecture", "cnn-separable",
        "--patch", "3", "--stride", "2", "--patterns", "5", "--beta-frac", "0.05", "--tol",
        "1e-9");
    assertEquals(0, r.code(), r.stderr());
    ObjectMapper json = new ObjectMapper();
    JsonNode s = json.readTree(out.resolve("summary.json").toFile());
    assertTrue(s.get("certified").asBoolean());
    assertEquals("interior-point", s.get("solver").asText());
    double objective = s.get("objective").asDouble();
    assertEquals(objective, s.get("nonconvexObjective").asDouble(), 1e-9 * objective);
    JsonNode neurons = json.readTree(out.resolve("model.json").toFile()).get("neurons");
    assertEquals(s.get("neurons").asInt(), neurons.size());
    assertFalse(neurons.get(0).has("gate"), "ReLU neurons have no gate");
  }

  /** 1-D windows of 2 (h = 2): every pattern of the stacked patches, an exact program. */
  @Test
  void exactPatternsGiveTheExactPooledProgram() throws Exception {
    Path small = dir.resolve("first40.csv");
    Files.write(small, Files.readAllLines(Path.of(TRAIN)).subList(0, 40));
    Path out = dir.resolve("exact");
    Run r = run("--train", small.toString(), "--out", out.toString(), "--architecture",
        "cnn-pooled", "--patch", "2", "--stride", "3", "--exact-patterns", "--beta-frac", "0.05",
        "--tol", "1e-8");
    assertEquals(0, r.code(), r.stderr());
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(s.get("certified").asBoolean(), s.toString());
    assertTrue(s.get("exactPatterns").asBoolean());
    // At most 2 nK cells for h = 2 (n = 40 rows, K = 2 windows).
    assertTrue(s.get("patterns").asInt() <= 2 * 40 * 2, s.toString());
    double objective = s.get("objective").asDouble();
    assertEquals(objective, s.get("nonconvexObjective").asDouble(), 1e-9 * objective);
  }

  /**
   * train-convex --architecture cnn-pooled --model relu runs the same program as train-cnn
   * --architecture cnn-pooled: the same summary numbers and the same model.json; the fully
   * connected options it cannot take are one-line usage errors with no output.
   */
  @Test
  void trainConvexArchitectureIsTrainCnn() throws Exception {
    String[] common = {"--train", TRAIN, "--patch", "3", "--stride", "1", "--patterns", "8",
        "--beta-frac", "0.05", "--tol", "1e-9"};
    Path viaCnn = dir.resolve("via-cnn");
    String[] cnnArgs = java.util.stream.Stream.concat(java.util.Arrays.stream(common),
        java.util.stream.Stream.of("--architecture", "cnn-pooled", "--out", viaCnn.toString()))
        .toArray(String[]::new);
    assertEquals(0, run(cnnArgs).code());
    Path viaConvex = dir.resolve("via-convex");
    String[] convexArgs = java.util.stream.Stream.concat(java.util.Arrays.stream(common),
        java.util.stream.Stream.of("--architecture", "cnn-pooled", "--model", "relu", "--out",
            viaConvex.toString())).toArray(String[]::new);
    assertEquals(0, TrainConvexJob.run(convexArgs));
    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(viaCnn.resolve("summary.json").toFile());
    JsonNode b = json.readTree(viaConvex.resolve("summary.json").toFile());
    assertEquals(a.get("objective").asDouble(), b.get("objective").asDouble(), 0.0);
    assertEquals(a.get("relativeGap").asDouble(), b.get("relativeGap").asDouble(), 0.0);
    assertEquals(Files.readString(viaCnn.resolve("model.json")),
        Files.readString(viaConvex.resolve("model.json")));
    for (String[] bad : new String[][] {
        {"--architecture", "cnn-pooled", "--solver", "distributed"},
        {"--architecture", "cnn-pooled", "--bias"},
        {"--architecture", "cnn-pooled", "--loss", "logistic"},
        {"--architecture", "cnn-wavelet"},
        {"--patch", "3"}}) {
      Path out = dir.resolve("bad-convex");
      String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--train", TRAIN,
          "--out", out.toString()), java.util.Arrays.stream(bad)).toArray(String[]::new);
      assertEquals(2, TrainConvexJob.run(args), String.join(" ", bad));
      assertFalse(Files.exists(out), String.join(" ", bad));
    }
  }

  @Test
  void badShapesFailInOneLineWithExitTwoAndNoOutput() {
    String[][] bad = {
        {"--architecture", "cnn-pooled", "--patch", "6"},
        {"--architecture", "cnn-pooled-gated", "--patch", "2", "--stride", "0"},
        {"--architecture", "cnn-pooled", "--patch", "2", "--image-shape", "1,2,3"},
        {"--architecture", "cnn-pooled-gated", "--patch", "2", "--patterns", "100000"},
        {"--architecture", "cnn-pooled", "--patch", "5", "--exact-patterns"},
        {"--architecture", "cnn-separable", "--patch", "2", "--patterns", "1500"}};
    for (String[] b : bad) {
      Path out = dir.resolve("bad");
      String[] args = Stream.concat(Stream.of("--train", TRAIN, "--out", out.toString()),
          Arrays.stream(b)).toArray(String[]::new);
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", b) + ": " + r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
      assertTrue(r.stderr().startsWith("train-cnn: usage error: "), r.stderr());
      assertFalse(Files.exists(out), "output left behind for " + String.join(" ", b));
    }
  }
}
