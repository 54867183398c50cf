package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train-sgd job end to end in local mode, one SparkSession for the class. */
class TrainSgdJobTest {
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  @Test
  void threeInitsOnTheSampleWithTheConvexJobsBeta() throws IOException {
    String[] common = {"--train", "data-samples/planted_n300_d5.csv", "--test",
        "data-samples/planted_n300_d5_test.csv", "--patterns", "30", "--seed", "3"};
    Path out = tmp.resolve("sgd");
    assertEquals(0, TrainSgdJob.run(concat(common, "--inits", "3", "--epochs", "8",
        "--neurons", "10", "--batch-size", "32", "--lr", "0.01", "--out", out.toString())));
    JsonNode s = summary(out);
    JsonNode inits = s.get("inits");
    assertEquals(3, inits.size());
    double best = Double.POSITIVE_INFINITY;
    for (JsonNode e : inits) {
      for (String k : new String[] {"objective", "seconds", "epochs", "stopReason"}) {
        assertTrue(e.has(k), "init lacks " + k);
      }
      // Real-valued labels: no accuracy.
      assertFalse(e.has("testAccuracy"));
      List<String> h = Files.readAllLines(out.resolve("init-" + e.get("init").asInt())
          .resolve("history.csv"));
      assertEquals(1 + 9, h.size());
      String[] last = h.get(9).split(",", -1);
      assertEquals(e.get("objective").asDouble(), Double.parseDouble(last[2]));
      assertTrue(Double.parseDouble(last[2]) < Double.parseDouble(h.get(1).split(",")[2]),
          "objective decreased over the epochs");
      best = Math.min(best, e.get("objective").asDouble());
    }
    assertEquals(best, s.get("bestObjective").asDouble());
    assertTrue(s.get("samplesPerSecond").asDouble() > 0);

    // The same beta as train-convex for the same --patterns, --seed and --beta-frac.
    Path convex = tmp.resolve("convex");
    assertEquals(0, TrainConvexJob.run(concat(common, "--model", "gated", "--max-iter", "5",
        "--out", convex.toString())));
    assertEquals(summary(convex).get("beta").asDouble(), s.get("beta").asDouble(), 0.0);

    // Deterministic for a seed, whatever the task scheduling.
    Path again = tmp.resolve("again");
    assertEquals(0, TrainSgdJob.run(concat(common, "--inits", "3", "--epochs", "8",
        "--neurons", "10", "--batch-size", "32", "--lr", "0.01", "--out", again.toString())));
    for (int k = 0; k < 3; k++) {
      assertEquals(inits.get(k).get("objective").asDouble(),
          summary(again).get("inits").get(k).get("objective").asDouble(), 0.0);
    }
  }

  @Test
  void cifarFolderWithAdamReportsAccuracies() throws IOException {
    Path data = ImageDataJobTest.syntheticCifar(tmp.resolve("cifar"));
    Path out = tmp.resolve("cifar-out");
    assertEquals(0, TrainSgdJob.run(new String[] {"--train", data.toString(), "--format",
        "cifar10", "--classes", "airplane,automobile", "--optimizer", "adam", "--lr", "0.001",
        "--inits", "2", "--epochs", "5", "--neurons", "8", "--batch-size", "10", "--bias",
        "--loss", "logistic", "--out", out.toString()}));
    JsonNode s = summary(out);
    assertEquals(2, s.get("inits").size());
    for (JsonNode e : s.get("inits")) {
      assertEquals(1.0, e.get("trainAccuracy").asDouble(), 0.0, e.toString());
      assertTrue(e.get("testAccuracy").asDouble() >= 0.9, e.toString());
    }
    assertEquals(3072, s.get("d").asInt());
    assertEquals("logistic", s.get("loss").asText());
  }

  @Test
  void errorsFollowTheJobConventions() {
    Path out = tmp.resolve("never");
    String[] base = {"--train", "data-samples/planted_n300_d5.csv", "--out", out.toString()};
    assertEquals(2, TrainSgdJob.run(concat(base, "--optimizer", "lbfgs")));
    assertEquals(2, TrainSgdJob.run(concat(base, "--lr", "-1")));
    assertEquals(2, TrainSgdJob.run(concat(base, "--momentum", "1.5")));
    assertEquals(2, TrainSgdJob.run(concat(base, "--unknown", "1")));
    assertEquals(3, TrainSgdJob.run(new String[] {"--train", tmp.resolve("absent.csv")
        .toString(), "--out", out.toString()}));
    assertEquals(3, TrainSgdJob.run(concat(base, "--loss", "logistic")),
        "real-valued labels are not logistic labels");
    assertFalse(Files.exists(out));
    assertEquals(0, TrainSgdJob.run(new String[] {"--help"}));
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
