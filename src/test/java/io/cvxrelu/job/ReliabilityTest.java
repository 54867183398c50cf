package io.cvxrelu.job;

import io.cvxrelu.solver.distributed.OrderedAggregate;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.solver.distributed.DistributedGatedSolver;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.LabeledPoint;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability cases of issue 7 not covered elsewhere: bad inputs checked for their exit code,
 * a single stderr line without stack trace and no output left behind; an injected task failure
 * retried by Spark to the same answer; atomic model writes when a rename or a write fails; and
 * determinism of the distributed solver (byte-identical model, partition-count invariance).
 * Master {@code local[2,2]}: two threads and up to two attempts per task, so a failed task is
 * retried as on a cluster.
 */
class ReliabilityTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;
  /** Failures still to inject into the row-reading tasks of the fault test. */
  private static final AtomicInteger FAILURES_TO_INJECT = new AtomicInteger();

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start("local[2,2]");
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static TrainConvexRun run(String... args) {
    return TrainConvexRun.of(args);
  }

  /**
   * Runs the job expecting {@code code}, one stderr line naming the job and no stack trace,
   * and no output folder (when it did not exist before) nor temporary sibling left behind.
   */
  private String expectFailure(int code, String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    Path out;
    if (all.contains("--out")) {
      out = Path.of(all.get(all.indexOf("--out") + 1));
    } else {
      out = tmp.resolve("never");
      all.add("--out");
      all.add(out.toString());
    }
    boolean existed = Files.exists(out);
    TrainConvexRun o = run(all.toArray(new String[0]));
    String err = o.stderr().strip();
    assertEquals(code, o.code(), "exit code for " + all + ": " + err);
    assertEquals(1, err.lines().count(), "one stderr line: " + err);
    assertTrue(err.startsWith("train-convex: "), err);
    assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
    assertEquals(existed, Files.exists(out), "output folder created or removed: " + out);
    Path parent = out.getParent();
    if (Files.isDirectory(parent)) {
      try (var s = Files.list(parent)) {
        assertTrue(s.noneMatch(p -> p.getFileName().toString().matches(".*\\.(tmp|old)-.*")),
            "temporary output left behind");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return err;
  }

  /** Three features, +-1 labels (both classes), n = 40. */
  private Path classification(String name) throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      double c = r.nextGaussian();
      sb.append(a + 0.5 * b - c > 0 ? 1 : -1).append(',').append(a).append(',').append(b)
          .append(',').append(c).append('\n');
    }
    return write(name, sb.toString());
  }

  @Test
  void nonFiniteLabelsAndGatesAreDataErrors() throws IOException {
    String d = classification("c.csv").toString();
    assertTrue(expectFailure(3, "--train", write("inf-label.csv", "1,2,3\nInfinity,1,2\n")
        .toString()).contains("data error"));
    expectFailure(3, "--train", write("ninf-label.csv", "1,2,3\n-Infinity,1,2\n").toString());
    expectFailure(3, "--train", write("nan-label.csv", "NaN,2,3\n1,1,2\n").toString());
    // 1e999 overflows to infinity when parsed.
    expectFailure(3, "--train", d, "--gates", write("g-overflow.csv", "1,2,1e999\n").toString());
    expectFailure(3, "--train", d, "--gates", write("g-ninf.csv", "1,-Infinity,2\n").toString());
  }

  @Test
  void logisticLabelsMustBeBinaryWithBothClasses() throws IOException {
    expectFailure(3, "--train", write("half.csv", "0.5,1,2\n1,2,1\n0,1,1\n").toString(),
        "--loss", "logistic");
    expectFailure(3, "--train", write("three.csv", "-1,1,2\n1,2,1\n0,1,1\n").toString(),
        "--loss", "logistic");
    String err = expectFailure(3, "--train", write("ones.csv", "1,1,2\n1,2,1\n1,0,1\n")
        .toString(), "--loss", "logistic");
    assertTrue(err.contains("one class"), err);
    expectFailure(3, "--train", write("minus.csv", "-1,1,2\n-1,2,1\n").toString(),
        "--loss", "logistic");
    // A test set may hold a single class; only the training labels must have both.
    Path out = tmp.resolve("one-class-test");
    assertEquals(0, run("--train", classification("c2.csv").toString(), "--test",
        write("t1.csv", "1,0.5,0.2,0.1\n1,1,1,1\n").toString(), "--loss", "logistic",
        "--model", "gated", "--patterns", "5", "--out", out.toString()).code());
  }

  @Test
  void gatesAndTestFeaturesOfAnotherDimensionAreDataErrors() throws IOException {
    String d = classification("c.csv").toString();
    // With --bias the design has d + 1 = 4 columns: gates of dimension 3 no longer fit.
    String err = expectFailure(3, "--train", d, "--bias", "--gates",
        write("g3.csv", "1,2,3\n-1,0,1\n").toString());
    assertTrue(err.contains("dimension 3"), err);
    expectFailure(3, "--train", d, "--gates", write("g5.csv", "1,2,3,4,5\n").toString());
    expectFailure(3, "--train", d, "--test", write("t2.csv", "1,2,3\n-1,0,1\n").toString());
    expectFailure(3, "--train", d, "--test", write("t4.csv", "1,2,3,4,5\n").toString());
  }

  @Test
  void corruptedOrForeignModelForPatternsFromIsADataError() throws IOException {
    String d = classification("c.csv").toString();
    Path good = tmp.resolve("good");
    assertEquals(0, run("--train", d, "--model", "gated", "--patterns", "6", "--out",
        good.toString()).code());
    String json = Files.readString(good.resolve("model.json"));
    expectFailure(3, "--train", d, "--patterns-from",
        write("trunc.json", json.substring(0, json.length() / 2)).toString());
    expectFailure(3, "--train", d, "--patterns-from",
        write("garbage.json", "{\"neurons\": [1, 2, \"x\"]}").toString());
    expectFailure(3, "--train", d, "--patterns-from", write("empty.json", "").toString());
    // A valid model of another input dimension (trained with --bias: 4 inputs, not 3).
    Path biased = tmp.resolve("biased");
    assertEquals(0, run("--train", d, "--bias", "--model", "gated", "--patterns", "6",
        "--out", biased.toString()).code());
    String err = expectFailure(3, "--train", d, "--patterns-from",
        biased.resolve("model.json").toString());
    assertTrue(err.contains("dimension"), err);
  }

  @Test
  void unwritableOutputIsAnOutputError() throws IOException {
    String d = classification("c.csv").toString();
    Path file = write("plain-file", "not a folder");
    expectFailure(4, "--train", d, "--out", file.resolve("out").toString());
    // A file further up the path: refused before any work as well.
    expectFailure(4, "--train", d, "--out", file.resolve("sub/deeper/out").toString());
  }

  /**
   * A parent folder the process may not write to. Permission bits are not enforced for root
   * (which CI and this machine run as), so the folder is chosen to refuse every user: a
   * read-only one made with chmod when that binds, else procfs, where no user can create
   * entries (mkdir fails with ENOENT/EPERM). Either way the job must stop with the output
   * exit code before any work, leaving nothing behind.
   */
  @Test
  void readOnlyParentIsAnOutputError() throws IOException {
    Path ro = Files.createDirectory(tmp.resolve("read-only"));
    ro.toFile().setWritable(false, false);
    try {
      Path parent = Files.isWritable(ro) ? Path.of("/proc") : ro;
      assumeTrue(Files.isDirectory(parent), "no read-only folder available on this system");
      String err = expectFailure(4, "--train", classification("c.csv").toString(), "--out",
          parent.resolve("cvxrelu-out-" + ProcessHandle.current().pid()).toString());
      assertFalse(Files.exists(parent.resolve("cvxrelu-out-" + ProcessHandle.current().pid())));
      assertTrue(err.toLowerCase(java.util.Locale.ROOT).contains("out"), err);
    } finally {
      ro.toFile().setWritable(true, false);
    }
  }

  private static String[] distributedArgs(Path out, String... extra) {
    String[] base = {"--conf", "conf/train-convex.properties", "--model", "gated",
        "--patterns", "20", "--solver", "distributed", "--out", out.toString()};
    String[] all = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void resumeNeedsAnIntactCheckpoint() throws IOException {
    expectFailure(2, distributedArgs(tmp.resolve("nothing"), "--resume"));
    Path out = tmp.resolve("budgeted");
    assertEquals(0, run(distributedArgs(out, "--partitions", "2", "--max-iter", "20",
        "--checkpoint-every", "10")).code());
    Path ck = out.resolve("checkpoint");
    Path weights = ck.resolve("weights.bin");
    byte[] saved = Files.readAllBytes(weights);

    // Truncated iterate: the output and its checkpoint stay as they were.
    Files.write(weights, Arrays.copyOf(saved, saved.length / 2));
    String err = expectFailure(3, distributedArgs(out, "--partitions", "2", "--resume"));
    assertTrue(err.contains("checkpoint"), err);
    assertEquals(saved.length / 2, Files.size(weights));
    assertTrue(Files.exists(out.resolve("model.json")));

    // A corrupted header announcing a huge matrix, its checksum file gone so that the reader
    // sees it: refused, not an OutOfMemoryError.
    Files.deleteIfExists(ck.resolve(".weights.bin.crc"));
    byte[] huge = saved.clone();
    java.nio.ByteBuffer.wrap(huge).putInt(0, Integer.MAX_VALUE).putInt(4, Integer.MAX_VALUE);
    Files.write(weights, huge);
    expectFailure(3, distributedArgs(out, "--partitions", "2", "--resume"));

    // Garbled scalars.
    Files.write(weights, saved);
    Path state = ck.resolve("state.properties");
    Files.deleteIfExists(ck.resolve(".state.properties.crc"));
    String props = Files.readString(state);
    Files.writeString(state, props.replaceAll("(?m)^steps=.*$", "steps=ten"));
    expectFailure(3, distributedArgs(out, "--partitions", "2", "--resume"));

    // Restored, it resumes.
    Files.writeString(state, props);
    assertEquals(0, run(distributedArgs(out, "--partitions", "2", "--resume")).code());
  }

  // ---------------------------------------------------------------- faults

  private static List<LabeledPoint> rows(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<LabeledPoint> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = new double[d];
      double s = 0;
      for (int j = 0; j < d; j++) {
        x[j] = r.nextGaussian();
        s += (j + 1) * x[j];
      }
      out.add(new LabeledPoint(Math.max(s, 0) - 0.5 * Math.max(-x[0], 0) + 0.1 * r.nextGaussian(),
          Vectors.dense(x)));
    }
    return out;
  }

  /** Rows whose reading task fails (once per armed failure) on its first attempt. */
  private static JavaRDD<LabeledPoint> faultyRows(List<LabeledPoint> rows) {
    return sc.parallelize(rows, 3).mapPartitions(it -> {
      if (org.apache.spark.TaskContext.get().attemptNumber() == 0
          && FAILURES_TO_INJECT.getAndUpdate(k -> Math.max(0, k - 1)) > 0) {
        throw new IllegalStateException("injected task failure");
      }
      return it;
    });
  }

  private static SolverResult solve(DistributedData data, IterationListener listener) {
    DistributedProblem p = new DistributedProblem(data, new SquaredLoss(), 0.05,
        Formulation.GATED);
    return new DistributedGatedSolver().solve(p, SolverOptions.DEFAULTS.withMaxIterations(60),
        listener, null, false);
  }

  @Test
  void aTaskThatFailsOnceIsRetriedToTheSameAnswer() {
    List<LabeledPoint> rows = rows(600, 4, 11);
    DenseMatrix x = new DenseMatrix(rows.size(), 4);
    for (int i = 0; i < rows.size(); i++) {
      for (int j = 0; j < 4; j++) {
        x.set(i, j, rows.get(i).features().apply(j));
      }
    }
    DenseMatrix gates = SignPatterns.sample(x, 8, 5, 10_000).gates();

    FAILURES_TO_INJECT.set(0);
    SolverResult clean;
    try (DistributedData data = DistributedData.fromRows(faultyRows(rows), gates,
        new SquaredLoss(), false, 3, 100)) {
      clean = solve(data, IterationListener.NONE);
    }

    // One failure while the blocks are built, and one mid-solve: at the 5th record the cached
    // blocks are dropped, so the next pass recomputes them from the rows and a task fails.
    FAILURES_TO_INJECT.set(1);
    SolverResult retried;
    int[] records = {0};
    try (DistributedData data = DistributedData.fromRows(faultyRows(rows), gates,
        new SquaredLoss(), false, 3, 100)) {
      assertEquals(0, FAILURES_TO_INJECT.get(), "the build's failure was injected");
      retried = solve(data, r -> {
        if (++records[0] == 5) {
          data.blocks().unpersist(true);
          data.blocks().persist(StorageLevel.MEMORY_AND_DISK());
          FAILURES_TO_INJECT.set(1);
        }
        return true;
      });
      assertEquals(0, FAILURES_TO_INJECT.get(), "the mid-solve failure was injected");
    }
    assertTrue(records[0] > 5, "the solve ran past the injection");
    assertEquals(clean.stopReason(), retried.stopReason());
    assertEquals(clean.iterations(), retried.iterations());
    // Partials are merged in partition order (OrderedAggregate), so the retried run repeats
    // the uninterrupted one bit for bit.
    assertEquals(clean.certificate().objective(), retried.certificate().objective(), 0.0);
    assertArrayEquals(clean.weights().data(), retried.weights().data(), 0.0);
  }

  /**
   * A local file system whose renames of a folder into place (or writes of one file) fail,
   * as a crash or a full disk would during the model write.
   */
  public static final class FaultyFileSystem extends RawLocalFileSystem {
    static volatile String failRenameFrom = null;
    static volatile String failCreateOf = null;

    @Override
    public URI getUri() {
      return URI.create("faulty:///");
    }

    @Override
    public String getScheme() {
      return "faulty";
    }

    @Override
    public boolean rename(org.apache.hadoop.fs.Path src, org.apache.hadoop.fs.Path dst)
        throws IOException {
      String from = failRenameFrom;
      if (from != null && src.getName().contains(from)) {
        return false;
      }
      return super.rename(src, dst);
    }

    @Override
    public FSDataOutputStream create(org.apache.hadoop.fs.Path f, boolean overwrite,
        int bufferSize, short replication, long blockSize,
        org.apache.hadoop.util.Progressable progress) throws IOException {
      String name = failCreateOf;
      if (name != null && f.getName().equals(name)) {
        throw new IOException("No space left on device (injected)");
      }
      return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
    }
  }

  private static HadoopIo faultyIo() {
    Configuration conf = new Configuration(false);
    conf.set("fs.faulty.impl", FaultyFileSystem.class.getName());
    conf.setBoolean("fs.faulty.impl.disable.cache", true);
    return new HadoopIo(conf);
  }

  private static Map<String, String> files(String version) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("summary.json", "{\"version\": \"" + version + "\"}\n");
    m.put("model.json", "{\"model\": \"" + version + "\"}\n");
    return m;
  }

  private void assertOnlyTheModelFolder(Path out) throws IOException {
    try (var s = Files.list(out.getParent())) {
      List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(List.of(out.getFileName().toString()), names);
    }
  }

  @Test
  void aFailedModelWriteLeavesThePreviousModelReadable() throws IOException {
    Path parent = Files.createDirectory(tmp.resolve("models"));
    Path out = parent.resolve("model");
    String location = "faulty://" + out.toAbsolutePath();
    HadoopIo io = faultyIo();
    io.writeAtomically(location, files("v1"), false);
    assertEquals("{\"model\": \"v1\"}\n", Files.readString(out.resolve("model.json")));
    try {
      // The new folder cannot be renamed into place (after the old one was moved aside).
      FaultyFileSystem.failRenameFrom = ".tmp-";
      HadoopIo.OutputException e = assertThrows(HadoopIo.OutputException.class,
          () -> io.writeAtomically(location, files("v2"), true));
      assertTrue(e.getMessage().contains("cannot rename"), e.getMessage());
      assertEquals(files("v1").get("model.json"), Files.readString(out.resolve("model.json")));
      assertOnlyTheModelFolder(out);

      // The previous folder cannot be moved aside.
      FaultyFileSystem.failRenameFrom = "model";
      assertThrows(HadoopIo.OutputException.class,
          () -> io.writeAtomically(location, files("v2"), true));
      assertEquals(files("v1").get("summary.json"),
          Files.readString(out.resolve("summary.json")));
      assertOnlyTheModelFolder(out);

      // A write fails half way (the second file).
      FaultyFileSystem.failRenameFrom = null;
      FaultyFileSystem.failCreateOf = "model.json";
      assertThrows(HadoopIo.OutputException.class,
          () -> io.writeAtomically(location, files("v2"), true));
      assertEquals(files("v1").get("model.json"), Files.readString(out.resolve("model.json")));
      assertOnlyTheModelFolder(out);
    } finally {
      FaultyFileSystem.failRenameFrom = null;
      FaultyFileSystem.failCreateOf = null;
    }
    io.writeAtomically(location, files("v2"), true);
    assertEquals(files("v2").get("model.json"), Files.readString(out.resolve("model.json")));
    assertOnlyTheModelFolder(out);
  }

  // ---------------------------------------------------------------- determinism

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void distributedSolveIsDeterministicAndPartitionInvariant() throws IOException {
    Path a = tmp.resolve("p3-a");
    Path b = tmp.resolve("p3-b");
    Path c = tmp.resolve("p2");
    String[] small = {"--patterns", "8", "--seed", "4", "--tol", "1e-4"};
    assertEquals(0, run(distributedArgs(a, concat(small, "--partitions", "3"))).code());
    assertEquals(0, run(distributedArgs(b, concat(small, "--partitions", "3"))).code());
    assertEquals(0, run(distributedArgs(c, concat(small, "--partitions", "2"))).code());
    assertArrayEquals(Files.readAllBytes(a.resolve("model.json")),
        Files.readAllBytes(b.resolve("model.json")), "same inputs, seed and partitions");
    double oa = summary(a).get("objective").asDouble();
    double oc = summary(c).get("objective").asDouble();
    assertEquals(oa, oc, 1e-10 * oa, "2 vs 3 partitions");
    assertEquals(summary(a).get("iterations").asLong(), summary(c).get("iterations").asLong());
  }
}
