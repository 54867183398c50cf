package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.IdxReader;
import io.cvxrelu.io.ImageSet;
import io.cvxrelu.io.LabeledData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CIFAR-10 batches and IDX files read as fixed-size records on the executors equal the
 * single-node readers' images (two classes, pixels / 255), over several partitions; a bad
 * record is named by file and byte offset.
 */
class ImageInputTest {
  private static final ClassSelection PLANE_CAR =
      ClassSelection.parse("airplane,automobile", Cifar10Reader.CLASS_NAMES);
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = Collected.spark("ImageInputTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** CIFAR-10 records with the given labels; pixel j of record r is (7 r + j) mod 256. */
  static byte[] cifarBytes(int... labels) {
    byte[] b = new byte[labels.length * Cifar10Reader.RECORD_BYTES];
    for (int r = 0; r < labels.length; r++) {
      int off = r * Cifar10Reader.RECORD_BYTES;
      b[off] = (byte) labels[r];
      for (int j = 0; j < Cifar10Reader.IMAGE_BYTES; j++) {
        b[off + 1 + j] = (byte) ((7 * r + j) % 256);
      }
    }
    return b;
  }

  private static int[] labels(int n, int seed) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = (i * 7 + seed) % 10 < 4 ? (i + seed) % 2 : (i * 3 + seed) % 10;
    }
    return l;
  }

  private static LabeledData driverCifar(String what, byte[]... files) {
    ImageSet set = new ImageSet(PLANE_CAR, Cifar10Reader.IMAGE_BYTES);
    for (byte[] f : files) {
      Cifar10Reader.read(new ByteArrayInputStream(f), f.length, "batch", set);
    }
    return set.toLabeledData(what);
  }

  private static DataSpec.Builder raw(Path train, DataFormat format, String classes) {
    return DataSpec.builder(format, train.toString(), null).classes(classes)
        .standardise(DataSpec.Standardise.FALSE);
  }

  @Test
  void cifarFolderTrainAndTestEqualTheDriverReader() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
    byte[] b1 = cifarBytes(labels(60, 1));
    byte[] b2 = cifarBytes(labels(45, 2));
    byte[] t = cifarBytes(labels(30, 3));
    Files.write(dir.resolve("data_batch_1.bin"), b1);
    Files.write(dir.resolve("data_batch_2.bin"), b2);
    Files.write(dir.resolve("test_batch.bin"), t);
    Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n",
        Cifar10Reader.CLASS_NAMES) + "\n\n");
    DataSpec.Builder spec = raw(dir, DataFormat.CIFAR10, "airplane,automobile").layout(5, 9);
    try (DistributedInput.Loaded loaded = Collected.load(spark, spec)) {
      assertTrue(loaded.train().partitions() >= 5);
      Collected.assertClose(driverCifar("training data", b1, b2),
          Collected.rows(loaded.train()), 1e-12);
      Collected.assertClose(driverCifar("test data", t),
          Collected.rows(loaded.test().orElseThrow()), 1e-12);
      assertEquals("CIFAR-10 airplane (+1) vs automobile (-1)", loaded.description());
    }
  }

  @Test
  void aBadCifarLabelIsNamedByFileRecordAndByte() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    int[] l = labels(40, 4);
    l[33] = 12;
    Files.write(dir.resolve("data_batch_1.bin"), cifarBytes(labels(20, 5)));
    Files.write(dir.resolve("data_batch_2.bin"), cifarBytes(l));
    DataFormatException e = assertThrows(DataFormatException.class, () -> Collected.load(spark,
        raw(dir, DataFormat.CIFAR10, "0,1").layout(6, 4)));
    assertTrue(e.getMessage().endsWith("data_batch_2.bin: record 33 (byte "
        + 33 * 3073 + ") has label byte 12 (CIFAR-10 labels are 0-9)"), e.getMessage());
    Files.write(dir.resolve("data_batch_1.bin"), new byte[3073 * 2 + 5]);
    e = assertThrows(DataFormatException.class, () -> Collected.load(spark,
        raw(dir, DataFormat.CIFAR10, "0,1")));
    assertTrue(e.getMessage().contains("multiple of the CIFAR-10 record size"), e.getMessage());
  }

  @Test
  void aMissingClassIsTheDriverReadersMessage() throws IOException {
    Path f = tmp.resolve("data_batch_1.bin");
    Files.write(f, cifarBytes(0, 0, 5));
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, raw(f, DataFormat.CIFAR10, "airplane,automobile")));
    DataFormatException driver = assertThrows(DataFormatException.class,
        () -> driverCifar("training data", cifarBytes(0, 0, 5)));
    assertEquals(driver.getMessage(), e.getMessage());
  }

  static byte[] idx(int[] dims, byte[] data, boolean gzip) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw)) {
      out.writeInt((8 << 8) | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    return raw.toByteArray();
  }

  private static LabeledData driverIdx(byte[] images, byte[] labels, ClassSelection sel,
      int pixels) {
    byte[] lab = IdxReader.readLabels(new ByteArrayInputStream(labels), "labels");
    ImageSet set = new ImageSet(sel, pixels);
    IdxReader.readImages(new ByteArrayInputStream(images), "images", lab, set);
    return set.toLabeledData("data");
  }

  @Test
  void idxPlainAndGzippedEqualTheDriverReader() throws IOException {
    int n = 97;
    int rows = 4;
    int cols = 5;
    byte[] labels = new byte[n];
    byte[] pixels = new byte[n * rows * cols];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) ((i * 7) % 10);
    }
    for (int k = 0; k < pixels.length; k++) {
      pixels[k] = (byte) (k * 13 + k / 7);
    }
    ClassSelection sel = ClassSelection.parse("trouser,ankle boot",
        IdxReader.FASHION_CLASS_NAMES);
    for (boolean gz : new boolean[] {false, true}) {
      Path dir = Files.createDirectories(tmp.resolve(gz ? "gz" : "plain"));
      String suffix = gz ? ".gz" : "";
      byte[] img = idx(new int[] {n, rows, cols}, pixels, gz);
      byte[] lab = idx(new int[] {n}, labels, gz);
      Files.write(dir.resolve("train-images-idx3-ubyte" + suffix), img);
      Files.write(dir.resolve("train-labels-idx1-ubyte" + suffix), lab);
      Files.write(dir.resolve("t10k-images-idx3-ubyte" + suffix), img);
      Files.write(dir.resolve("t10k-labels-idx1-ubyte" + suffix), lab);
      LabeledData expected = driverIdx(img, lab, sel, rows * cols);
      try (DistributedInput.Loaded loaded = Collected.load(spark,
          raw(dir, DataFormat.IDX, "trouser,ankle boot").layout(4, 3))) {
        assertEquals(gz ? 1 : 4, Math.min(4, loaded.train().partitions()), "gzip is one split");
        Collected.assertClose(expected, Collected.rows(loaded.train()), 1e-12);
        Collected.assertClose(expected, Collected.rows(loaded.test().orElseThrow()), 1e-12);
      }
    }
  }

  @Test
  void idxHeadersAndTruncationAreCheckedOnTheDriver() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("idx"));
    Files.write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {3, 2, 2}, new byte[12],
        false));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {2}, new byte[2], false));
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, raw(dir, DataFormat.IDX, "0,1")));
    assertTrue(e.getMessage().endsWith("3 images but the label file has 2 labels"),
        e.getMessage());
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[3], false));
    Files.write(dir.resolve("train-images-idx3-ubyte"), idx(new int[] {3, 2, 2}, new byte[11],
        false));
    e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, raw(dir, DataFormat.IDX, "0,1")));
    assertTrue(e.getMessage().contains("file ends before the size its header declares"),
        e.getMessage());
    Path gz = Files.createDirectories(tmp.resolve("idxgz"));
    Files.write(gz.resolve("train-images-idx3-ubyte.gz"), idx(new int[] {3, 2, 2},
        new byte[9], true));
    Files.write(gz.resolve("train-labels-idx1-ubyte.gz"), idx(new int[] {3}, new byte[] {0, 1,
        0}, true));
    e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, raw(gz, DataFormat.IDX, "0,1")));
    assertTrue(e.getMessage().endsWith("train-images-idx3-ubyte.gz: file ends inside record 2 "
        + "(byte 25): truncated?"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void imagesAreStandardisedByDefault() throws IOException {
    Path f = tmp.resolve("data_batch_1.bin");
    Files.write(f, cifarBytes(labels(50, 6)));
    try (DistributedInput.Loaded loaded = Collected.load(spark,
        DataSpec.builder(DataFormat.CIFAR10, f.toString(), null).classes("0,1"))) {
      assertTrue(loaded.transform().mean() != null);
      assertTrue(loaded.description().endsWith(", standardised"), loaded.description());
    }
  }
}
