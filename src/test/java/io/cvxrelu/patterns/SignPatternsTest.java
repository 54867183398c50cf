package io.cvxrelu.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SignPatternsTest {

  private static DenseMatrix gaussian(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    return x;
  }

  @Test
  void duplicatesAndTheZeroPatternAreDropped() {
    DenseMatrix x = DenseMatrix.fromRows(new double[][] {{1, 0}, {0, 1}, {-1, -1}}, 2);
    DenseMatrix gates = new DenseMatrix(2, 4, new double[] {1, 0, 2, 0, -1, -1, 0, -0.0});
    SignPatterns sp = SignPatterns.fromGates(x, gates);
    // (1,0) -> [1,0,0]; (2,0) duplicate; (-1,-1) -> [0,0,1]; (0,0) -> all zero, dropped.
    assertEquals(2, sp.count());
    assertArrayEquals(new boolean[] {true, false, false}, sp.pattern(0));
    assertArrayEquals(new boolean[] {false, false, true}, sp.pattern(1));
  }

  @Test
  void tiesAreInactive() {
    DenseMatrix x = DenseMatrix.fromRows(new double[][] {{1, -1}, {2, 3}}, 2);
    DenseMatrix gates = new DenseMatrix(2, 1, new double[] {1, 1});
    SignPatterns sp = SignPatterns.fromGates(x, gates);
    // x1^T g = 0 exactly: inactive.
    assertArrayEquals(new boolean[] {false, true}, sp.pattern(0));
  }

  @Test
  void samplingGivesDistinctNonZeroPatternsReproducibly() {
    DenseMatrix x = gaussian(200, 5, 1);
    SignPatterns a = SignPatterns.sample(x, 50, 42, 10_000);
    SignPatterns b = SignPatterns.sample(x, 50, 42, 10_000);
    assertEquals(50, a.count());
    assertArrayEquals(a.gates().data(), b.gates().data());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < a.count(); i++) {
      boolean[] p = a.pattern(i);
      boolean any = false;
      StringBuilder sb = new StringBuilder();
      for (boolean v : p) {
        any |= v;
        sb.append(v ? '1' : '0');
      }
      assertTrue(any, "zero pattern kept");
      assertTrue(seen.add(sb.toString()), "duplicate pattern kept");
    }
    SignPatterns c = SignPatterns.sample(x, 50, 43, 10_000);
    assertFalse(java.util.Arrays.equals(a.gates().data(), c.gates().data()));
  }

  @Test
  void samplingStopsAtTheDrawBudget() {
    // 1-D data with bias has 2n - 1 non-zero patterns; asking for more returns what exists.
    double[][] rows = new double[6][];
    for (int i = 0; i < 6; i++) {
      rows[i] = new double[] {i - 2.5, 1.0};
    }
    SignPatterns sp = SignPatterns.sample(DenseMatrix.fromRows(rows, 2), 100, 0, 20_000);
    assertEquals(11, sp.count());
  }

  @Test
  void gatesOfTheWrongDimensionAreRejected() {
    DenseMatrix x = gaussian(10, 3, 2);
    assertThrows(IllegalArgumentException.class,
        () -> SignPatterns.fromGates(x, new DenseMatrix(2, 4)));
    assertThrows(IllegalArgumentException.class, () -> SignPatterns.sample(x, 0, 0, 10));
  }
}
