package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The train-convex job end to end in local mode, one SparkSession for the class. */
class TrainConvexJobTest {
  private static SparkSession spark;
  private static final String[] SUMMARY_KEYS = {"objective", "lowerBound", "relativeGap",
      "nonconvexObjective", "constraintViolation", "neurons", "patterns", "iterations",
      "seconds", "stopReason"};

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

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "gated"})
  void reproducesTheReferenceOptimumFromGateFile(String model) throws IOException {
    Path dir = Fixtures.root() == null ? null : Fixtures.root().resolve("toy_n12");
    assumeTrue(dir != null && Files.isDirectory(dir), "fixtures absent");
    Fixtures.Instance f = Fixtures.load(dir);
    Path out = tmp.resolve("out-" + model);
    int code = TrainConvexJob.run(new String[] {"--train", dir.resolve("data.csv").toString(),
        "--gates", dir.resolve("G.csv").toString(), "--beta", Double.toString(f.beta()),
        "--model", model, "--out", out.toString()});
    assertEquals(0, code);
    JsonNode s = summary(out);
    for (String k : SUMMARY_KEYS) {
      assertTrue(s.has(k), "summary lacks " + k);
    }
    double ref = model.equals("relu") ? f.reluOptimum() : f.gatedOptimum();
    assertEquals(ref, s.get("objective").asDouble(), 1e-6 * ref);
    assertTrue(s.get("relativeGap").asDouble() <= 1e-6);
    assertEquals(23, s.get("patterns").asInt());
    assertEquals(s.get("objective").asDouble(), s.get("nonconvexObjective").asDouble(),
        1e-8 * ref);
    assertTrue(s.has("trainAccuracy"), "labels are +-1: accuracy reported");
    assertTrue(Files.readString(out.resolve("model.json")).contains("\"neurons\""));
    assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 1);
  }

  @Test
  void enumeratingAllPatternsFindsTheGlobalOptimum() throws IOException {
    Path dir = Fixtures.root() == null ? null : Fixtures.root().resolve("toy_n12");
    assumeTrue(dir != null && Files.isDirectory(dir), "fixtures absent");
    Fixtures.Instance f = Fixtures.load(dir);
    Path out = tmp.resolve("all");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train",
        dir.resolve("data.csv").toString(), "--patterns", "all", "--beta",
        Double.toString(f.beta()), "--out", out.toString()}));
    JsonNode s = summary(out);
    assertEquals(23, s.get("patterns").asInt());
    assertEquals(f.reluOptimum(), s.get("objective").asDouble(), 1e-6 * f.reluOptimum());
  }

  /** 1-D data with a 3-kink teacher (the bias comes from --bias). */
  private Path oneDimensional(int n) throws IOException {
    java.util.SplittableRandom r = new java.util.SplittableRandom(21);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      double t = -2.0 + 4.0 * r.nextDouble();
      double y = Math.max(t - 0.5, 0) - 2 * Math.max(-t - 0.3, 0) + Math.max(t + 1, 0)
          + 0.2 * r.nextGaussian();
      sb.append(y).append(',').append(t).append('\n');
    }
    return write("oned.csv", sb.toString());
  }

  @Test
  void generatedPatternsReachTheEnumeratedOptimumWithAnExactCertificate() throws IOException {
    String data = oneDimensional(18).toString();
    Path all = tmp.resolve("all");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", data, "--bias", "--patterns",
        "all", "--beta", "0.3", "--out", all.toString()}));
    Path gen = tmp.resolve("gen");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", data, "--bias", "--patterns",
        "4", "--generate-patterns", "--certify-all", "true", "--beta", "0.3", "--out",
        gen.toString()}));
    JsonNode a = summary(all);
    JsonNode g = summary(gen);
    double opt = a.get("objective").asDouble();
    assertEquals(opt, g.get("objective").asDouble(), 1e-6 * opt);
    assertTrue(g.get("generation").get("noViolationFound").asBoolean());
    assertTrue(g.get("generation").get("patternsAdded").asInt() > 0);
    assertTrue(g.get("globalRelativeGap").asDouble() <= 1e-6, g.toString());
    assertTrue(g.get("globalCertificate").asText().startsWith("exact"));
    assertTrue(Files.readString(gen.resolve("generation.csv")).startsWith("round,"));
    // Both runs carry the exact certificate by default (the arrangement is small).
    assertTrue(a.get("globalRelativeGap").asDouble() <= 1e-6, a.toString());
  }

  /**
   * run.json (issue 21 part 5): the resolved configuration with the defaults filled in, the
   * versions, each input with its size and modification time, and the certificate of
   * summary.json.
   */
  @Test
  void runRecordHoldsTheConfigurationInputsVersionsAndCertificate() throws IOException {
    String d = "data-samples/planted_n300_d5.csv";
    Path out = tmp.resolve("recorded");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", d, "--patterns", "20",
        "--model", "relu", "--out", out.toString()}));
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertEquals("train-convex", run.get("job").asText());
    assertEquals(0, run.get("exitStatus").asInt());
    JsonNode config = run.get("configuration");
    assertEquals("20", config.get("patterns").asText());
    assertEquals("relu", config.get("model").asText());
    assertTrue(config.has("tol"), "defaults are recorded too: " + config);
    assertTrue(config.get("test").isNull(), "an option without a value is null");
    JsonNode input = run.get("inputs").get(0);
    assertEquals("train", input.get("option").asText());
    assertEquals(Files.size(Path.of(d)), input.get("bytes").asLong());
    // Hadoop's local file system reports modification times in milliseconds.
    assertEquals(Files.getLastModifiedTime(Path.of(d)).toMillis(),
        java.time.Instant.parse(input.get("modified").asText()).toEpochMilli());
    assertFalse(run.get("versions").get("spark").asText().isEmpty());
    assertFalse(run.get("versions").get("blas").asText().isEmpty());
    assertTrue(java.time.Instant.parse(run.get("started").asText())
        .isBefore(java.time.Instant.parse(run.get("committed").asText())));
    JsonNode summary = summary(out);
    JsonNode cert = run.get("certificate");
    assertEquals(summary.get("relativeGap").asDouble(), cert.get("relativeGap").asDouble());
    assertEquals(summary.get("certified").asBoolean(), cert.get("certified").asBoolean());
    assertEquals("CONVERGED", cert.get("stopReason").asText());
  }

  /**
   * --bias free on 1-D data: the linear-spline program over every pattern, certified. Checked
   * against three independent answers: the recovered network's objective recomputed from its
   * weights, model.json's predictions against the network's own (so predict.sh scores it), and
   * the penalised-bias ReLU program over every pattern (interior point), whose optimum can only
   * be higher (same functions, a larger penalty). d > 1 and the options it does not combine
   * with are one-line usage errors with no output.
   */
  @Test
  void freeBiasOnOneDimensionalDataIsTheCertifiedSplineOptimum() throws IOException {
    StringBuilder csv = new StringBuilder();
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int i = 0; i < 25; i++) {
      double x = -2.0 + 4.0 * r.nextDouble();
      csv.append(Math.sin(2.0 * x) + 0.1 * r.nextGaussian()).append(',').append(x).append('\n');
    }
    Path data = write("oned.csv", csv.toString());
    Path free = tmp.resolve("free");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", data.toString(), "--bias",
        "free", "--beta-frac", "0.05", "--standardize", "false", "--out", free.toString()}));
    JsonNode s = summary(free);
    assertTrue(s.get("certified").asBoolean(), s.toString());
    assertEquals("free", s.get("bias").asText());
    double objective = s.get("objective").asDouble();
    assertEquals(objective, s.get("nonconvexObjective").asDouble(), 1e-9 * objective);
    assertTrue(s.get("lowerBound").asDouble() <= objective);
    ConvexReluModel model = io.cvxrelu.io.ModelJson.read(
        Files.readString(free.resolve("model.json")), "model.json");
    double[] xs = new double[25];
    double[] ys = new double[25];
    String[] lines = csv.toString().split("\n");
    for (int i = 0; i < 25; i++) {
      ys[i] = Double.parseDouble(lines[i].split(",")[0]);
      xs[i] = Double.parseDouble(lines[i].split(",")[1]);
    }
    double[] pred = model.predict(new DenseMatrix(25, 1, xs));
    double loss = 0.0;
    for (int i = 0; i < 25; i++) {
      loss += 0.5 * (pred[i] - ys[i]) * (pred[i] - ys[i]);
    }
    assertTrue(loss <= objective * (1 + 1e-9), "model.json fits no worse than J says");
    assertEquals(s.get("trainMse").asDouble(), 2.0 * loss / 25, 1e-9);
    Path penalised = tmp.resolve("penalised");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", data.toString(), "--bias",
        "--patterns", "all", "--model", "relu", "--beta", Double.toString(s.get("beta")
            .asDouble()), "--standardize", "false", "--tol", "1e-8", "--out",
        penalised.toString()}));
    JsonNode p = summary(penalised);
    assertTrue(p.get("certified").asBoolean(), p.toString());
    assertTrue(objective <= p.get("lowerBound").asDouble() * (1 + 1e-6),
        "free biases can only lower the optimum: " + objective + " vs " + p);
    String d = "data-samples/planted_n300_d5.csv";
    assertEquals(2, runExpectingNoOutput("--train", d, "--bias", "free"));
    assertEquals(2, runExpectingNoOutput("--train", data.toString(), "--bias", "free",
        "--model", "gated"));
    assertEquals(2, runExpectingNoOutput("--train", data.toString(), "--bias", "free",
        "--beta", "0"));
    assertEquals(2, runExpectingNoOutput("--train", data.toString(), "--bias", "maybe"));
  }

  @Test
  void patternsFromANetworkNeverDoWorseThanThatNetwork() throws IOException {
    String d = "data-samples/planted_n300_d5.csv";
    Path first = tmp.resolve("first");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", d, "--patterns", "30",
        "--beta", "2.0", "--out", first.toString()}));
    Path again = tmp.resolve("again");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", d, "--patterns", "3",
        "--seed", "9", "--beta", "2.0", "--patterns-from",
        first.resolve("model.json").toString(), "--out", again.toString()}));
    JsonNode s = summary(again);
    double net = s.get("patternsFromObjective").asDouble();
    assertEquals(summary(first).get("nonconvexObjective").asDouble(), net, 1e-8 * net);
    assertTrue(s.get("objective").asDouble() <= net * (1 + 1e-6), s.toString());
    assertEquals(3, runExpectingNoOutput("--train", d, "--patterns-from",
        write("bad.csv", "u1,u2,alpha\n1,2,3\n").toString()));
  }

  @Test
  void logisticLossOnTheSampleCertifiesItsGap() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("data-samples/planted_n300_d5.csv"));
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      int c = l.indexOf(',');
      sb.append(Double.parseDouble(l.substring(0, c)) > 0 ? "1" : "0").append(l.substring(c))
          .append('\n');
    }
    Path train = write("cls.csv", sb.toString());
    Path out = tmp.resolve("logistic");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", train.toString(),
        "--loss", "logistic", "--model", "gated", "--patterns", "20", "--bias",
        "--out", out.toString()}));
    JsonNode s = summary(out);
    assertTrue(s.get("relativeGap").asDouble() <= 1e-6, s.toString());
    assertTrue(s.get("trainAccuracy").asDouble() > 0.8, s.toString());
  }

  @Test
  void sampleDataWithTestSetReportsTestError() throws IOException {
    Path out = tmp.resolve("sample");
    assertEquals(0, TrainConvexJob.run(new String[] {"--conf", "conf/train-convex.properties",
        "--model", "gated", "--out", out.toString()}));
    JsonNode s = summary(out);
    assertTrue(s.has("testMse"));
    assertEquals("CONVERGED", s.get("stopReason").asText());
  }

  private int runExpectingNoOutput(String... args) {
    Path out = tmp.resolve("never");
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (!all.contains("--out")) {
      all.add("--out");
      all.add(out.toString());
    }
    int code = TrainConvexJob.run(all.toArray(new String[0]));
    assertFalse(Files.exists(out), "output left behind");
    try (var s = Files.list(tmp)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")),
          "temporary output left behind");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return code;
  }

  @Test
  void usageErrorsExitWithTwo() throws IOException {
    Path data = write("d.csv", "1,2,3\n-1,3,1\n1,0,1\n");
    String d = data.toString();
    assertEquals(2, runExpectingNoOutput("--train", d, "--frobnicate", "1"));
    assertEquals(2, runExpectingNoOutput("--train", d, "--beta", "-1"));
    assertEquals(2, runExpectingNoOutput("--train", d, "--beta", "abc"));
    assertEquals(2, runExpectingNoOutput("--train", d, "--beta", "NaN"));
    assertEquals(2, runExpectingNoOutput("--train", d, "--patterns", "0"));
    assertEquals(2, runExpectingNoOutput("--train", d, "--model", "sigmoid"));
    assertEquals(2, runExpectingNoOutput("--train", d, "--loss", "hinge"));
    assertEquals(2, runExpectingNoOutput("--beta", "1"));
    Path conf = write("bad.properties", "nonsense = 3\n");
    assertEquals(2, runExpectingNoOutput("--train", d, "--conf", conf.toString()));
    Path existing = Files.createDirectory(tmp.resolve("exists"));
    assertEquals(2, TrainConvexJob.run(new String[] {"--train", d, "--out",
        existing.toString()}));
    assertEquals(0, TrainConvexJob.run(new String[] {"--help"}));
    // Exact enumeration of a 60 x 8 arrangement is far beyond the budget: refused up front.
    StringBuilder wide = new StringBuilder();
    java.util.SplittableRandom r = new java.util.SplittableRandom(8);
    for (int i = 0; i < 60; i++) {
      wide.append(r.nextGaussian());
      for (int j = 0; j < 8; j++) {
        wide.append(',').append(r.nextGaussian());
      }
      wide.append('\n');
    }
    assertEquals(2, runExpectingNoOutput("--train", write("wide.csv", wide.toString()).toString(),
        "--patterns", "all"));
  }

  @Test
  void dataErrorsExitWithThree() throws IOException {
    String d = write("d.csv", "1,2,3\n-1,3,1\n1,0,1\n").toString();
    assertEquals(3, runExpectingNoOutput("--train", tmp.resolve("missing.csv").toString()));
    assertEquals(3, runExpectingNoOutput("--train", write("e.csv", "").toString()));
    assertEquals(3, runExpectingNoOutput("--train", write("r.csv", "1,2,3\n1,2\n").toString()));
    assertEquals(3, runExpectingNoOutput("--train", write("n.csv", "1,2,x\n").toString()));
    assertEquals(3, runExpectingNoOutput("--train", write("nan.csv", "1,NaN,3\n").toString()));
    assertEquals(3, runExpectingNoOutput("--train", write("l.csv", "2,1,1\n0,1,2\n").toString(),
        "--loss", "logistic"));
    assertEquals(3, runExpectingNoOutput("--train", d, "--gates",
        write("g.csv", "1,2,3\n").toString()));
    assertEquals(3, runExpectingNoOutput("--train", d, "--gates",
        write("gnan.csv", "1,Infinity\n").toString()));
    assertEquals(3, runExpectingNoOutput("--train", d, "--test",
        write("t.csv", "1,2,3,4\n").toString()));
  }

  @Test
  void overwriteReplacesAnExistingOutput() throws IOException {
    Path out = Files.createDirectory(tmp.resolve("replace"));
    Files.writeString(out.resolve("stale.txt"), "old");
    String d = write("d.csv", "1,2,3\n-1,3,1\n1,0,1\n0.5,1,1\n").toString();
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", d, "--out", out.toString(),
        "--overwrite", "--model", "gated", "--patterns", "4"}));
    assertTrue(Files.exists(out.resolve("summary.json")));
    assertFalse(Files.exists(out.resolve("stale.txt")));
  }

  @Test
  void sameInputsAndSeedGiveByteIdenticalModels() throws IOException {
    Path a = tmp.resolve("det-a");
    Path b = tmp.resolve("det-b");
    String[] common = {"--conf", "conf/train-convex.properties", "--patterns", "15",
        "--seed", "9"};
    assertEquals(0, TrainConvexJob.run(concat(common, "--out", a.toString())));
    assertEquals(0, TrainConvexJob.run(concat(common, "--out", b.toString())));
    assertEquals(Files.readString(a.resolve("model.json")),
        Files.readString(b.resolve("model.json")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "gated"})
  void degenerateButValidDataTrains(String model) throws IOException {
    // A constant (zero-variance) column, an all-zero column, duplicate rows and n < d.
    StringBuilder wide = new StringBuilder();
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    for (int i = 0; i < 6; i++) {
      wide.append(r.nextGaussian());
      for (int j = 0; j < 9; j++) {
        wide.append(',').append(j == 0 ? 3.0 : j == 1 ? 0.0 : r.nextGaussian());
      }
      wide.append('\n');
    }
    String lines = wide.toString();
    Path data = write("degenerate-" + model + ".csv", lines + lines.substring(0,
        lines.indexOf('\n') + 1));
    Path out = tmp.resolve("degenerate-out-" + model);
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", data.toString(), "--model",
        model, "--patterns", "8", "--out", out.toString()}));
    JsonNode s = summary(out);
    assertEquals("CONVERGED", s.get("stopReason").asText(), s.toString());
    assertTrue(s.get("relativeGap").asDouble() <= 1e-6);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
