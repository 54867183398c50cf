package io.cvxrelu.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.testutil.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Exact hyperplane-arrangement enumeration against Cover's count, sampling and fixtures. */
class ArrangementEnumeratorTest {
  private static final long BUDGET = 10_000_000L;

  @Test
  void gaussianDataReachCoversCellCount() {
    SplittableRandom rng = new SplittableRandom(20200713L);
    for (int n : new int[] {6, 10, 15}) {
      for (int d : new int[] {2, 3, 4}) {
        DenseMatrix x = gaussian(rng, n, d);
        DenseMatrix gates = ArrangementEnumerator.enumerateGates(x, BUDGET);
        Set<String> patterns = patterns(x, gates);
        assertEquals(gates.cols(), patterns.size(), "one gate per cell, n=" + n + " d=" + d);
        assertEquals(ArrangementEnumerator.generalPositionCellCount(n, d), patterns.size(),
            "n=" + n + " d=" + d);
        assertStrictlyInside(x, gates);
        // The all-zero cell exists only when the rows lie in an open half-space.
        int zero = patterns.contains("0".repeat(n)) ? 1 : 0;
        assertEquals(patterns.size() - zero, ArrangementEnumerator.enumerate(x, BUDGET).count());
      }
    }
  }

  @Test
  void oneDimensionalDataWithBiasHaveTwoCellsPerDistinctPoint() {
    SplittableRandom rng = new SplittableRandom(7L);
    for (int n : new int[] {5, 12, 20}) {
      double[] xs = new double[n];
      for (int i = 0; i < n; i++) {
        xs[i] = rng.nextGaussian();
      }
      assertEquals(2 * n - 1, ArrangementEnumerator.enumerate(withBias(xs), BUDGET).count());
    }
    // Repeated points give the same hyperplane, so only the distinct values count.
    double[] repeated = {0.5, -1.0, 0.5, 2.0, 3.5, -1.0, 0.0, 2.0, 0.5, 7.25, -3.0, 1e-3};
    assertEquals(2 * 8 - 1, ArrangementEnumerator.enumerate(withBias(repeated), BUDGET).count());
  }

  @Test
  void oneDimensionalDataWithBiasScaleToThousandsOfPoints() {
    SplittableRandom rng = new SplittableRandom(11L);
    int n = 2000;
    double[] xs = new double[n];
    for (int i = 0; i < n; i++) {
      // Integers with repeats, far from the origin: ties and a badly scaled bias column at once.
      xs[i] = 1e4 + rng.nextInt(600);
    }
    long distinct = Arrays.stream(xs).distinct().count();
    DenseMatrix x = withBias(xs);
    DenseMatrix gates = ArrangementEnumerator.enumerateGates(x, BUDGET);
    assertEquals(2 * distinct, gates.cols());
    assertEquals(2 * distinct - 1, SignPatterns.fromGates(x, gates).count());
    assertStrictlyInside(x, gates);
  }

  @Test
  void randomGatesFindNoPatternTheEnumerationMissed() {
    SplittableRandom rng = new SplittableRandom(3L);
    int n = 8;
    int d = 3;
    DenseMatrix x = gaussian(rng, n, d);
    Set<String> enumerated = patterns(x, ArrangementEnumerator.enumerateGates(x, BUDGET));
    DenseMatrix sampled = gaussian(rng, d, 200_000);
    Set<String> seen = patterns(x, sampled);
    assertTrue(enumerated.containsAll(seen), "a sampled pattern is missing from the enumeration");
    assertEquals(ArrangementEnumerator.generalPositionCellCount(n, d), enumerated.size());
  }

  @Test
  void degenerateArrangementMatchesRandomGates() {
    // All non-zero vectors of {-1, 0, 1}^3: parallel, antiparallel and many concurrent planes.
    List<double[]> rows = new ArrayList<>();
    for (int a = -1; a <= 1; a++) {
      for (int b = -1; b <= 1; b++) {
        for (int c = -1; c <= 1; c++) {
          if (a != 0 || b != 0 || c != 0) {
            rows.add(new double[] {a, b, c});
          }
        }
      }
    }
    DenseMatrix x = DenseMatrix.fromRows(rows.toArray(new double[0][]), 3);
    DenseMatrix gates = ArrangementEnumerator.enumerateGates(x, BUDGET);
    Set<String> enumerated = patterns(x, gates);
    assertEquals(gates.cols(), enumerated.size());
    assertStrictlyInside(x, gates);
    Set<String> seen = patterns(x, gaussian(new SplittableRandom(5L), 3, 100_000));
    assertEquals(seen, enumerated);
  }

  @Test
  void lowRankDataCountInTheirRank() {
    SplittableRandom rng = new SplittableRandom(19L);
    int n = 12;
    DenseMatrix x = product(gaussian(rng, n, 2), gaussian(rng, 2, 4));
    DenseMatrix gates = ArrangementEnumerator.enumerateGates(x, BUDGET);
    assertEquals(ArrangementEnumerator.generalPositionCellCount(n, 2), patterns(x, gates).size());
    assertStrictlyInside(x, gates);

    DenseMatrix x3 = product(gaussian(rng, 9, 3), gaussian(rng, 3, 5));
    assertEquals(ArrangementEnumerator.generalPositionCellCount(9, 3),
        patterns(x3, ArrangementEnumerator.enumerateGates(x3, BUDGET)).size());
  }

