package io.cvxrelu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NnlsTest {

  @Test
  void solutionSatisfiesTheKktConditions() {
    SplittableRandom r = new SplittableRandom(3);
    for (int trial = 0; trial < 50; trial++) {
      int m = 2 + r.nextInt(4);
      int k = 1 + r.nextInt(30);
      DenseMatrix a = new DenseMatrix(m, k);
      for (int i = 0; i < a.data().length; i++) {
        a.data()[i] = r.nextGaussian();
      }
      double[] b = new double[m];
      for (int i = 0; i < m; i++) {
        b[i] = r.nextGaussian();
      }
      double[] x = Nnls.solve(a, b, 1000);
      double[] res = b.clone();
      for (int j = 0; j < k; j++) {
        assertTrue(x[j] >= 0.0);
        for (int i = 0; i < m; i++) {
          res[i] -= a.get(i, j) * x[j];
        }
      }
      for (int j = 0; j < k; j++) {
        double w = 0.0;
        for (int i = 0; i < m; i++) {
          w += a.get(i, j) * res[i];
        }
        // Dual feasibility w <= 0, complementary slackness w_j x_j = 0.
        assertTrue(w <= 1e-9, "trial " + trial + " w " + w);
        if (x[j] > 0.0) {
          assertEquals(0.0, w, 1e-9);
        }
      }
    }
  }

  @Test
  void unconstrainedSolutionIsReturnedWhenItIsNonNegative() {
    DenseMatrix a = new DenseMatrix(2, 2, new double[] {2, 0, 0, 4});
    double[] x = Nnls.solve(a, new double[] {2, 8}, 10);
    assertEquals(1.0, x[0], 1e-14);
    assertEquals(2.0, x[1], 1e-14);
    double[] y = Nnls.solve(a, new double[] {-2, 8}, 10);
    assertEquals(0.0, y[0]);
    assertEquals(2.0, y[1], 1e-14);
  }
}
