package io.cvxrelu.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** CIFAR-10 binary and IDX readers on small synthetic files, and on the real data when present. */
class ImageReadersTest {
  private static final ClassSelection PLANE_CAR =
      ClassSelection.parse("airplane,automobile", Cifar10Reader.CLASS_NAMES);

  /** Records with the given labels; pixel j of record r is (r + j) mod 256. */
  static byte[] cifarBytes(int... labels) {
    byte[] b = new byte[labels.length * Cifar10Reader.RECORD_BYTES];
    for (int r = 0; r < labels.length; r++) {
      int off = r * Cifar10Reader.RECORD_BYTES;
      b[off] = (byte) labels[r];
      for (int j = 0; j < Cifar10Reader.IMAGE_BYTES; j++) {
        b[off + 1 + j] = (byte) ((r + j) % 256);
      }
    }
    return b;
  }

  private static LabeledData readCifar(byte[] bytes, ClassSelection sel) {
    ImageSet set = new ImageSet(sel, Cifar10Reader.IMAGE_BYTES);
    Cifar10Reader.read(new ByteArrayInputStream(bytes), bytes.length, "batch.bin", set);
    return set.toLabeledData("training data");
  }

  @Test
  void cifarKeepsTheSelectedClassesWithPixelsOver255() {
    LabeledData d = readCifar(cifarBytes(0, 3, 1, 1, 9, 0), PLANE_CAR);
    assertEquals(4, d.n());
    assertEquals(3072, d.d());
    assertArrayEquals(new double[] {1, -1, -1, 1}, d.y());
    // Row 1 is record 2: pixel j = (2 + j) mod 256.
    assertEquals(2 / 255.0, d.x().get(1, 0), 0.0);
    assertEquals(255 / 255.0, d.x().get(1, 253), 0.0);
    assertEquals(0.0, d.x().get(1, 254), 0.0);
    assertEquals(5 / 255.0, d.x().get(3, 0), 0.0);
  }

