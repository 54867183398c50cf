package io.cvxrelu.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextDataReaderTest {

  private static BufferedReader in(String s) {
    return new BufferedReader(new StringReader(s));
  }

  @Test
  void readsCsvWithLabelFirstAndOptionalHeader() {
    LabeledData d = TextDataReader.readCsv(in("y,a,b\n1, 2,3\n\n-1,4,5\n"), "t.csv");
    assertEquals(2, d.n());
    assertEquals(2, d.d());
    assertArrayEquals(new double[] {1, -1}, d.y());
    assertArrayEquals(new double[] {2, 3}, d.x().row(0));
    assertArrayEquals(new double[] {4, 5}, d.x().row(1));
  }

  @Test
  void acceptsAUtf8ByteOrderMarkBeforeTheFirstField() {
    LabeledData csv = TextDataReader.readCsv(in("\uFEFF1,2,3\n-1,4,5\n"), "bom.csv");
    assertArrayEquals(new double[] {1, -1}, csv.y());
    assertArrayEquals(new double[] {2, 3}, csv.x().row(0));
    LabeledData header = TextDataReader.readCsv(in("\uFEFFy,a\n1,2\n"), "bom.csv");
    assertEquals(1, header.n());
    LabeledData libsvm = TextDataReader.readLibsvm(in("\uFEFF1 1:2\n-1 2:3\n"), "bom.txt", 0);
    assertArrayEquals(new double[] {1, -1}, libsvm.y());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|empty file",
      "1,2,3\\n1,2|ragged row",
      "1,2,x\\n|non-numeric field 'x'",
      "1,NaN,3|NaN",
      "Infinity,2,3|NaN and infinite",
      "1\\n2|needs a label and at least one feature"})
  void badCsvGivesOneLineMessage(String content, String expected) {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> TextDataReader.readCsv(in(content.replace("\\n", "\n")), "bad.csv"));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith("bad.csv"), e.getMessage());
    assertEquals(-1, e.getMessage().indexOf('\n'));
  }

  @Test
  void readsLibsvmPaddedToATrainingDimension() {
    LabeledData d = TextDataReader.readLibsvm(in("1 1:0.5 3:2\n-1 2:1 # comment\n"), "t", 5);
    assertEquals(5, d.d());
    assertArrayEquals(new double[] {0.5, 0, 2, 0, 0}, d.x().row(0));
    assertArrayEquals(new double[] {0, 1, 0, 0, 0}, d.x().row(1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1 2:1 1:3|increasing",
      "1 0:1|increasing",
      "1 a:1|non-numeric index",
      "1 3|expected index:value",
      "1 1:nan|non-numeric"})
  void badLibsvmIsRejected(String content, String expected) {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> TextDataReader.readLibsvm(in(content), "bad.svm", 0));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void gateFilesAreMatrices() {
    assertEquals(3, TextDataReader.readMatrixCsv(in("1,2\n3,4\n5,6\n"), "g").rows());
    assertThrows(DataFormatException.class,
        () -> TextDataReader.readMatrixCsv(in("a,b\n1,2\n"), "g"));
  }
}
