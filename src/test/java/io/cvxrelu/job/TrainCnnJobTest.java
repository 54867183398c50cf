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
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-cnn end to end on the embedded sample: outputs, certificate, and bad shapes. */
class TrainCnnJobTest {
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
  void everyProgramWritesACertifiedModel() throws Exception {
    for (String[] arch : new String[][] {{"linear-cnn", "--patch", "3", "--stride", "1"},
        {"circular-cnn"},
        {"cnn-separable-gated", "--patch", "3", "--stride", "2", "--patterns", "5"}}) {
      Path out = dir.resolve(arch[0]);
      String[] args = {"--train", TRAIN, "--test", "data-samples/planted_n300_d5_test.csv",
          "--out", out.toString(), "--beta-frac", "0.1", "--tol", "1e-9", "--architecture",
          arch[0]};
      String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
          java.util.Arrays.stream(arch).skip(1)).toArray(String[]::new);
      Run r = run(all);
      assertEquals(0, r.code(), r.stderr());
      JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
      assertTrue(s.get("certified").asBoolean());
      assertTrue(s.get("relativeGap").asDouble() <= 1e-9);
      double objective = s.get("objective").asDouble();
      assertEquals(objective, s.get("nonconvexObjective").asDouble(), 1e-9 * objective);
      JsonNode model = new ObjectMapper().readTree(out.resolve("model.json").toFile());
      if (arch[0].equals("cnn-separable-gated")) {
        assertEquals(s.get("neurons").asInt(), model.get("neurons").size());
        assertEquals(s.get("patchSize").asInt(),
            model.get("neurons").get(0).get("filter").size());
      } else {
        assertEquals(s.get("filters").asInt(), model.get("filters").size());
        assertEquals(s.get("patchSize").asInt(), model.get("filters").get(0).size());
        assertEquals(s.get("patchCount").asInt(), model.get("outputWeights").get(0).size());
      }
      assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 1);
    }
  }

  @Test
  void badShapesFailInOneLineWithExitTwoAndNoOutput() {
    String[][] bad = {
        {"--architecture", "linear-cnn", "--patch", "6"},
        {"--architecture", "linear-cnn", "--patch", "2", "--stride", "0"},
        {"--architecture", "linear-cnn", "--patch", "2", "--stride", "-1"},
        {"--architecture", "linear-cnn", "--patch", "2", "--image-shape", "1,2,3"},
        {"--architecture", "linear-cnn", "--patch", "2", "--image-shape", "1,5"},
        {"--architecture", "circular-cnn", "--patch", "2"},
        {"--architecture", "cnn-nothing"},
        {"--architecture", "cnn-separable-gated", "--patch", "2", "--patterns", "100000"}};
    for (String[] b : bad) {
      Path out = dir.resolve("bad");
      String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--train", TRAIN,
          "--out", out.toString()), java.util.Arrays.stream(b)).toArray(String[]::new);
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", b) + ": " + r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
      assertTrue(r.stderr().startsWith("train-cnn: usage error: "), r.stderr());
      assertFalse(Files.exists(out), "output left behind for " + String.join(" ", b));
    }
  }
}
