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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-convex with the distributed solver reads its data on the executors ({@link
 * ExecutorInputRun}) and gives the run that reads them on the driver: the same objective,
 * weights and summary. A malformed row in the last of several partitions is the job's one-line
 * data error, naming the file and the line, with nothing written.
 */
class ExecutorInputJobTest {
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

  /** n rows "y,x1,x2" with a noisy ReLU teacher's labels. */
  private Path csv(String name, int n, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("label,a,b\n");
    for (int i = 0; i < n; i++) {
      double a = rng.nextGaussian();
      double b = rng.nextGaussian();
      double y = Math.max(0, a - 0.5 * b) - Math.max(0, b + 0.2) + 0.1 * rng.nextGaussian();
      sb.append(y).append(',').append(a).append(',').append(b).append('\n');
    }
    Path p = tmp.resolve(name);
    Files.writeString(p, sb.toString());
    return p;
  }

  private static JsonNode json(Path out, String file) throws IOException {
    return new ObjectMapper().readTree(out.resolve(file).toFile());
  }

  private static double[] numbers(JsonNode node) {
    List<Double> all = new ArrayList<>();
    collect(node, all);
    return all.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void collect(JsonNode node, List<Double> into) {
    if (node.isNumber()) {
      into.add(node.asDouble());
    }
    for (JsonNode child : node) {
      collect(child, into);
    }
  }

  private int run(Path train, Path test, Path out, String model, String... extra) {
    List<String> args = new ArrayList<>(List.of("--train", train.toString(), "--test",
        test.toString(), "--out", out.toString(), "--model", model, "--patterns", "12",
        "--bias", "--seed", "3", "--solver", "distributed", "--partitions", "1"));
    args.addAll(List.of(extra));
    return TrainConvexJob.run(args.toArray(new String[0]));
  }

  /**
   * --certify-all true keeps the rows on the driver (the arrangement's cells are enumerated
   * from them); both runs use one partition, so the solver sees the same single row block.
   */
  private void assertSameAsDriverPath(String model, String... budget) throws IOException {
    Path train = csv("train.csv", 16, 1);
    Path test = csv("test.csv", 10, 2);
    Path driver = tmp.resolve(model + "-driver");
    Path executors = tmp.resolve(model + "-executors");
    List<String> d = new ArrayList<>(List.of(budget));
    d.addAll(List.of("--certify-all", "true"));
    assertEquals(0, run(train, test, driver, model, d.toArray(new String[0])));
    assertEquals(0, run(train, test, executors, model, budget));
    JsonNode a = json(driver, "summary.json");
    JsonNode b = json(executors, "summary.json");
    assertTrue(a.has("globalLowerBound"), "the reference run kept the rows on the driver");
    assertFalse(b.has("globalLowerBound"), "the executor run never held the rows");
    Iterator<String> keys = a.fieldNames();
    List<String> expected = new ArrayList<>();
    keys.forEachRemaining(k -> {
      if (!k.startsWith("global")) {
        expected.add(k);
      }
    });
    List<String> actual = new ArrayList<>();
    b.fieldNames().forEachRemaining(actual::add);
    assertEquals(expected, actual, "the same summary keys in the same order");
    for (String k : List.of("objective", "lowerBound", "nonconvexObjective", "betaMax", "beta",
        "trainMse", "testMse")) {
      double ref = a.get(k).asDouble();
      assertEquals(ref, b.get(k).asDouble(), 1e-9 * Math.max(1.0, Math.abs(ref)), k);
    }
    for (String k : List.of("n", "d", "patterns", "iterations", "stopReason", "solver")) {
      assertEquals(a.get(k).asText(), b.get(k).asText(), k);
    }
    assertArrayEquals(numbers(json(driver, "model.json")), numbers(json(executors,
        "model.json")), 1e-9, "model.json");
    assertEquals(Files.readAllLines(driver.resolve("history.csv")).get(0),
        Files.readAllLines(executors.resolve("history.csv")).get(0), "history.csv header");
  }

  @Test
  void gatedRunOnTheExecutorsEqualsTheDriverPath() throws IOException {
    assertSameAsDriverPath("gated");
  }

  @Test
  void reluRunOnTheExecutorsEqualsTheDriverPathStepForStep() throws IOException {
    assertSameAsDriverPath("relu", "--max-iter", "40");
  }

  @Test
  void malformedRowInTheLastPartitionIsOneDataErrorAndNothingIsWritten() throws IOException {
    StringBuilder sb = new StringBuilder();
    SplittableRandom rng = new SplittableRandom(5);
    int n = 4000;
    int bad = n - 7;
    for (int i = 1; i <= n; i++) {
      sb.append(rng.nextGaussian()).append(',')
          .append(i == bad ? "oops" : Double.toString(rng.nextGaussian())).append(',')
          .append(rng.nextGaussian()).append('\n');
    }
    Path train = tmp.resolve("big.csv");
    Files.writeString(train, sb.toString());
    Path out = tmp.resolve("never");
    TrainConvexRun run = TrainConvexRun.of("--train", train.toString(), "--out",
        out.toString(), "--solver", "distributed", "--partitions", "4", "--patterns", "5");
    int code = run.code();
    String err = run.stderr().strip();
    assertEquals(3, code, err);
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("train-convex: data error: "), err);
    assertTrue(err.contains(train.getFileName().toString()) && err.contains("line " + bad),
        "names the file and the record: " + err);
    assertFalse(err.contains("\tat ") || err.contains("Exception"), err);
    assertFalse(Files.exists(out), "nothing written");
  }
}
