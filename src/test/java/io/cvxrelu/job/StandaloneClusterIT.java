package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's real cluster: a Spark standalone Master and two one-core Workers from the project's
 * own jars ({@link StandaloneCluster}), and every job submitted to it through
 * {@code org.apache.spark.deploy.SparkSubmit} with the shaded jar, as a user would. Executors
 * run in JVMs of their own whose classpath is Spark's jars plus the shaded jar, so a class the
 * shaded jar lacks fails here. Each job must run its tasks on both executors (spark-submit's
 * master is the job's master) and write complete outputs; the ReLU program certified on the
 * cluster must reach the certified single-node optimum to 1e-6, and the gated program, with a
 * fixed budget of steps, the same iterates as in {@code local[2]}.
 * Prints the seconds of every step. Needs {@code mvn package}, so it runs under failsafe in
 * {@code mvn verify}.
 */
class StandaloneClusterIT {
  private static final int WORKERS = 2;
  private static final double START_SECONDS = 180;
  private static final double SUBMIT_SECONDS = 300;
  private static final double RELATIVE_TOLERANCE = 1e-6;
  private static final String TRAIN = sample("planted_n300_d5.csv");
  private static final String TEST = sample("planted_n300_d5_test.csv");
  private static final Map<String, Double> SECONDS = new LinkedHashMap<>();
  private static final long CLASS_START = System.nanoTime();

  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    cluster = StandaloneCluster.start(tmp, Path.of(property("cvxrelu.runtimeClasspath")),
        WORKERS, START_SECONDS);
    record("cluster up (master + " + WORKERS + " workers registered)",
        (System.nanoTime() - start) * 1e-9);
  }

  @AfterAll
  static void stopCluster() {
    long start = System.nanoTime();
    if (cluster != null) {
      cluster.close();
    }
    record("cluster stopped", (System.nanoTime() - start) * 1e-9);
    record("whole class", (System.nanoTime() - CLASS_START) * 1e-9);
    StringBuilder b = new StringBuilder("StandaloneClusterIT timings:\n");
    SECONDS.forEach((step, s) -> b.append(String.format(Locale.ROOT, "  %-58s %7.1f s%n", step,
        s)));
    System.out.print(b);
  }

  /**
   * The exact network's program (ReLU, the distributed interior point) certified on the cluster
   * reaches the optimum the single-node solver certifies on the same rows and patterns, to
   * 1e-6.
   */
  @Test
  void reluCertifiedOnTheClusterEqualsTheCertifiedLocalSolve() throws Exception {
    String[] args = {"--train", TRAIN, "--test", TEST, "--model", "relu", "--patterns", "20",
        "--seed", "3", "--partitions", "4", "--tol", "1e-8"};
    Path onCluster = succeed("train-convex-relu", cluster.masterUrl(),
        "io.cvxrelu.job.TrainConvexJob", concat(args, "--solver", "distributed"));
    assertRanOnTheExecutors("train-convex-relu");
    assertOutputs(onCluster);
    Path local = succeed("train-convex-relu-local", "local[2]", "io.cvxrelu.job.TrainConvexJob",
        concat(args, "--solver", "local"));
    JsonNode c = summary(onCluster);
    JsonNode l = summary(local);
    assertEquals(300, c.get("n").asInt());
    assertTrue(c.get("certified").asBoolean(), "not certified on the cluster: " + c);
    assertTrue(l.get("certified").asBoolean(), "the local solve is not certified: " + l);
    assertTrue(c.get("solver").asText().startsWith("Distributed"), c.get("solver").asText());
    assertClose(c, l, "objective");
    System.out.printf(Locale.ROOT, "StandaloneClusterIT: relu certified on the cluster: "
        + "objective %.12g, gap %.3g, %d iterations (local %s: %.12g)%n",
        c.get("objective").asDouble(), c.get("relativeGap").asDouble(),
        c.get("iterations").asLong(), l.get("solver").asText(), l.get("objective").asDouble());
  }

  /**
   * The gated program on the cluster follows the same iterates as in local mode: with a fixed
   * budget of steps both runs make the same iterations and give the same numbers. (Certifying
   * 1e-6 takes the distributed FISTA hundreds of one-job steps, too long for this suite.)
   */
  @Test
  void gatedOnTheClusterEqualsTheSameRunInLocalMode() throws Exception {
    String[] args = {"--train", TRAIN, "--test", TEST, "--model", "gated", "--patterns", "20",
        "--seed", "3", "--solver", "distributed", "--partitions", "4", "--max-iter", "10"};
    Path onCluster = succeed("train-convex-gated", cluster.masterUrl(),
        "io.cvxrelu.job.TrainConvexJob", args);
    assertRanOnTheExecutors("train-convex-gated");
    assertOutputs(onCluster);
    Path local = succeed("train-convex-gated-local", "local[2]",
        "io.cvxrelu.job.TrainConvexJob", args);
    JsonNode c = summary(onCluster);
    JsonNode l = summary(local);
    assertEquals(300, c.get("n").asInt());
    assertEquals(l.get("iterations").asLong(), c.get("iterations").asLong());
    assertEquals(l.get("stopReason").asText(), c.get("stopReason").asText());
    for (String key : List.of("objective", "lowerBound", "constraintViolation")) {
      assertClose(c, l, key);
    }
  }

  /**
   * The driver's heap (512 MB) is smaller than the data, on disk and as doubles: a job that
   * pulled the rows, the masks or any n-sized array through the driver would fail with
   * OutOfMemoryError. The rows are read, standardised, masked and solved on two executors of
   * 1.5 GB; a few distributed gated steps suffice to show the passes run there.
   */
  @Test
  void trainsOnMoreDataThanTheDriversHeap() throws Exception {
    int d = 20;
    Path big = tmp.resolve("bigger-than-the-driver.csv");
    long rows = writePlanted(big, d, 640L << 20);
    long fileBytes = Files.size(big);
    long doubles = rows * (d + 1L) * Double.BYTES;
    long driverHeap = 512L << 20;
    assertTrue(fileBytes > driverHeap && doubles > driverHeap, "data too small: file "
        + fileBytes + " B, " + doubles + " B as doubles");
    Path out = tmp.resolve("out").resolve("train-convex-big");
    StandaloneCluster.Submission s = cluster.submit("train-convex-big", cluster.masterUrl(),
        eventLog("train-convex-big"), property("cvxrelu.shadedJar"),
        "io.cvxrelu.job.TrainConvexJob", List.of("--train", big.toString(), "--model", "gated",
            "--patterns", "16", "--seed", "3", "--solver", "distributed", "--partitions", "8",
            "--max-iter", "3", "--out", out.toString()), SUBMIT_SECONDS, "1536m");
    record("spark-submit train-convex-big (" + rows + " rows, " + (fileBytes >> 20)
        + " MiB of CSV, " + (doubles >> 20) + " MiB as doubles; driver 512 MiB)", s.seconds());
    assertEquals(0, s.exitCode(), "spark-submit train-convex-big exited " + s.exitCode()
        + "; driver log:\n" + s.tail());
    assertRanOnTheExecutors("train-convex-big");
    assertOutputs(out);
    JsonNode c = summary(out);
    assertEquals(rows, c.get("n").asLong());
    assertTrue(Double.isFinite(c.get("objective").asDouble())
        && c.get("lowerBound").asDouble() <= c.get("objective").asDouble(), c.toString());
  }

  /**
   * Writes at least {@code bytes} of CSV rows (d features in [-1, 1) with three decimals, then
   * a planted two-neuron label) and returns the row count. Formatted by hand: String.format
   * would spend a minute on 70 million numbers.
   */
  private static long writePlanted(Path file, int d, long bytes) throws IOException {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
    long rows = 0;
    long written = 0;
    StringBuilder line = new StringBuilder(256);
    int[] feature = new int[d];
    try (java.io.Writer w = Files.newBufferedWriter(file)) {
      while (written < bytes) {
        line.setLength(0);
        for (int j = 0; j < d; j++) {
          feature[j] = rng.nextInt(-1000, 1000);
          appendMillis(line, feature[j]).append(',');
        }
        int label = Math.max(feature[0] + feature[1], 0) - Math.max(feature[2] - feature[3], 0)
            + rng.nextInt(-50, 50);
        appendMillis(line, label).append('\n');
        w.append(line);
        written += line.length();
        rows++;
      }
    }
    return rows;
  }

  /** v / 1000 with three decimals. */
  private static StringBuilder appendMillis(StringBuilder b, int v) {
    if (v < 0) {
      b.append('-');
      v = -v;
    }
    b.append(v / 1000).append('.');
    int frac = v % 1000;
    return b.append((char) ('0' + frac / 100)).append((char) ('0' + frac / 10 % 10))
        .append((char) ('0' + frac % 10));
  }

  private static void assertOutputs(Path out) throws IOException {
    for (String f : List.of("summary.json", "model.json", "history.csv")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f + " missing or empty");
    }
    assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 1,
        "history.csv has no iteration rows");
  }

  private static void assertClose(JsonNode cluster, JsonNode local, String key) {
    double a = cluster.get(key).asDouble();
    double b = local.get(key).asDouble();
    assertTrue(Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1.0, Math.abs(b)),
        key + " on the cluster " + a + ", in local mode " + b);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void trainSgdRunsItsInitialisationsOnTheExecutors() throws Exception {
    Path out = succeed("train-sgd", cluster.masterUrl(), "io.cvxrelu.job.TrainSgdJob",
        "--train", TRAIN, "--test", TEST, "--neurons", "10", "--inits", "2", "--epochs", "5",
        "--seed", "3");
    assertRanOnTheExecutors("train-sgd");
    assertEquals(2, summary(out).get("inits").size());
    for (int k = 0; k < 2; k++) {
      for (String f : List.of("history.csv", "network.csv")) {
        assertTrue(Files.size(out.resolve("init-" + k).resolve(f)) > 0, "init-" + k + "/" + f);
      }
    }
  }

  @Test
  void compareFinishesWithItsReportAndPlots() throws Exception {
    Path out = succeed("compare", cluster.masterUrl(), "io.cvxrelu.job.CompareJob",
        "--train", TRAIN, "--test", TEST, "--patterns", "10", "--neurons", "10", "--inits", "2",
        "--epochs", "5", "--seed", "3");
    assertRanOnTheExecutors("compare");
    for (String f : List.of("report.md", "comparison.csv", "summary.json", "convex-history.csv",
        "sgd-init-0.csv", "sgd-init-1.csv")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f + " missing or empty");
    }
    // Regression data: no accuracy, so the two objective plots (ComparisonReport.plots).
    byte[] pngSignature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    String report = Files.readString(out.resolve("report.md"));
    for (String plot : List.of("objective_vs_iteration.png", "objective_vs_seconds.png")) {
      byte[] png = Files.readAllBytes(out.resolve(plot));
      assertTrue(png.length > 1000 && Arrays.equals(pngSignature,
          Arrays.copyOf(png, pngSignature.length)), plot + " is not a PNG image");
      assertTrue(report.contains(plot), "report.md does not show " + plot);
    }
  }

  /**
   * Submits {@code mainClass} with {@code jobArgs} plus {@code --out}, records its seconds and
   * asserts exit code 0; returns the output folder.
   */
  private static Path succeed(String name, String master, String mainClass, String... jobArgs)
      throws IOException, InterruptedException {
    Path out = tmp.resolve("out").resolve(name);
    List<String> args = new ArrayList<>(List.of(jobArgs));
    args.addAll(List.of("--out", out.toString()));
    StandaloneCluster.Submission s = cluster.submit(name, master, eventLog(name),
        property("cvxrelu.shadedJar"), mainClass, args, SUBMIT_SECONDS);
    record("spark-submit " + name + " (" + master + ")", s.seconds());
    assertEquals(0, s.exitCode(), "spark-submit " + name + " exited " + s.exitCode()
        + "; driver log:\n" + s.tail());
    return out;
  }

  /** Every task of the application ran on an executor, and each of the two executors ran some. */
  private static void assertRanOnTheExecutors(String name) throws IOException {
    Map<String, Integer> tasks = StandaloneCluster.tasksPerExecutor(eventLog(name));
    System.out.println("StandaloneClusterIT: " + name + " tasks per executor " + tasks);
    assertFalse(tasks.containsKey("driver"), name + " ran its tasks in the driver (local"
        + " mode), not on the cluster spark-submit named: " + tasks);
    assertTrue(tasks.size() >= WORKERS, name + " did not run tasks on all " + WORKERS
        + " executors: " + tasks);
  }

  private static Path eventLog(String name) {
    return tmp.resolve("event-logs").resolve(name);
  }

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  private static synchronized void record(String step, double seconds) {
    SECONDS.put(step, seconds);
    System.out.printf(Locale.ROOT, "StandaloneClusterIT: %s: %.1f s%n", step, seconds);
  }

  private static String sample(String file) {
    return Path.of("data-samples", file).toAbsolutePath().toString();
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    assertTrue(v != null && Files.exists(Path.of(v)), name + " (" + v + ") missing: run mvn"
        + " verify, which packages the jar before the integration tests");
    return v;
  }
}