  @Test
  void cifarRejectsABadSizeOrLabelInOneLine() {
    byte[] ok = cifarBytes(0, 1);
    byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 1);
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> readCifar(cut, PLANE_CAR));
    assertTrue(e.getMessage().contains("multiple of the CIFAR-10 record size 3073"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    byte[] bad = cifarBytes(0, 10, 1);
    e = assertThrows(DataFormatException.class, () -> readCifar(bad, PLANE_CAR));
    assertTrue(e.getMessage().contains("record 1 has label byte 10"), e.getMessage());
    // A stream shorter than its declared length is a truncated file.
    ImageSet set = new ImageSet(PLANE_CAR, 3072);
    e = assertThrows(DataFormatException.class, () -> Cifar10Reader.read(
        new ByteArrayInputStream(ok), ok.length + 3073L, "short.bin", set));
    assertTrue(e.getMessage().contains("ends inside record 2"), e.getMessage());
  }

  @Test
  void aMissingClassIsAClearError() {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> readCifar(cifarBytes(0, 0, 5), PLANE_CAR));
    assertTrue(e.getMessage().contains("no image of class 'automobile'"), e.getMessage());
  }

  @Test
  void classesByNameOrIndex() {
    ClassSelection byIndex = ClassSelection.parse("3, 5", Cifar10Reader.CLASS_NAMES);
    assertArrayEquals(new int[] {3, 5}, byIndex.labels());
    assertArrayEquals(new String[] {"cat", "dog"}, byIndex.names());
    ClassSelection fashion = ClassSelection.parse("T-shirt/top,Ankle Boot",
        IdxReader.FASHION_CLASS_NAMES);
    assertArrayEquals(new int[] {0, 9}, fashion.labels());
    for (String bad : new String[] {"cat", "cat,cat", "cat,zebra", "0,10", "a,b,c", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ClassSelection.parse(bad, Cifar10Reader.CLASS_NAMES), bad);
      assertFalse(e.getMessage().contains("\n"));
    }
    assertThrows(IllegalArgumentException.class,
        () -> ClassSelection.parse(null, Cifar10Reader.CLASS_NAMES));
  }

  static byte[] idx(int type, int[] dims, byte[] data, boolean gzip) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw)) {
      out.writeInt((type << 8) | dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    return raw.toByteArray();
  }

  @Test
  void idxPlainAndGzipped() throws IOException {
    byte[] labels = {0, 7, 9, 0, 2};
    byte[] pixels = new byte[5 * 2 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 8);
    }
    ClassSelection sel = ClassSelection.parse("t-shirt,ankle boot", IdxReader.FASHION_CLASS_NAMES);
    for (boolean gz : new boolean[] {false, true}) {
      byte[] lab = IdxReader.readLabels(new ByteArrayInputStream(
          idx(8, new int[] {5}, labels, gz)), "labels");
      assertArrayEquals(labels, lab);
      byte[] img = idx(8, new int[] {5, 2, 3}, pixels, gz);
      assertEquals(6, IdxReader.imagePixels(new ByteArrayInputStream(img), "images"));
      ImageSet set = new ImageSet(sel, 6);
      IdxReader.readImages(new ByteArrayInputStream(img), "images", lab, set);
      LabeledData d = set.toLabeledData("training data");
      assertArrayEquals(new double[] {1, -1, 1}, d.y());
      // Third kept image is image 3: bytes 18..23.
      assertEquals(18 * 8 / 255.0, d.x().get(2, 0), 1e-15);
      assertEquals(23 * 8 / 255.0, d.x().get(2, 5), 1e-15);
    }
  }

  @Test
  void idxRejectsWrongHeadersAndTruncation() throws IOException {
    ClassSelection sel = ClassSelection.parse("0,1", IdxReader.FASHION_CLASS_NAMES);
    byte[] floats = idx(0x0D, new int[] {2}, new byte[8], false);
    assertThrows(DataFormatException.class,
        () -> IdxReader.readLabels(new ByteArrayInputStream(floats), "f"));
    byte[] short3 = idx(8, new int[] {3}, new byte[2], true);
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> IdxReader.readLabels(new ByteArrayInputStream(short3), "s"));
    assertTrue(e.getMessage().contains("ends before"), e.getMessage());
    byte[] img = idx(8, new int[] {2, 2, 2}, new byte[8], false);
    assertThrows(DataFormatException.class, () -> IdxReader.readImages(
        new ByteArrayInputStream(img), "i", new byte[] {0, 1, 1}, new ImageSet(sel, 4)));
    assertThrows(DataFormatException.class, () -> IdxReader.readImages(
        new ByteArrayInputStream(img), "i", new byte[] {0, 1}, new ImageSet(sel, 5)));
  }

  private static final Path CIFAR = Path.of(System.getProperty("cvxrelu.shared", "../shared"),
      "data", "cifar-10-batches-bin");

  @Test
  void realCifarBatchCountsMatchItsReadme() throws IOException {
    Path batch = CIFAR.resolve("data_batch_1.bin");
    assumeTrue(Files.isRegularFile(batch), "CIFAR-10 absent");
    List<String> names;
    try (var r = Files.newBufferedReader(CIFAR.resolve("batches.meta.txt"))) {
      names = Cifar10Reader.readClassNames(r, "meta");
    }
    assertEquals(Cifar10Reader.CLASS_NAMES, names);
    ImageSet set = new ImageSet(PLANE_CAR, 3072);
    try (InputStream in = Files.newInputStream(batch)) {
      Cifar10Reader.read(in, Files.size(batch), batch.toString(), set);
    }
    LabeledData d = set.toLabeledData("training data");
    // README.txt: data_batch_1 holds 1005 airplanes and 974 automobiles.
    assertEquals(1005 + 974, d.n());
    double plus = 0;
    for (double v : d.y()) {
      plus += v > 0 ? 1 : 0;
    }
    assertEquals(1005, plus);
  }

  private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

  @Test
  void realFashionMnistWhenInstalled() throws IOException {
    Path images = FASHION.resolve("t10k-images-idx3-ubyte.gz");
    assumeTrue(Files.isRegularFile(images), "dataset-fashion-mnist not installed");
    byte[] labels;
    try (InputStream in = Files.newInputStream(FASHION.resolve("t10k-labels-idx1-ubyte.gz"))) {
      labels = IdxReader.readLabels(in, "labels");
    }
    assertEquals(10000, labels.length);
    ClassSelection sel = ClassSelection.parse("sneaker,ankle boot", IdxReader.FASHION_CLASS_NAMES);
    ImageSet set = new ImageSet(sel, 784);
    try (InputStream in = Files.newInputStream(images)) {
      IdxReader.readImages(in, "images", labels, set);
    }
    // Fashion-MNIST's test split has 1000 images per class.
    assertEquals(2000, set.toLabeledData("test data").n());
  }
}
