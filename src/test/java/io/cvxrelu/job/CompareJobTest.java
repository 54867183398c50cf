package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compare job end to end on 1-D data with a bias and every sign pattern enumerated. */
class CompareJobTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[2]").appName("CompareJobTest")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private Path oneDimensional(String name, int n, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double x = rng.nextDouble(-2, 2);
      double label = Math.abs(x) > 1 ^ rng.nextDouble() < 0.1 ? 1 : -1;
      sb.append(label).append(',').append(x).append('\n');
    }
    Path p = tmp.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  @Test
  void reportWithEnumeratedPatternsHasNoSgdRunBelowTheCertifiedBound() throws IOException {
    Path out = tmp.resolve("report");
    int code = CompareJob.run(new String[] {"--train", oneDimensional("train.csv", 16, 1)
        .toString(), "--test", oneDimensional("test.csv", 40, 2).toString(), "--bias",
        "--patterns", "all", "--model", "relu", "--beta-frac", "0.05", "--neurons", "5",
        "--inits", "4", "--epochs", "300", "--batch-size", "16", "--optimizer", "adam", "--lr",
        "0.01", "--out", out.toString()});
    assertEquals(0, code);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    JsonNode convex = s.get("convex");
    assertTrue(convex.get("relativeGap").asDouble() <= 1e-6, convex.toString());
    double lowerBound = convex.get("lowerBound").asDouble();
    JsonNode inits = s.get("sgd").get("inits");
    assertEquals(4, inits.size());
    for (JsonNode e : inits) {
      assertTrue(e.get("objective").asDouble() >= lowerBound, e + " below " + lowerBound);
      assertTrue(e.has("testAccuracy"));
    }
    assertTrue(s.has("convexTestAccuracyAtLeastSgdMedian"));
    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
    assertEquals(1 + 1 + 4, csv.size());
    assertTrue(csv.get(1).startsWith("convex (relu),"));
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| convex (relu) |") && report.contains("| SGD median |"));
    assertTrue(report.contains("enumerated (all)"));
    for (String png : new String[] {ComparisonReport.OBJECTIVE_VS_ITERATION,
        ComparisonReport.OBJECTIVE_VS_SECONDS, ComparisonReport.TEST_ACCURACY_VS_SECONDS}) {
      byte[] b = Files.readAllBytes(out.resolve(png));
      assertTrue(b.length > 1000, png);
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(b, 4), png);
      assertTrue(report.contains(png));
    }
    assertTrue(Files.readAllLines(out.resolve("sgd-init-3.csv")).size() == 302);
    assertTrue(Files.readAllLines(out.resolve("convex-history.csv")).get(0)
        .endsWith("trainAccuracy,testAccuracy"));
  }

  @Test
  void usageErrorsLeaveNoReport() throws IOException {
    Path out = tmp.resolve("none");
    assertEquals(2, CompareJob.run(new String[] {"--train", oneDimensional("t.csv", 8, 3)
        .toString(), "--model", "convex", "--out", out.toString()}));
    assertFalse(Files.exists(out));
  }
}
