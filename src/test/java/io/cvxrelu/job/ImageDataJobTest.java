package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The convex job on CIFAR-10 binary and IDX inputs (small synthetic files; real data if present). */
class ImageDataJobTest {
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
   * A CIFAR-10 style batch: label 0 images are brighter in the red plane, label 1 in the blue
   * plane, other labels (here 2) uniform noise.
   */
  static byte[] syntheticBatch(int records, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    byte[] b = new byte[records * 3073];
    for (int r = 0; r < records; r++) {
      int label = r % 3;
      b[r * 3073] = (byte) label;
      for (int j = 0; j < 3072; j++) {
        int v = rng.nextInt(160);
        if (label == 0 && j < 1024 || label == 1 && j >= 2048) {
          v += 90;
        }
        b[r * 3073 + 1 + j] = (byte) v;
      }
    }
    return b;
  }

  static Path syntheticCifar(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("data_batch_1.bin"), syntheticBatch(30, 1));
    Files.write(dir.resolve("data_batch_2.bin"), syntheticBatch(30, 2));
    Files.write(dir.resolve("test_batch.bin"), syntheticBatch(24, 3));
    Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n", List.of("airplane",
        "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")) + "\n");
    return dir;
  }

  @Test
  void convexJobOnCifarFolderRecordsAccuracyPerCertificateRow() throws IOException {
    Path data = syntheticCifar(tmp.resolve("cifar"));
    Path out = tmp.resolve("out");
    int code = TrainConvexJob.run(new String[] {"--train", data.toString(), "--format",
        "cifar10", "--classes", "airplane,automobile", "--model", "gated", "--patterns", "8",
        "--bias", "--max-iter", "300", "--tol", "1e-4", "--out", out.toString()});
    assertEquals(0, code);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    // 2 batches x 10 + 10 records of each class; test batch 8 + 8.
    assertEquals(40, s.get("n").asInt());
    assertEquals(3072, s.get("d").asInt());
    assertEquals(1.0, s.get("trainAccuracy").asDouble(), 0.0);
    assertTrue(s.get("testAccuracy").asDouble() >= 0.9, s.toString());
    List<String> history = Files.readAllLines(out.resolve("history.csv"));
    assertTrue(history.get(0).endsWith(",trainAccuracy,testAccuracy"), history.get(0));
    assertTrue(history.size() > 1);
    // Rows are evaluated while that costs under a tenth of the solve: the first always.
    assertFalse(history.get(1).endsWith(",,"), history.get(1));
    for (String row : history.subList(1, history.size())) {
      String[] f = row.split(",", -1);
      if (!f[f.length - 2].isEmpty()) {
        double train = Double.parseDouble(f[f.length - 2]);
        double test = Double.parseDouble(f[f.length - 1]);
        assertTrue(train >= 0 && train <= 1 && test >= 0 && test <= 1, row);
      }
    }
    String[] last = history.get(history.size() - 1).split(",", -1);
    assertEquals(s.get("trainAccuracy").asDouble(), Double.parseDouble(last[last.length - 2]));
    assertEquals(s.get("testAccuracy").asDouble(), Double.parseDouble(last[last.length - 1]));
  }

  @Test
  void badCifarInputsFailWithOneLineAndTheRightCode() throws IOException {
    Path data = syntheticCifar(tmp.resolve("cifar"));
    String[] base = {"--train", data.toString(), "--format", "cifar10", "--model", "gated",
        "--patterns", "4", "--max-iter", "5", "--out", tmp.resolve("o").toString()};
    assertEquals(2, TrainConvexJob.run(concat(base, "--classes", "airplane,zebra")));
    assertEquals(2, TrainConvexJob.run(base), "--classes is required for images");
    // Only classes 0-2 occur: 'cat' is absent from the training batches.
    assertEquals(3, TrainConvexJob.run(concat(base, "--classes", "airplane,cat")));
    byte[] batch = syntheticBatch(5, 4);
    Files.write(data.resolve("data_batch_3.bin"), java.util.Arrays.copyOf(batch, 5 * 3073 - 7));
    assertEquals(3, TrainConvexJob.run(concat(base, "--classes", "0,1")));
    batch[3073] = 11;
    Files.write(data.resolve("data_batch_3.bin"), batch);
    assertEquals(3, TrainConvexJob.run(concat(base, "--classes", "0,1")));
    assertEquals(2, TrainConvexJob.run(concat(base, "--classes", "0,1", "--pca", "4",
        "--random-projection", "4")));
    assertFalse(Files.exists(tmp.resolve("o")));
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void fashionMnistIdxWithPca() throws IOException {
    Path dir = Path.of("/usr/share/datasets/fashion-mnist");
    assumeTrue(Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz")),
        "dataset-fashion-mnist not installed");
    Path out = tmp.resolve("fashion");
    // The t10k split as training data keeps the test fast (2000 rows).
    int code = TrainConvexJob.run(new String[] {"--train",
        dir.resolve("t10k-images-idx3-ubyte.gz").toString(), "--format", "idx", "--classes",
        "sneaker,ankle boot", "--pca", "20", "--model", "gated", "--patterns", "20", "--bias",
        "--max-iter", "400", "--tol", "1e-4", "--out", out.toString()});
    assertEquals(0, code);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(2000, s.get("n").asInt());
    assertEquals(20, s.get("d").asInt());
    assertTrue(s.get("trainAccuracy").asDouble() > 0.85, s.toString());
  }
}
