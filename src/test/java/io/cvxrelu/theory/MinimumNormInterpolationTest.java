package io.cvxrelu.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The minimum-norm interpolating network against its closed form on whitened data,
 * R* = ||y_+|| + ||y_-||, and its bracket on Gaussian data (n &lt;= d, every pattern).
 */
class MinimumNormInterpolationTest {
  private static final SolverOptions OPTIONS = new SolverOptions(1e-10, 1e-9, 200_000, 60.0);

  private static double[] labels(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextGaussian();
    }
    return y;
  }

  @Test
  void whitenedDataInterpolateAtTheNormsOfThePositiveAndNegativeParts() {
    for (long seed = 0; seed < 2; seed++) {
      DenseMatrix x = SpikeFreeCheckTest.whitened(5, 8, 30 + seed);
      double[] y = labels(5, 40 + seed);
      double plus = 0.0;
      double minus = 0.0;
      for (double v : y) {
        plus += v > 0 ? v * v : 0.0;
        minus += v < 0 ? v * v : 0.0;
      }
      double expected = Math.sqrt(plus) + Math.sqrt(minus);
      MinimumNormInterpolation.Result r = MinimumNormInterpolation.solve(x, y,
          ArrangementEnumerator.enumerate(x, 1_000_000), OPTIONS, 1e-5);
      assertTrue(r.certified(), "not certified: " + r);
      assertTrue(r.lowerBound() <= expected * (1 + 1e-9), r + " vs " + expected);
      assertTrue(r.upperBound() >= expected * (1 - 1e-9), r + " vs " + expected);
      assertEquals(expected, r.upperBound(), 1e-5 * expected);
    }
  }

  @Test
  void gaussianDataGetACertifiedBracketBelowTheTwoBlockValue() {
    DenseMatrix x = RandomMatrices.gaussian(6, 9, new SplittableRandom(8));
    double[] y = labels(6, 9);
    MinimumNormInterpolation.Result r = MinimumNormInterpolation.solve(x, y,
        ArrangementEnumerator.enumerate(x, 1_000_000), OPTIONS, 1e-5);
    assertTrue(r.certified(), "not certified: " + r);
    assertTrue(r.residual() <= 1e-8);
    assertTrue(r.lowerBound() <= r.upperBound());
  }

  /**
   * Over a few sampled patterns the correction's patterns are missing: they are added and the
   * bracket is certified over the larger set, whose optimum is at least the all-pattern one.
   */
  @Test
  void missingCorrectionPatternsAreAddedAndTheLargerSetIsCertified() {
    DenseMatrix x = SpikeFreeCheckTest.whitened(5, 8, 30);
    double[] y = labels(5, 40);
    SignPatterns sampled = SignPatterns.sample(x, 2, 7, 1000);
    MinimumNormInterpolation.Result all = MinimumNormInterpolation.solve(x, y,
        ArrangementEnumerator.enumerate(x, 1_000_000), OPTIONS, 1e-5);
    MinimumNormInterpolation.Result r = MinimumNormInterpolation.solve(x, y, sampled, OPTIONS,
        1e-5);
    assertTrue(r.certified(), "not certified: " + r);
    assertTrue(r.patterns().count() > sampled.count(), r.patterns().count() + " patterns");
    assertTrue(r.upperBound() >= all.lowerBound() * (1 - 1e-9), r + " vs " + all);
    assertTrue(r.steps().size() >= 2, "the first beta lacked the correction's patterns");
  }
}
