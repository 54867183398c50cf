package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.report.SelectionReport;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compare --select-on-validation end to end on a small generated classification task: the
 * files, every candidate in selection.csv with the validation argmax of each side marked, a
 * selection that does not change when the test set does (it never reads it), and one-line
 * usage or data errors with no output for bad input.
 */
class SelectOnValidationJobTest {
  private static final String[] GRID = {"--bias", "--patterns", "8,16", "--select-betas",
      "0.1,0.01", "--select-lrs", "0.01,0.05", "--neurons", "8", "--inits", "3", "--epochs",
      "6", "--batch-size", "20", "--tol", "1e-5", "--validation-fraction", "0.25"};
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

  /** Labels +1 inside the ball |x| < 1.6 in four dimensions, 10% flipped; flip = all negated. */
  private Path ball(String name, int n, long seed, boolean flip) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double[] x = new double[4];
      double r2 = 0;
      for (int j = 0; j < 4; j++) {
        x[j] = rng.nextGaussian();
        r2 += x[j] * x[j];
      }
      boolean inside = r2 < 1.6 * 1.6 ^ rng.nextDouble() < 0.1;
      sb.append(inside ^ flip ? 1 : -1);
      for (double v : x) {
        sb.append(',').append(v);
      }
      sb.append('\n');
    }
    Path p = tmp.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  private static int run(Path train, Path test, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("--select-on-validation", "--train",
        train.toString(), "--out", out.toString()));
    if (test != null) {
      args.addAll(List.of("--test", test.toString()));
    }
    args.addAll(Arrays.asList(GRID));
    args.addAll(Arrays.asList(extra));
    return CompareJob.run(args.toArray(String[]::new));
  }

  /** selection.csv without its seconds column (timings differ between runs). */
  private static List<String> withoutSeconds(Path csv) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
      cells.remove(10);
      out.add(String.join(",", cells));
    }
    return out;
  }

  @Test
  void selectsEachSideOnValidationRowsAndReportsBothOnTest() throws IOException {
    Path train = ball("train.csv", 160, 1, false);
    Path out = tmp.resolve("report");
    assertEquals(0, run(train, ball("test.csv", 80, 2, false), out));
    for (String f : List.of("report.md", SelectionReport.CSV, "summary.json",
        SelectionReport.PLOT)) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    List<String> csv = Files.readAllLines(out.resolve(SelectionReport.CSV));
    // Convex: 2 P x 2 betas; SGD: 2 betas x 2 lrs x 6 epochs.
    assertEquals(1 + 4 + 24, csv.size());
    List<String> header = Arrays.asList(csv.get(0).split(","));
    int validation = header.indexOf("validationAccuracy");
    int selected = header.indexOf("selected");
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    for (String side : List.of("convex", "sgd")) {
      double best = Double.NEGATIVE_INFINITY;
      int bestRow = -1;
      int marked = -1;
      for (int k = 1; k < csv.size(); k++) {
        String[] row = csv.get(k).split(",", -1);
        if (!row[0].equals(side) || row[validation].isEmpty()) {
          continue;
        }
        double v = Double.parseDouble(row[validation]);
        if (v > best) {
          best = v;
          bestRow = k;
        }
        if (row[selected].equals("true")) {
          assertEquals(-1, marked, "one selected row per side");
          marked = k;
        }
      }
      assertEquals(bestRow, marked, side + ": the first row with the highest validation");
      String key = side.equals("convex") ? "validationAccuracy" : "medianValidationAccuracy";
      assertEquals(best, s.get(side).get(key).asDouble(), 0.0);
    }
    JsonNode convex = s.get("convex");
    assertTrue(convex.get("certified").asBoolean(), convex.toString());
    assertTrue(convex.get("relativeGap").asDouble() <= 1e-5);
    JsonNode sgd = s.get("sgd");
    assertEquals(3, sgd.get("testAccuracy").size());
    assertTrue(sgd.get("reproduction").asDouble() <= 1e-9, "the SGD reruns repeat the runs");
    assertEquals(convex.get("testAccuracy").asDouble()
        >= sgd.get("medianTestAccuracy").asDouble(),
        s.get("convexTestAccuracyAtLeastSgdMedian").asBoolean());
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("The validation-selected convex model tests at"), report);
    assertTrue(report.contains("120 / 40 / 80"), "fit / validation / test rows");

    // The same run with every test label flipped: the selection is the same, the test
    // accuracies change.
    Path flipped = tmp.resolve("flipped");
    assertEquals(0, run(train, ball("test-flipped.csv", 80, 2, true), flipped));
    assertEquals(withoutSeconds(out.resolve(SelectionReport.CSV)),
        withoutSeconds(flipped.resolve(SelectionReport.CSV)));
    JsonNode f = new ObjectMapper().readTree(flipped.resolve("summary.json").toFile());
    assertEquals(1.0, convex.get("testAccuracy").asDouble()
        + f.get("convex").get("testAccuracy").asDouble(), 1e-12);
  }

  @Test
  void badInputIsOneLineAndNoOutput() throws IOException {
    Path train = ball("train.csv", 60, 3, false);
    Path test = ball("test.csv", 20, 4, false);
    Path out = tmp.resolve("never");
    assertEquals(2, run(train, test, out, "--validation-fraction", "1.5"));
    assertEquals(2, run(train, null, out));
    assertEquals(2, run(train, test, out, "--polish"));
    assertEquals(2, run(train, test, out, "--select-lrs", "0.1,fast"));
    assertEquals(3, run(Path.of("data-samples/planted_n300_d5.csv"),
        Path.of("data-samples/planted_n300_d5_test.csv"), out), "regression labels");
    assertFalse(Files.exists(out));
  }
}
