package io.cvxrelu.solver.local.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The master's non-negative lasso against its optimality conditions (t &gt;= 0, gradient
 * Q t - b &gt;= 0, complementarity) and against projected gradient run to convergence, cold
 * and from a warm start, including nearly parallel columns (the atoms of one chamber).
 */
class NonnegativeLassoTest {

  @Test
  void meetsTheOptimalityConditionsAndMatchesProjectedGradient() {
    SplittableRandom rng = new SplittableRandom(21);
    int n = 80;
    int m = 30;
    DenseMatrix f = new DenseMatrix(n, m);
    for (int k = 0; k < f.data().length; k++) {
      f.data()[k] = rng.nextGaussian();
    }
    // Column 1 nearly parallel to column 0.
    for (int r = 0; r < n; r++) {
      f.data()[n + r] = f.data()[r] + 1e-4 * rng.nextGaussian();
    }
    double[] y = new double[n];
    for (int r = 0; r < n; r++) {
      y[r] = 2 * f.get(r, 0) + f.get(r, 3) - f.get(r, 5) + 0.1 * rng.nextGaussian();
    }
    double beta = 3.0;
    DenseMatrix q = new DenseMatrix(m, m);
    Blas.gemm(true, false, 1.0, f, f, 0.0, q);
    double[] b = new double[m];
    for (int a = 0; a < m; a++) {
      double s = 0;
      for (int r = 0; r < n; r++) {
        s += f.get(r, a) * y[r];
      }
      b[a] = s - beta;
    }
    double[] cold = NonnegativeLasso.solve(q, b, new double[m]);
    double[] warmStart = new double[m];
    java.util.Arrays.fill(warmStart, 0.5);
    double[] warm = NonnegativeLasso.solve(q, b, warmStart);
    double[] pg = projectedGradient(q, b, m);
    for (double[] t : new double[][] {cold, warm}) {
      double[] grad = new double[m];
      for (int i = 0; i < m; i++) {
        grad[i] = -b[i];
        for (int j = 0; j < m; j++) {
          grad[i] += q.get(i, j) * t[j];
        }
        assertTrue(t[i] >= 0.0);
        assertTrue(grad[i] >= -1e-8, "gradient " + grad[i] + " at " + i);
        assertEquals(0.0, t[i] * grad[i], 1e-8);
      }
      // Projected gradient is slow on the near-parallel pair; the exact solve may only beat it.
      assertTrue(value(q, b, t) <= value(q, b, pg) + 1e-9 * Math.abs(value(q, b, pg)));
      assertEquals(value(q, b, pg), value(q, b, t), 1e-5 * Math.abs(value(q, b, pg)));
    }
  }

  private static double value(DenseMatrix q, double[] b, double[] t) {
    double v = 0;
    for (int i = 0; i < t.length; i++) {
      v -= b[i] * t[i];
      for (int j = 0; j < t.length; j++) {
        v += 0.5 * t[i] * q.get(i, j) * t[j];
      }
    }
    return v;
  }

  private static double[] projectedGradient(DenseMatrix q, double[] b, int m) {
    double lip = 0;
    for (int i = 0; i < m; i++) {
      double s = 0;
      for (int j = 0; j < m; j++) {
        s += Math.abs(q.get(i, j));
      }
      lip = Math.max(lip, s);
    }
    double[] t = new double[m];
    for (int it = 0; it < 200_000; it++) {
      double[] next = new double[m];
      for (int i = 0; i < m; i++) {
        double g = -b[i];
        for (int j = 0; j < m; j++) {
          g += q.get(i, j) * t[j];
        }
        next[i] = Math.max(0.0, t[i] - g / lip);
      }
      t = next;
    }
    return t;
  }
}
