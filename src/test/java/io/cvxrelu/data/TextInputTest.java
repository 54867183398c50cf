package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.TextDataReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV and LIBSVM read on the executors equal the single-node reader's rows, over several
 * partitions and files, and a bad line deep in the last partition is named by file and line.
 */
class TextInputTest {
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = Collected.spark("TextInputTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** n CSV rows "label,x1,..,xd" of random values; row i's label is +-1. */
  private static String csvRows(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(rng.nextBoolean() ? "1" : "-1");
      for (int j = 0; j < d; j++) {
        sb.append(j % 2 == 0 ? "," : " , ").append(rng.nextGaussian() * 10);
      }
      sb.append(i % 17 == 5 ? "\n\n" : "\n");
    }
    return sb.toString();
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private static LabeledData driverCsv(Path p) throws IOException {
    try (BufferedReader r = open(p)) {
      return TextDataReader.readCsv(r, p.toString());
    }
  }

  private static BufferedReader open(Path p) throws IOException {
    boolean gz = p.toString().endsWith(".gz");
    return new BufferedReader(new InputStreamReader(gz
        ? new GZIPInputStream(Files.newInputStream(p)) : Files.newInputStream(p),
        StandardCharsets.UTF_8));
  }

  private static DataSpec.Builder csv(Path p, int partitions, int blockRows) {
    return DataSpec.builder(DataFormat.CSV, p.toString(), null).layout(partitions,
        blockRows);
  }

  private static LabeledData read(DataSpec.Builder spec) {
    try (DistributedInput.Loaded loaded = Collected.load(spark, spec)) {
      return Collected.rows(loaded.train());
    }
  }

  @Test
  void csvWithByteOrderMarkAndHeaderOverPartitionsEqualsTheDriverReader() throws IOException {
    Path p = write("bom.csv", "\uFEFFlabel,a,b,c\n" + csvRows(400, 3, 1));
    LabeledData expected = driverCsv(p);
    try (DistributedInput.Loaded loaded = Collected.load(spark, csv(p, 5, 16))) {
      assertTrue(loaded.train().partitions() >= 5, "partitions " + loaded.train().partitions());
      assertEquals(400, loaded.train().n());
      Collected.assertClose(expected, Collected.rows(loaded.train()), 1e-12);
      assertTrue(loaded.test().isEmpty());
    }
  }

  @Test
  void csvWithoutHeaderAndWithBomOnTheFirstNumber() throws IOException {
    Path plain = write("plain.csv", csvRows(120, 4, 2));
    Collected.assertClose(driverCsv(plain), read(csv(plain, 3, 50)), 1e-12);
    Path bom = write("bomdata.csv", "\uFEFF" + csvRows(60, 2, 3));
    Collected.assertClose(driverCsv(bom), read(csv(bom, 2, 4096)), 1e-12);
  }

  @Test
  void aFolderOfPartFilesEachWithItsHeaderAndAGzippedOne() throws IOException {
    write("parts/part-00000.csv", "y,u,v\n" + csvRows(30, 2, 4));
    write("parts/part-00001.csv", "y,u,v\n" + csvRows(25, 2, 5));
    write("parts/_SUCCESS", "");
    LabeledData first = driverCsv(tmp.resolve("parts/part-00000.csv"));
    LabeledData second = driverCsv(tmp.resolve("parts/part-00001.csv"));
    LabeledData both = read(csv(tmp.resolve("parts"), 0, 8));
    assertEquals(55, both.n());
    for (int i = 0; i < 55; i++) {
      LabeledData from = i < 30 ? first : second;
      int r = i < 30 ? i : i - 30;
      assertEquals(from.y()[r], both.y()[i], 0.0);
      assertEquals(from.x().get(r, 1), both.x().get(i, 1), 0.0);
    }
    Path gz = tmp.resolve("data.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(("h1,h2\n" + csvRows(70, 1, 6)).getBytes(StandardCharsets.UTF_8));
    }
    Collected.assertClose(driverCsv(gz), read(csv(gz, 3, 16)), 1e-12);
  }

  @Test
  void aHeaderAfterBlankLinesInALaterSplitIsStillTheHeader() throws IOException {
    // 3000 blank lines push the header out of the first of four splits.
    Path p = write("late.csv", "\n".repeat(3000) + "a,b\n" + csvRows(200, 1, 7));
    LabeledData expected = driverCsv(p);
    Collected.assertClose(expected, read(csv(p, 4, 32)), 1e-12);
  }

  @Test
  void aBadFieldInTheLastPartitionNamesTheFileAndTheLine() throws IOException {
    String[] lines = csvRows(2000, 3, 8).split("\n", -1);
    // Line numbers count every line, blank ones too: replace the third field of line 1990.
    int bad = 1990;
    while (lines[bad - 1].isEmpty()) {
      bad++;
    }
    String[] fields = lines[bad - 1].split(",");
    fields[2] = "x";
    lines[bad - 1] = String.join(",", fields);
    String text = String.join("\n", lines);
    Path p = write("bad.csv", text);
    long offset = text.indexOf(lines[bad - 1] + "\n");
    assertTrue(offset > text.length() * 3 / 4, "the bad row is in the last of four splits");
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, csv(p, 4, 64)));
    assertEquals(p.toUri().getPath(), e.getMessage().substring(5,
        e.getMessage().indexOf(": line")), e.getMessage());
    assertTrue(e.getMessage().endsWith(": line " + bad + " (byte " + offset
        + "): non-numeric field 'x' in column 3"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void crLfLinesAndRaggedRowsAreCountedAsTheDriverReaderCountsThem() throws IOException {
    String text = csvRows(300, 2, 9).replace("\n", "\r\n") + "1,2\r\n";
    Path p = write("crlf.csv", text);
    DataFormatException driver = assertThrows(DataFormatException.class, () -> driverCsv(p));
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, csv(p, 3, 64)));
    // The driver reader says "<file>:<line>: <reason>"; the same line and reason here.
    String line = driver.getMessage().split(":")[1];
    assertTrue(e.getMessage().contains(": line " + line + " (byte "), e.getMessage());
    assertTrue(e.getMessage().endsWith("ragged row with 2 fields, expected 3"), e.getMessage());
  }

