package io.cvxrelu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Blas#gemm(boolean, boolean, double, DenseMatrix, DenseMatrix, double, DenseMatrix)}
 * against a plain triple loop, for every transpose combination and for shapes large enough to be
 * split across cores by rows (tall C) and by columns (wide C) when the suite runs with one BLAS
 * thread.
 */
class BlasTest {
  @Test
  void gemmMatchesTheDefinitionForEveryTransposeAndSplit() {
    SplittableRandom rng = new SplittableRandom(11);
    int[][] shapes = {{400, 300, 100}, {150, 500, 140}, {7, 5, 3}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          DenseMatrix a = ta ? RandomMatrices.gaussian(k, m, rng)
              : RandomMatrices.gaussian(m, k, rng);
          DenseMatrix b = tb ? RandomMatrices.gaussian(n, k, rng)
              : RandomMatrices.gaussian(k, n, rng);
          DenseMatrix c = RandomMatrices.gaussian(m, n, rng);
          DenseMatrix c0 = c.copy();
          Blas.gemm(ta, tb, 0.5, a, b, -2.0, c);
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
              double dot = 0.0;
              for (int l = 0; l < k; l++) {
                dot += (ta ? a.get(l, i) : a.get(i, l)) * (tb ? b.get(j, l) : b.get(l, j));
              }
              double expected = 0.5 * dot - 2.0 * c0.get(i, j);
              assertEquals(expected, c.get(i, j), 1e-11 * (1 + Math.abs(expected)),
                  m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " at " + i + "," + j);
            }
          }
        }
      }
    }
  }
}
