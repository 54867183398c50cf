package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deep-closed-form end to end on its small data sets, and train-sgd's {@code --layers} path, in
 * local mode with one SparkSession for the class.
 */
class DeepClosedFormJobTest {
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

  @Test
  void smallStudyWritesItsTablesAndPlotsAndNoRunBeatsTheClosedForm() throws IOException {
    Path out = tmp.resolve("deep");
    assertEquals(0, DeepClosedFormJob.run(new String[] {"--out", out.toString(), "--gaussian",
        "5,7", "--rank-one", "12,4", "--depths", "2,3", "--beta-fracs", "0.3", "--inits", "2",
        "--epochs", "150", "--width", "6"}));
    for (String f : List.of("results.csv", "report.md", "objective-vs-beta-rank-one.png",
        "sgd-traces-gaussian-whitened.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(1 + 4, csv.size());
    for (String line : csv.subList(1, csv.size())) {
      String[] c = line.split(",", -1);
      double closed = Double.parseDouble(c[3]);
      assertTrue(Double.parseDouble(c[5]) >= closed * (1 - 1e-9), line);
      if (c[1].equals("2")) {
        // The convex program over every sign pattern, certified, agrees with the closed form.
        assertEquals(closed, Double.parseDouble(c[4]), 1e-8 * closed, line);
      }
    }
  }

  @Test
  void splinePanelCertifiesTheDataPointOptimumAndNothingBeatsIt() throws IOException {
    Path out = tmp.resolve("spline");
    assertEquals(0, DeepClosedFormJob.run(new String[] {"--out", out.toString(), "--gaussian",
        "none", "--rank-one", "none", "--spline", "8", "--spline-beta-fracs", "0.05,0.3",
        "--inits", "2", "--spline-epochs", "2000", "--spline-width", "8"}));
    for (String f : List.of("report.md", "spline-1d.csv", "spline-1d-networks.csv",
        "spline-1d.png", "spline-1d-adam.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    List<String> csv = Files.readAllLines(out.resolve("spline-1d.csv"));
    assertEquals(1 + 2, csv.size());
    for (String line : csv.subList(1, csv.size())) {
      String[] c = line.split(",", -1);
      double convex = Double.parseDouble(c[2]);
      assertEquals("CONVERGED", c[4], line);
      assertEquals(convex, Double.parseDouble(c[7]), 1e-12 * convex, line);
      for (int col : new int[] {8, 9, 10}) {
        assertTrue(Double.parseDouble(c[col]) >= convex * (1 - 1e-9), line);
      }
    }
    assertTrue(Files.readString(out.resolve("report.md")).contains("Adam runs below it: 0."));
  }

  @Test
  void badInputIsOneLineWithExitCodeTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, DeepClosedFormJob.run(new String[] {"--out", tmp.resolve("a").toString(),
          "--depths", "1,2"}));
      assertEquals(2, DeepClosedFormJob.run(new String[] {"--out", tmp.resolve("s").toString(),
          "--gaussian", "none", "--rank-one", "none", "--spline", "1"}));
      assertEquals(2, TrainSgdJob.run(new String[] {"--train",
          "data-samples/planted_n300_d5.csv", "--out", tmp.resolve("b").toString(), "--layers",
          "1"}));
      assertEquals(2, TrainSgdJob.run(new String[] {"--train",
          "data-samples/planted_n300_d5.csv", "--out", tmp.resolve("c").toString(), "--layers",
          "3", "--widths", "4,4,4"}));
    } finally {
      System.setErr(old);
    }
    String[] lines = err.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(4, lines.length, err.toString(StandardCharsets.UTF_8));
    assertTrue(lines[0].contains("depths must be >= 2"), lines[0]);
    assertTrue(lines[1].contains("n >= 2 points"), lines[1]);
    assertTrue(lines[2].contains("--layers must be >= 2"), lines[2]);
  }

  @Test
  void trainSgdWithLayersTrainsTheDeepNetwork() throws IOException {
    Path out = tmp.resolve("sgd3");
    assertEquals(0, TrainSgdJob.run(new String[] {"--train",
        "data-samples/planted_n300_d5.csv", "--out", out.toString(), "--beta", "0.1",
        "--layers", "3", "--widths", "8,4", "--inits", "2", "--epochs", "3", "--batch-size",
        "50", "--lr", "0.01", "--optimizer", "adam"}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(3, s.get("layers").asInt());
    assertEquals(4, s.get("widths").get(1).asInt());
    assertEquals(2, s.get("inits").size());
    String net = Files.readString(out.resolve("init-1/network.csv"));
    assertTrue(net.contains("# layer 3 4 x 1"), net);
    assertEquals(1 + 4, Files.readAllLines(out.resolve("init-0/history.csv")).size());
  }
}