  @Test
  void emptyAndLabelOnlyInputsAreOneLineErrors() throws IOException {
    Path empty = write("empty.csv", "\n\n");
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, csv(empty, 0, 16)));
    assertTrue(e.getMessage().contains("no data rows"), e.getMessage());
    Path labels = write("labels.csv", "1\n2\n");
    e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, csv(labels, 0, 16)));
    assertTrue(e.getMessage().contains("needs a label and at least one feature"), e.getMessage());
    e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, csv(tmp.resolve("missing.csv"), 0, 16)));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  /** LIBSVM lines with comments, blank lines and rows of no feature. */
  private static String libsvmRows(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder("# a comment line\n");
    for (int i = 0; i < n; i++) {
      sb.append(rng.nextBoolean() ? "+1" : "-1");
      for (int j = 1; j <= d; j++) {
        if (rng.nextInt(3) == 0) {
          sb.append(' ').append(j).append(':').append(rng.nextGaussian());
        }
      }
      sb.append(i % 11 == 3 ? "  # trailing\n\n" : "\n");
    }
    return sb.toString();
  }

  @Test
  void libsvmEqualsTheDriverReaderWithTheDimensionFoundOrGiven() throws IOException {
    Path p = write("train.libsvm", libsvmRows(500, 7, 10));
    LabeledData found;
    LabeledData padded;
    try (BufferedReader r = open(p)) {
      found = TextDataReader.readLibsvm(r, p.toString(), 0);
    }
    try (BufferedReader r = open(p)) {
      padded = TextDataReader.readLibsvm(r, p.toString(), 12);
    }
    DataSpec.Builder spec = DataSpec.builder(DataFormat.AUTO, p.toString(), null).layout(4, 32);
    Collected.assertClose(found, read(spec), 1e-12);
    Collected.assertClose(padded, read(spec.numFeatures(12)), 1e-12);
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, spec.numFeatures(5)));
    assertTrue(e.getMessage().matches(".*train\\.libsvm: line \\d+ \\(byte \\d+\\): feature "
        + "index [67] exceeds the dimension 5"), e.getMessage());
  }

  @Test
  void libsvmTestDataTakeTheTrainingDimension() throws IOException {
    Path train = write("a.svm", "1 1:1 4:2\n-1 2:3\n");
    Path test = write("b.svm", "1 2:5\n-1 3:1 #\n");
    try (DistributedInput.Loaded loaded = Collected.load(spark,
        DataSpec.builder(DataFormat.AUTO, train.toString(), test.toString()))) {
      assertEquals(4, loaded.test().orElseThrow().d());
      LabeledData t = Collected.rows(loaded.test().orElseThrow());
      assertEquals(5.0, t.x().get(0, 1), 0.0);
      assertEquals(1.0, t.x().get(1, 2), 0.0);
    }
    Path wide = write("c.svm", "1 2:5\n-1 3:1 9:2\n");
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, DataSpec.builder(DataFormat.AUTO, train.toString(),
            wide.toString())));
    assertTrue(e.getMessage().endsWith("c.svm: line 2 (byte 6): feature index 9 exceeds the "
        + "dimension 4"), e.getMessage());
    Path decreasing = write("d.svm", "1 2:5\n-1 3:1 2:2\n");
    e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, DataSpec.builder(DataFormat.AUTO,
            decreasing.toString(), null)));
    assertTrue(e.getMessage().endsWith("d.svm: line 2 (byte 6): indices must be 1-based and "
        + "increasing, got 2 after 3"), e.getMessage());
  }
}
