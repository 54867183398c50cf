package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare.sh --classes} with three classes on a tiny generated IDX set:
 * the certified multi-class convex program and SGD from three initialisations write every
 * output; an unknown class name is one line and exit 2 with no output.
 */
class MulticlassComparisonTest {
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

  /**
   * An uncompressed IDX image set ({@code tiny-images-idx3-ubyte} with its
   * {@code tiny-labels-idx1-ubyte}) of {@code n} 6 x 6 images of classes 0, 1 and 2 in turn,
   * each class a noisy copy of its own random image. Small images keep the PCA cheap.
   */
  private Path generatedIdx(int n) throws IOException {
    int pixels = 36;
    SplittableRandom rng = new SplittableRandom(7);
    byte[][] prototypes = new byte[3][pixels];
    for (byte[] p : prototypes) {
      for (int k = 0; k < p.length; k++) {
        p[k] = (byte) rng.nextInt(256);
      }
    }
    ByteBuffer images = ByteBuffer.allocate(16 + n * pixels).putInt(0x803).putInt(n)
        .putInt(6).putInt(6);
    ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      labels.put((byte) label);
      for (int k = 0; k < pixels; k++) {
        int v = (prototypes[label][k] & 0xff) + (int) (60 * rng.nextGaussian());
        images.put((byte) Math.max(0, Math.min(255, v)));
      }
    }
    Files.write(tmp.resolve("tiny-labels-idx1-ubyte"), labels.array());
    Path file = tmp.resolve("tiny-images-idx3-ubyte");
    Files.write(file, images.array());
    return file;
  }

  @Test
  void threeClassesWriteEveryOutput() throws IOException {
    Path out = tmp.resolve("report");
    int code = CompareJob.run(new String[] {"--train", generatedIdx(120).toString(),
        "--format", "idx", "--classes", "0,1,2", "--split", "60", "--pca", "4",
        "--loss", "softmax", "--patterns", "12", "--beta-frac", "0.05", "--tol", "1e-5",
        "--neurons", "8", "--inits", "3", "--epochs", "20", "--batch-size", "10",
        "--optimizer", "adam", "--lr", "0.01", "--out", out.toString()});
    assertEquals(0, code);
    for (String f : new String[] {"report.md", "comparison.csv", "summary.json",
        "convex-history.csv", "sgd-init-0.csv", "sgd-init-2.csv", "objective_vs_iteration.png",
        "objective_vs_seconds.png", "test_accuracy_vs_seconds.png"}) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    assertTrue(Arrays.equals(PNG_MAGIC, Arrays.copyOf(Files.readAllBytes(
        out.resolve("objective_vs_seconds.png")), 4)));
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("multiclass", s.get("mode").asText());
    assertEquals(3, s.get("classes").size());
    assertEquals(60, s.get("nTrain").asInt());
    assertEquals(5, s.get("d").asInt(), "4 components + bias");
    JsonNode convex = s.get("convex");
    assertEquals("CONVERGED", convex.get("stopReason").asText());
    assertTrue(convex.get("certified").asBoolean());
    assertTrue(convex.get("relativeGap").asDouble() <= 1e-5);
    assertTrue(convex.get("objective").asDouble() >= convex.get("lowerBound").asDouble());
    JsonNode sgd = s.get("sgd");
    assertEquals(3, sgd.get("runs").size());
    assertTrue(sgd.get("bestObjective").asDouble() <= sgd.get("medianObjective").asDouble());
    // Three well-separated classes: both sides beat chance (1/3) on the test rows.
    assertTrue(convex.get("testAccuracy").asDouble() > 0.6, s.toString());
    assertTrue(sgd.get("medianTestAccuracy").asDouble() > 0.6, s.toString());
    // One row per method, plus the header.
    assertEquals(1 + 1 + 3, Files.readAllLines(out.resolve("comparison.csv")).size());
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| SGD median |"), report);
    assertTrue(report.contains("Objective: convex"), report);
  }

  @Test
  void unknownClassIsOneLineAndExitTwo() throws IOException {
    Path out = tmp.resolve("bad");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = CompareJob.run(new String[] {"--train", generatedIdx(12).toString(),
          "--format", "idx", "--classes", "0,1,zebra", "--out", out.toString()});
    } finally {
      System.setErr(old);
    }
    assertEquals(2, code);
    String message = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains("zebra"), message);
    assertFalse(Files.exists(out));
  }

  @Test
  void reluModelWithManyClassesPointsToTrainMulticlass() throws IOException {
    Path out = tmp.resolve("relu");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = CompareJob.run(new String[] {"--train", generatedIdx(12).toString(),
          "--format", "idx", "--classes", "all", "--model", "relu", "--out", out.toString()});
    } finally {
      System.setErr(old);
    }
    assertEquals(2, code);
    String message = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains("train-multiclass.sh --model relu"), message);
    assertFalse(Files.exists(out));
  }
}
