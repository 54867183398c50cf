package io.cvxrelu.solver.local.polish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The null space of a set of tight cone rows against its definition: for t generic rows of X
 * in R^d, an orthonormal basis of d - t vectors orthogonal to every tight row (and the whole
 * space when no row is tight, none when d or more are).
 */
class ConeRowsTest {

  @Test
  void nullSpaceOfTightRowsIsOrthonormalAndOrthogonalToThem() {
    SplittableRandom rng = new SplittableRandom(3);
    int n = 40;
    int d = 6;
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    double[] y = new double[n];
    ConvexReluProblem problem = new ConvexReluProblem(x, y, SignPatterns.sample(x, 4, 1, 1000),
        new SquaredLoss(), 1.0, Formulation.RELU);
    ConeRows rows = new ConeRows(problem);
    for (int t : new int[] {0, 1, 3, 5, 6, 9}) {
      boolean[] tight = new boolean[n];
      for (int k = 0; k < t; k++) {
        tight[3 * k + 1] = true;
      }
      double[] basis = rows.nullSpace(tight);
      int expected = Math.max(0, d - t);
      if (expected == 0) {
        assertNull(basis, "no null space for " + t + " tight rows");
        continue;
      }
      assertEquals(d * expected, basis.length, t + " tight rows");
      for (int a = 0; a < expected; a++) {
        for (int b = 0; b < expected; b++) {
          double dot = 0.0;
          for (int c = 0; c < d; c++) {
            dot += basis[a * d + c] * basis[b * d + c];
          }
          assertEquals(a == b ? 1.0 : 0.0, dot, 1e-10);
        }
        for (int k = 0; k < n; k++) {
          if (tight[k]) {
            double dot = 0.0;
            for (int c = 0; c < d; c++) {
              dot += x.get(k, c) * basis[a * d + c];
            }
            assertEquals(0.0, dot, 1e-10);
          }
        }
      }
    }
  }
}
