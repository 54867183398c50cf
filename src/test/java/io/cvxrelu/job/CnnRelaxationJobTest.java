package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.cnn.relaxation.PlantedInstance;
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

/**
 * The cnn-relaxation and phase-transition jobs end to end in local mode (one SparkSession for
 * the class): recovery of a planted filter from CSV, the naive relaxation's failure, bad input
 * with its exit code and no output, and the quick phase-transition grid.
 */
class CnnRelaxationJobTest {
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

  /** Writes an instance's rows as CSV (label first, then the k f features). */
  private static Path csv(Path file, PlantedInstance inst, double labelShift) throws IOException {
    StringBuilder sb = new StringBuilder();
    int d = inst.design().x().cols();
    for (int i = 0; i < inst.design().n(); i++) {
      sb.append(inst.labels()[i] + labelShift);
      for (int c = 0; c < d; c++) {
        sb.append(',').append(inst.design().x().get(i, c));
      }
      sb.append('\n');
    }
    Files.writeString(file, sb.toString());
    return file;
  }

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  @Test
  void drawsRecoverThePlantedFilterAndTheNaiveRelaxationDoesNot() throws IOException {
    PlantedInstance inst = PlantedInstance.gaussian(200, 2, 10, 42);
    Path train = csv(tmp.resolve("train.csv"), inst, 0.0);
    Path out = tmp.resolve("lp");
    assertEquals(0, CnnRelaxationJob.run(new String[] {"--train", train.toString(), "--test",
        train.toString(), "--blocks", "2", "--draws", "12", "--seed", "1", "--out",
        out.toString()}));
    JsonNode s = summary(out);
    for (String key : List.of("filter", "trainLoss", "testLoss", "draws", "bestDraw",
        "unboundedDraws", "gaps", "seconds")) {
      assertTrue(s.has(key), "summary lacks " + key);
    }
    assertEquals(10, s.get("filter").size());
    assertEquals(12, s.get("gaps").size());
    double[] w = new double[10];
    for (int l = 0; l < 10; l++) {
      w[l] = s.get("filter").get(l).asDouble();
    }
    assertTrue(inst.relativeError(w) <= 1e-6, "error " + inst.relativeError(w));
    assertTrue(s.get("trainLoss").asDouble() < 1e-10);
    for (JsonNode g : s.get("gaps")) {
      assertTrue(g.get("relativeGap").asDouble() <= 1e-8, g.toString());
    }
    assertEquals(11, Files.readAllLines(out.resolve("filter.csv")).size());

    Path naive = tmp.resolve("naive");
    assertEquals(0, CnnRelaxationJob.run(new String[] {"--train", train.toString(), "--blocks",
        "2", "--draws", "0", "--out", naive.toString()}));
    JsonNode n = summary(naive);
    assertEquals(-1, n.get("bestDraw").asInt());
    double zeroLoss = inst.design().meanSquaredError(new double[10], inst.labels());
    assertTrue(n.get("trainLoss").asDouble() > 0.01 * zeroLoss, n.toString());
  }

  @Test
  void badInputGivesOneLineErrorsAndNoOutput() throws IOException {
    PlantedInstance inst = PlantedInstance.gaussian(30, 2, 3, 7);
    Path ok = csv(tmp.resolve("ok.csv"), inst, 0.0);
    Path negative = csv(tmp.resolve("neg.csv"), inst, -1e6);
    Path out = tmp.resolve("out");
    assertEquals(3, CnnRelaxationJob.run(new String[] {"--train", negative.toString(),
        "--blocks", "2", "--out", out.toString()}));
    assertEquals(2, CnnRelaxationJob.run(new String[] {"--train", ok.toString(), "--blocks",
        "4", "--out", out.toString()}));
    assertEquals(2, CnnRelaxationJob.run(new String[] {"--train", ok.toString(), "--blocks",
        "0", "--out", out.toString()}));
    assertEquals(2, CnnRelaxationJob.run(new String[] {"--train", ok.toString(), "--blocks",
        "7", "--out", out.toString()}));
    assertEquals(2, CnnRelaxationJob.run(new String[] {"--train", ok.toString(), "--blocks",
        "2", "--beta", "-1", "--out", out.toString()}));
    assertFalse(Files.exists(out));
  }

  @Test
  void quickPhaseTransitionGrid() throws IOException {
    Path out = tmp.resolve("phase");
    assertEquals(0, PhaseTransitionJob.run(new String[] {"--quick", "--out", out.toString()}));
    List<String> rows = Files.readAllLines(out.resolve("cells.csv"));
    assertEquals(1 + 9, rows.size());
    List<String> header = List.of(rows.get(0).split(","));
    for (String row : rows.subList(1, rows.size())) {
      String[] v = row.split(",");
      assertEquals("0", v[header.indexOf("coneDisagreements")], row);
      assertEquals("0", v[header.indexOf("uncertified")], row);
    }
    for (String png : List.of("relaxation-min-error.png", "gd-min-error.png",
        "relaxation-success-rate.png", "gd-success-rate.png", "relaxation-any.png",
        "gd-any.png")) {
      assertTrue(Files.size(out.resolve(png)) > 1000, png);
    }
    assertTrue(Files.readString(out.resolve("report.md")).contains("eq. (14): 0 of 270"));
  }

  /** The MNIST experiment on 300 + 300 digits, when the shared copy is present. */
  @Test
  void mnistRotationOnASmallSplit() throws IOException {
    Path data = Path.of("/work/shared/data/mnist-10k");
    assumeTrue(Files.exists(data.resolve("mnist-10k-images-idx3-ubyte.gz")),
        "MNIST not found at " + data + ": test skipped");
    Path out = tmp.resolve("mnist");
    assertEquals(0, MnistRotationJob.run(new String[] {"--data", data.toString(),
        "--train-size", "300", "--test-size", "300", "--draws", "2", "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(49, s.get("filter").size());
    assertTrue(s.get("pixelsTestRmse").asDouble() > 0.0);
    assertTrue(s.get("withFilterTestRmse").asDouble() > 0.0);
    assertEquals(4, Files.readAllLines(out.resolve("results.csv")).size());
    assertTrue(Files.size(out.resolve("filter.png")) > 1000);
    assertTrue(Files.readString(out.resolve("report.md")).contains("17.04"));
    assertEquals(2, MnistRotationJob.run(new String[] {"--data", data.toString(), "--patch",
        "5", "--out", tmp.resolve("bad").toString()}));
  }
}