  @Test
  void zeroRowsAreAlwaysInactive() {
    SplittableRandom rng = new SplittableRandom(23L);
    DenseMatrix base = gaussian(rng, 7, 3);
    double[][] rows = new double[9][];
    for (int i = 0; i < 7; i++) {
      rows[i] = base.row(i);
    }
    rows[7] = new double[3];
    rows[8] = new double[3];
    DenseMatrix x = DenseMatrix.fromRows(rows, 3);
    DenseMatrix gates = ArrangementEnumerator.enumerateGates(x, BUDGET);
    Set<String> patterns = patterns(x, gates);
    assertEquals(ArrangementEnumerator.generalPositionCellCount(7, 3), patterns.size());
    for (String p : patterns) {
      assertTrue(p.endsWith("00"), "a zero row was active in " + p);
    }
  }

  @Test
  void toyFixturesHoldExactlyTheEnumeratedPatterns() throws IOException {
    Path fixtures = Fixtures.root();
    List<Path> toys;
    try (Stream<Path> s = Files.list(fixtures)) {
      toys = s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("toy_"))
          .sorted().toList();
    }
    assertFalse(toys.isEmpty(), "no toy_* fixtures in " + fixtures);
    for (Path toy : toys) {
      DenseMatrix x = readCsv(toy.resolve("X.csv"));
      DenseMatrix g = readCsv(toy.resolve("G.csv")).transpose();
      Set<String> expected = patterns(x, g);
      expected.remove("0".repeat(x.rows()));
      Set<String> actual = patterns(x, ArrangementEnumerator.enumerate(x, BUDGET).gates());
      assertEquals(expected, actual, toy.getFileName().toString());
    }
  }

  @Test
  void exceedingTheSubsetBudgetThrows() {
    DenseMatrix x = gaussian(new SplittableRandom(1L), 40, 6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrangementEnumerator.enumerateGates(x, 1000));
    assertTrue(e.getMessage().startsWith("exact enumeration infeasible"), e.getMessage());
    assertTrue(e.getMessage().contains("use sampled gates"), e.getMessage());
    // 1-D data with a bias visit one subset per row.
    assertThrows(IllegalArgumentException.class,
        () -> ArrangementEnumerator.enumerateGates(withBias(new double[] {1, 2, 3, 4}), 3));
    assertEquals(7, ArrangementEnumerator.enumerate(withBias(new double[] {1, 2, 3, 4}), 4)
        .count());
    // Square X has only n subsets but 2^n cells, which count against the budget too.
    DenseMatrix square = gaussian(new SplittableRandom(2L), 20, 20);
    IllegalArgumentException cells = assertThrows(IllegalArgumentException.class,
        () -> ArrangementEnumerator.enumerateGates(square, 1000));
    assertTrue(cells.getMessage().contains("cells"), cells.getMessage());
  }

  @Test
  void generalPositionCountFollowsCover() {
    assertEquals(2 * (1 + 9), ArrangementEnumerator.generalPositionCellCount(10, 2));
    assertEquals(2 * (1 + 5 + 10 + 10), ArrangementEnumerator.generalPositionCellCount(6, 4));
    assertEquals(1L << 5, ArrangementEnumerator.generalPositionCellCount(5, 8));
    assertEquals(1, ArrangementEnumerator.generalPositionCellCount(0, 3));
  }

  // ---------------------------------------------------------------------------------------------

  private static DenseMatrix gaussian(SplittableRandom rng, int rows, int cols) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    double[] v = m.data();
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
    }
    return m;
  }

  private static DenseMatrix product(DenseMatrix a, DenseMatrix b) {
    DenseMatrix c = new DenseMatrix(a.rows(), b.cols());
    Blas.gemm(false, false, 1.0, a, b, 0.0, c);
    return c;
  }

  private static DenseMatrix withBias(double[] xs) {
    double[][] rows = new double[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      rows[i] = new double[] {xs[i], 1.0};
    }
    return DenseMatrix.fromRows(rows, 2);
  }

  /** Distinct patterns 1[X g > 0] of the gate columns, the all-zero one included. */
  private static Set<String> patterns(DenseMatrix x, DenseMatrix gates) {
    int n = x.rows();
    byte[] mask = SignPatterns.computeMask(x, gates);
    Set<String> out = new HashSet<>();
    char[] buf = new char[n];
    for (int j = 0; j < gates.cols(); j++) {
      for (int i = 0; i < n; i++) {
        buf[i] = mask[j * n + i] != 0 ? '1' : '0';
      }
      out.add(new String(buf));
    }
    return out;
  }

  /** No non-zero row lies on (numerically) the hyperplane of a returned gate. */
  private static void assertStrictlyInside(DenseMatrix x, DenseMatrix gates) {
    int n = x.rows();
    DenseMatrix xg = product(x, gates);
    double[] rowNorm = new double[n];
    for (int i = 0; i < n; i++) {
      double[] xi = x.row(i);
      rowNorm[i] = Math.sqrt(dot(xi, xi));
    }
    for (int c = 0; c < gates.cols(); c++) {
      double gn = gates.columnNorm(c);
      for (int i = 0; i < n; i++) {
        if (rowNorm[i] > 0.0) {
          double cos = Math.abs(xg.get(i, c)) / (rowNorm[i] * gn);
          if (!(cos > 1e-12)) {
            fail("gate " + c + " is on the hyperplane of row " + i + " (cos = " + cos + ")");
          }
        }
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static DenseMatrix readCsv(Path file) throws IOException {
    List<double[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String t = line.strip();
      if (t.isEmpty()) {
        continue;
      }
      String[] parts = t.split(",");
      List<Double> vals = new ArrayList<>();
      for (String p : parts) {
        if (!p.isBlank()) {
          vals.add(Double.parseDouble(p.strip()));
        }
      }
      rows.add(vals.stream().mapToDouble(Double::doubleValue).toArray());
    }
    int cols = rows.isEmpty() ? 0 : rows.get(0).length;
    return DenseMatrix.fromRows(rows.toArray(new double[0][]), cols);
  }
}
