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
  void badInputIsOneLineWithExitCodeTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, DeepClosedFormJob.run(new String[] {"--out", tmp.resolve("a").toString(),
          "--depths", "1,2"}));
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
    assertEquals(3, lines.length, err.toString(StandardCharsets.UTF_8));
    assertTrue(lines[0].contains("depths must be >= 2"), lines[0]);
    assertTrue(lines[1].contains("--layers must be >= 2"), lines[1]);
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
