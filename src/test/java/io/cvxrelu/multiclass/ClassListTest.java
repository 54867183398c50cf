package io.cvxrelu.multiclass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Parsing of --classes and the routing of pairwise reads back to classes and file order. */
class ClassListTest {
  private static final List<String> NAMES = List.of("zero", "one", "two", "three", "four");

  @Test
  void parsesAllNamesAndIndices() {
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, ClassList.parse("all", NAMES).labels());
    ClassList l = ClassList.parse("Three, 0,two", NAMES);
    assertArrayEquals(new int[] {3, 0, 2}, l.labels());
    assertArrayEquals(new String[] {"three", "zero", "two"}, l.names());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassList.parse("one,seven", NAMES));
    assertTrue(e.getMessage().contains("unknown class 'seven'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClassList.parse("1,1", NAMES));
    assertThrows(IllegalArgumentException.class, () -> ClassList.parse("9,1", NAMES));
    assertThrows(IllegalArgumentException.class, () -> ClassList.parse("2", NAMES));
  }

  /**
   * A fake file of twelve one-pixel images whose pixel is the row number: every assembled row
   * must carry its own pixel, in file order, with the class index of its file label.
   */
  @Test
  void oddClassCountsComeBackInFileOrder() {
    byte[] fileLabels = {4, 0, 2, 3, 4, 1, 2, 0, 3, 4, 1, 2};
    ClassList l = ClassList.parse("2,4,0", NAMES);
    List<String> calls = new ArrayList<>();
    ClassList.Rows rows = l.assemble(reader(fileLabels, calls), fileLabels, Integer.MAX_VALUE);
    assertEquals(List.of("2,4", "0,2"), calls, "classes read in pairs, the odd one with class 0");
    List<Double> pixels = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();
    for (int r = 0; r < fileLabels.length; r++) {
      int k = fileLabels[r] == 2 ? 0 : fileLabels[r] == 4 ? 1 : fileLabels[r] == 0 ? 2 : -1;
      if (k >= 0) {
        pixels.add((double) r);
        classes.add(k);
      }
    }
    assertEquals(pixels.size(), rows.x().rows());
    for (int r = 0; r < pixels.size(); r++) {
      assertEquals(pixels.get(r), rows.x().get(r, 0), "row " + r);
      assertEquals(classes.get(r), rows.classes()[r], "row " + r);
    }
    ClassList.Rows capped = l.assemble(reader(fileLabels, calls), null, 2);
    int[] perClass = new int[3];
    for (int k : capped.classes()) {
      perClass[k]++;
    }
    assertArrayEquals(new int[] {2, 2, 2}, perClass);
  }

  /** Reads the rows of a selection as the image readers do: +1 first class, -1 second. */
  private static Function<ClassSelection, LabeledData> reader(byte[] fileLabels,
      List<String> calls) {
    return sel -> {
      calls.add(sel.labels()[0] + "," + sel.labels()[1]);
      List<double[]> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int r = 0; r < fileLabels.length; r++) {
        double t = sel.target(fileLabels[r]);
        if (t != 0.0) {
          xs.add(new double[] {r});
          ys.add(t);
        }
      }
      return new LabeledData(DenseMatrix.fromRows(xs.toArray(new double[0][]), 1),
          ys.stream().mapToDouble(Double::doubleValue).toArray());
    };
  }
}
