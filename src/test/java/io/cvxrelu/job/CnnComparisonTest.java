package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compare --architecture cnn-pooled end to end on generated images: the convex pooled programs
 * and SGD-trained CNNs side by side, the check against the exact program's certified bound, and
 * bad shapes rejected in one line with no output.
 */
class CnnComparisonTest {
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
      return new Run(CompareJob.run(args), buf.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  /**
   * n images of d pixels (CSV, label first), labelled +1 when a bright 2-pixel stroke lies in
   * the top half (a pooled-CNN-shaped rule), with 10% of the labels flipped.
   */
  private Path images(String name, int n, int d, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double[] x = new double[d];
      for (int p = 0; p < d; p++) {
        x[p] = rng.nextGaussian() * 0.3;
      }
      boolean top = rng.nextBoolean();
      int at = top ? rng.nextInt(d / 2 - 1) : d / 2 + rng.nextInt(d / 2 - 1);
      x[at] += 2.0;
      x[at + 1] += 2.0;
      boolean label = top ^ rng.nextDouble() < 0.1;
      sb.append(label ? "1" : "-1");
      for (double v : x) {
        sb.append(',').append(v);
      }
      sb.append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  @Test
  void writesTheConvexProgramsBesideTheSgdRuns() throws Exception {
    Path out = dir.resolve("report");
    Run r = run("--train", images("train.csv", 60, 36, 1).toString(), "--test",
        images("test.csv", 30, 36, 2).toString(), "--out", out.toString(), "--architecture",
        "cnn-pooled", "--image-shape", "1,6,6", "--patch", "3", "--stride", "3", "--model",
        "gated,relu", "--patterns", "10,6", "--beta-frac", "0.05", "--tol", "1e-6", "--neurons",
        "4", "--inits", "2", "--epochs", "5", "--batch-size", "10", "--optimizer", "adam",
        "--lr", "0.01");
    assertEquals(0, r.code(), r.stderr());
    for (String f : new String[] {"report.md", "comparison.csv", "summary.json",
        "convex-gated-history.csv", "convex-relu-history.csv", "sgd-init-0.csv",
        "sgd-init-1-network.csv", ComparisonReport.OBJECTIVE_VS_SECONDS}) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(2, s.get("convex").size());
    assertEquals(4, s.get("patchCount").asInt());
    for (JsonNode c : s.get("convex")) {
      assertTrue(c.get("certified").asBoolean(), c.toString());
      double objective = c.get("objective").asDouble();
      // The recovered CNN's own objective is the convex one.
      assertEquals(objective, c.get("nonconvexObjective").asDouble(), 1e-6 * objective);
      assertTrue(c.has("testAccuracy"));
    }
    assertEquals(2, s.get("sgd").get("inits").size());
    assertTrue(s.get("sgd").has("medianTestAccuracy"));
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| SGD median |"), report);
    assertTrue(report.contains("against the SGD median"), report);
    // Five lines: the header, two convex programs, two SGD runs.
    assertEquals(5, Files.readAllLines(out.resolve("comparison.csv")).size());
  }

  /** 1-D windows of 2, every pattern enumerated: the report finds no SGD run below the bound. */
  @Test
  void exactPatternsBoundEverySgdRun() throws Exception {
    Path out = dir.resolve("exact");
    Run r = run("--train", images("signals.csv", 12, 6, 3).toString(), "--out",
        out.toString(), "--architecture", "cnn-pooled", "--patch", "2", "--stride", "2",
        "--model", "relu", "--patterns", "all", "--beta-frac", "0.05", "--tol", "1e-8",
        "--neurons", "3", "--inits", "2", "--epochs", "20", "--batch-size", "4", "--lr", "0.01");
    assertEquals(0, r.code(), r.stderr());
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(s.get("convex").get(0).get("exactPatterns").asBoolean());
    double lower = s.get("convex").get(0).get("lowerBound").asDouble();
    for (JsonNode e : s.get("sgd").get("inits")) {
      assertTrue(e.get("objective").asDouble() >= lower, e.toString());
    }
    String checks = s.get("checks").toString();
    assertTrue(checks.contains("lower bound") && checks.contains(": none of 2"), checks);
  }

  @Test
  void badShapesFailInOneLineWithExitTwoAndNoOutput() throws Exception {
    String train = images("bad.csv", 20, 36, 4).toString();
    String[][] bad = {
        {"--image-shape", "1,6,6", "--patch", "7"},
        {"--image-shape", "1,6,6", "--patch", "2", "--stride", "0"},
        {"--image-shape", "1,6,6", "--patch", "2", "--stride", "-1"},
        {"--image-shape", "1,5,6", "--patch", "2"},
        {"--image-shape", "1,6,6", "--patch", "2", "--loss", "logistic"},
        {"--image-shape", "1,6,6", "--patch", "2", "--model", "convex"},
        {"--patch", "2", "--architecture", "fc"},
        {"--image-shape", "1,6,6", "--patch", "2", "--split", "10"}};
    for (String[] b : bad) {
      Path out = dir.resolve("bad");
      String[] args = Stream.concat(Stream.of("--train", train, "--out", out.toString(),
          "--architecture", "cnn-pooled"), Arrays.stream(b)).toArray(String[]::new);
      Run r = run(args);
      assertEquals(2, r.code(), String.join(" ", b) + ": " + r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
      assertTrue(r.stderr().startsWith("compare: usage error: "), r.stderr());
      assertFalse(Files.exists(out), "output left behind for " + String.join(" ", b));
    }
  }
}
