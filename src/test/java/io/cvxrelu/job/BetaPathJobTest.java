package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-convex --beta-path-grid with --validation-fraction: one complete output per beta, a
 * path.csv that agrees with them, best/ the point with the lowest validation MSE (read from
 * path.csv, chosen without the test set), and best/ scored by predict.sh as its summary says.
 */
class BetaPathJobTest {
  private static final String TRAIN = "data-samples/planted_n300_d5.csv";
  private static final String TEST = "data-samples/planted_n300_d5_test.csv";
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

  private static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void pathWritesEveryBetaAndTheValidationBest() throws IOException {
    Path out = tmp.resolve("path");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", TRAIN, "--test", TEST, "--out",
        out.toString(), "--patterns", "20", "--bias", "--solver", "local", "--beta-path-grid",
        "3", "--validation-fraction", "0.25"}));
    List<String> csv = Files.readAllLines(out.resolve("path.csv"));
    assertEquals(4, csv.size(), String.join("\n", csv));
    List<String> header = Arrays.asList(csv.get(0).split(","));
    int validation = header.indexOf("validationMse");
    int test = header.indexOf("testMse");
    assertTrue(validation > 0 && test > 0, csv.get(0));
    int best = -1;
    double bestMse = Double.POSITIVE_INFINITY;
    double previousBeta = Double.POSITIVE_INFINITY;
    for (int k = 1; k < csv.size(); k++) {
      String[] row = csv.get(k).split(",");
      Path point = out.resolve(PathRun.folder(k - 1));
      JsonNode summary = json(point.resolve("summary.json"));
      double beta = Double.parseDouble(row[1]);
      assertTrue(beta < previousBeta, "largest beta first");
      previousBeta = beta;
      assertEquals(summary.get("beta").asDouble(), beta, 0.0);
      assertEquals(summary.get("objective").asDouble(), Double.parseDouble(row[2]), 0.0);
      assertEquals(summary.get("testMse").asDouble(), Double.parseDouble(row[test]), 0.0);
      assertEquals(225, summary.get("n").asInt(), "a quarter of 300 rows held out");
      assertTrue(Files.exists(point.resolve("model.json")));
      assertTrue(Files.exists(point.resolve("preprocessing.json")));
      double v = Double.parseDouble(row[validation]);
      if (v < bestMse) {
        bestMse = v;
        best = k - 1;
      }
    }
    assertArrayEquals(Files.readAllBytes(out.resolve(PathRun.folder(best)).resolve(
        "model.json")), Files.readAllBytes(out.resolve("best/model.json")));
    byte[] png = Files.readAllBytes(out.resolve("path.png"));
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);

    Path scored = tmp.resolve("scored");
    assertEquals(0, PredictJob.run(new String[] {"--model", out.resolve("best").toString(),
        "--data", TEST, "--out", scored.toString()}));
    double expected = json(out.resolve("best/summary.json")).get("testMse").asDouble();
    assertEquals(expected, json(scored.resolve(PredictJob.METRICS)).get("mse").asDouble(),
        1e-12 * expected);
  }

  @Test
  void pathOptionsThatContradictAreUsageErrors() {
    Path out = tmp.resolve("never");
    assertEquals(2, TrainConvexRun.of("--train", TRAIN, "--out", out.toString(),
        "--validation-fraction", "0.2").code());
    assertEquals(2, TrainConvexRun.of("--train", TRAIN, "--out", out.toString(),
        "--beta-path", "0.1,0.01", "--beta", "0.5").code());
    assertEquals(2, TrainConvexRun.of("--train", TRAIN, "--out", out.toString(),
        "--beta-path", "0.1,2").code());
    assertEquals(2, TrainConvexRun.of("--train", TRAIN, "--out", out.toString(),
        "--beta-path-grid", "4", "--solver", "distributed").code());
    assertFalse(Files.exists(out));
  }
}
