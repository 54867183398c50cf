package io.cvxrelu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The hold-out split: a partition of the training rows (every row on exactly one side, each
 * copied with its own label and features), reproducible for a seed and different for another,
 * and a usage error for fractions outside (0, 1).
 */
class ValidationSplitTest {

  /** n rows whose features encode the row index (x_ij = i + 1000 j) and labels y_i = -i. */
  private static LabeledData indexed(int n, int d) {
    DenseMatrix x = new DenseMatrix(n, d);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = -i;
      for (int j = 0; j < d; j++) {
        x.set(i, j, i + 1000.0 * j);
      }
    }
    return new LabeledData(x, y);
  }

  @Test
  void splitIsAPartitionOfTheTrainingRowsInTheirOrder() {
    LabeledData train = indexed(50, 3);
    ValidationSplit s = ValidationSplit.of(train, 0.2, 7);
    assertEquals(10, s.validation().n());
    assertEquals(40, s.fit().n());
    Set<Integer> seen = new HashSet<>();
    for (LabeledData part : new LabeledData[] {s.fit(), s.validation()}) {
      int previous = -1;
      for (int r = 0; r < part.n(); r++) {
        int i = (int) part.x().get(r, 0);
        assertTrue(i > previous, "rows keep their order");
        previous = i;
        assertTrue(seen.add(i), "row " + i + " on both sides");
        assertEquals(-i, part.y()[r], 0.0);
        for (int j = 0; j < 3; j++) {
          assertEquals(i + 1000.0 * j, part.x().get(r, j), 0.0);
        }
      }
    }
    assertEquals(50, seen.size());
    for (int r = 0; r < s.validation().n(); r++) {
      assertEquals(s.validationRows()[r], (int) s.validation().x().get(r, 0));
    }
  }

  @Test
  void sameSeedSameSplitOtherSeedOtherSplit() {
    LabeledData train = indexed(200, 2);
    int[] a = ValidationSplit.of(train, 0.25, 3).validationRows();
    int[] b = ValidationSplit.of(train, 0.25, 3).validationRows();
    int[] c = ValidationSplit.of(train, 0.25, 4).validationRows();
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void fractionsOutsideTheOpenIntervalAreRefused() {
    LabeledData train = indexed(10, 1);
    assertThrows(InvalidSpecException.class, () -> ValidationSplit.of(train, 1.5, 0));
    assertThrows(InvalidSpecException.class, () -> ValidationSplit.of(train, 0.0, 0));
    assertThrows(InvalidSpecException.class, () -> ValidationSplit.of(train, 0.01, 0),
        "round(0.1) = 0 validation rows");
  }
}
