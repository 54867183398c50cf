package io.cvxrelu.job;

import io.cvxrelu.report.ComparisonReport;
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
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The compare job end to end on 1-D data with a bias and every sign pattern enumerated. */
class CompareJobTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};
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

  /**
   * What {@code jobs/figure2.sh} runs for its largest n: conf/figure2.properties (every pattern,
   * m = 5 and 20, 10 initialisations each) on the generator's 1-D task.
   */
  @Test
  void figure2ConfigReportsNoSgdRunBelowTheOptimum() throws IOException {
    Path train = tmp.resolve("train_n20.csv");
    Path test = tmp.resolve("test_n20.csv");
    assertEquals(0, GenerateSyntheticData.run(new String[] {"--task", "oned", "--train",
        train.toString(), "--test", test.toString(), "--n-train", "20", "--seed", "20"}));
    Path out = tmp.resolve("figure2");
    assertEquals(0, CompareJob.run(new String[] {"--conf", "conf/figure2.properties", "--train",
        train.toString(), "--test", test.toString(), "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(s.get("convex").get("relativeGap").asDouble() <= 1e-6, s.get("convex").toString());
    assertEquals(0, s.get("sgdRunsBelowOptimum").asInt());
    JsonNode inits = s.get("sgd").get("inits");
    assertEquals(20, inits.size());
    assertEquals(5, inits.get(0).get("neurons").asInt());
    assertEquals(20, inits.get(19).get("neurons").asInt());
    double lowerBound = s.get("convex").get("lowerBound").asDouble();
    for (JsonNode e : inits) {
      assertTrue(e.get("objective").asDouble() >= lowerBound, e + " below " + lowerBound);
    }
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("- SGD runs below the optimum: none of 20"), report);
    assertTrue(report.contains("| SGD m = 5 median |") && report.contains("| SGD m = 20 median |"));
    assertTrue(Files.exists(out.resolve("sgd-m20-init-9.csv")));
  }

  /** conf/exact-vs-sampled.properties at its smallest n: exact <= sampled, exact <= SGD. */
  @Test
  void exactVsSampledConfigOrdersTheThreeObjectives() throws IOException {
    Path train = tmp.resolve("train_n50.csv");
    Path test = tmp.resolve("test_n50.csv");
    assertEquals(0, GenerateSyntheticData.run(new String[] {"--task", "oned", "--train",
        train.toString(), "--test", test.toString(), "--n-train", "50", "--seed", "50"}));
    Path out = tmp.resolve("evs");
    assertEquals(0, CompareJob.run(new String[] {"--conf", "conf/exact-vs-sampled.properties",
        "--train", train.toString(), "--test", test.toString(), "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    JsonNode exact = s.get("convex");
    JsonNode sampled = s.get("sampledConvex");
    assertTrue(exact.get("relativeGap").asDouble() <= 1e-6, exact.toString());
    assertTrue(sampled.get("relativeGap").asDouble() <= 1e-6, sampled.toString());
    assertEquals(10, sampled.get("patterns").asInt());
    assertTrue(exact.get("patterns").asInt() > 50, exact.toString());
    double lowerBound = exact.get("lowerBound").asDouble();
    assertTrue(sampled.get("objective").asDouble() >= lowerBound, sampled + " vs " + exact);
    for (JsonNode e : s.get("sgd").get("inits")) {
      assertTrue(e.get("objective").asDouble() >= lowerBound, e + " below " + lowerBound);
    }
    assertEquals(0, s.get("sgdRunsBelowOptimum").asInt());
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| convex sampled (relu, P = 10) |"), report);
    assertTrue(report.contains("- exact <= sampled: yes"), report);
    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
    assertEquals(1 + 2 + 10, csv.size());
    assertTrue(Files.exists(out.resolve("convex-sampled-history.csv")));
  }

  /**
   * conf/compare-cifar10-catdog.properties names the classes and keys the job understands: run
   * on a tiny CIFAR-10 style folder (cats brighter than dogs), with the sizes cut down.
   */
  @Test
  void catDogConfigSelectsCatsAndDogs() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("cifar"));
    SplittableRandom rng = new SplittableRandom(5);
    for (String f : new String[] {"data_batch_1.bin", "test_batch.bin"}) {
      int records = 30;
      byte[] b = new byte[records * 3073];
      for (int r = 0; r < records; r++) {
        int label = new int[] {3, 5, 0}[r % 3];
        b[r * 3073] = (byte) label;
        for (int j = 0; j < 3072; j++) {
          b[r * 3073 + 1 + j] = (byte) (rng.nextInt(150) + (label == 3 ? 100 : 0));
        }
      }
      Files.write(dir.resolve(f), b);
    }
    Path out = tmp.resolve("catdog");
    assertEquals(0, CompareJob.run(new String[] {"--conf",
        "conf/compare-cifar10-catdog.properties", "--train", dir.toString(), "--out",
        out.toString(), "--patterns", "5", "--neurons", "3", "--inits", "1", "--epochs", "2",
        "--max-iter", "300"}));
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("cat") && report.contains("dog"), report);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    // 10 cats and 10 dogs per file; the airplanes are not part of the task.
    assertTrue(report.contains("| 20 / 20 / 3072 (+ bias) |"), report);
    assertTrue(s.get("convex").get("testAccuracy").asDouble() > 0.9, s.toString());
    // The report states each convex row's test accuracy against the SGD median, as the
    // summary's boolean does.
    double median = s.get("sgd").get("medianTestAccuracy").asDouble();
    boolean atLeast = s.get("convexTestAccuracyAtLeastSgdMedian").asBoolean();
    assertEquals(s.get("convex").get("testAccuracy").asDouble() >= median, atLeast);
    assertTrue(report.contains(String.format(java.util.Locale.ROOT,
        "- Test accuracy against the median SGD run's %.4f: convex (gated) %.4f (%s)", median,
        s.get("convex").get("testAccuracy").asDouble(),
        atLeast ? "at least the median" : "below the median")), report);
  }

  /**
   * --polish: the convex program over the best SGD network's own patterns (plus the sampled
   * ones), started from that network, gives a network no worse than it; the ReLU program
   * recovers a ReLU network, the gated program (gates: the SGD neurons and the sampled ones) a
   * gated one, certified to the tolerance.
   */
  @ParameterizedTest
  @ValueSource(strings = {"relu", "gated"})
  void polishedNetworkIsNoWorseThanTheBestSgdRun(String polishModel) throws IOException {
    Path out = tmp.resolve("polish-" + polishModel);
    assertEquals(0, CompareJob.run(new String[] {"--train", "data-samples/planted_n300_d5.csv",
        "--model", "gated", "--patterns", "10", "--beta", "2.0", "--neurons", "8", "--inits",
        "3", "--epochs", "40", "--batch-size", "30", "--optimizer", "adam", "--lr", "0.01",
        "--polish", "--polish-model", polishModel, "--polish-seconds", "60", "--tol", "1e-6",
        "--out", out.toString()}));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    JsonNode p = s.get("polish");
    assertTrue(p.get("atOrBelowBestSgd").asBoolean(), p.toString());
    double best = Double.POSITIVE_INFINITY;
    for (JsonNode e : s.get("sgd").get("inits")) {
      best = Math.min(best, e.get("objective").asDouble());
    }
    assertEquals(best, p.get("startObjective").asDouble(), 1e-9 * best);
    assertTrue(p.get("nonconvexObjective").asDouble() <= best, p.toString());
    assertTrue(p.get("patterns").asInt() > 10, "the neurons' patterns are added");
    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
    assertTrue(csv.get(2).startsWith("convex polish of SGD init "), csv.get(2));
    assertTrue(csv.get(2).contains("(" + polishModel + ")"), csv.get(2));
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains(polishModel.equals("relu") ? "Polish: the network recovered"
        : "Polish: the gated network") && report.contains("no worse"), report);
    assertTrue(Files.exists(out.resolve("convex-polish-history.csv")));
    if (polishModel.equals("gated")) {
      // The gated program has no cone constraints: FISTA certifies it within the budget, and
      // the gated network's objective is the convex one.
      assertTrue(p.get("relativeGap").asDouble() <= 1e-6, p.toString());
      assertEquals(p.get("objective").asDouble(), p.get("nonconvexObjective").asDouble(),
          1e-8 * best, p.toString());
    }
    // Polishing needs sampled patterns to add to.
    assertEquals(2, CompareJob.run(new String[] {"--train", "data-samples/planted_n300_d5.csv",
        "--patterns", "all", "--polish", "--out", tmp.resolve("none").toString()}));
  }

  @Test
  void usageErrorsLeaveNoReport() throws IOException {
    Path out = tmp.resolve("none");
    String train = oneDimensional("t.csv", 8, 3).toString();
    assertEquals(2, CompareJob.run(new String[] {"--train", train, "--model", "convex", "--out",
        out.toString()}));
    // The approximate program is compared with the exact one only.
    assertEquals(2, CompareJob.run(new String[] {"--train", train, "--patterns", "10",
        "--sampled-patterns", "5", "--out", out.toString()}));
    assertEquals(2, CompareJob.run(new String[] {"--train", train, "--neurons", "5,0", "--out",
        out.toString()}));
    assertFalse(Files.exists(out));
  }
}
