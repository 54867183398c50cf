package io.cvxrelu.spline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The non-convex training of {@link SplineNetwork} against the certified convex optimum of
 * {@link SplineLasso}: the gradient against central finite differences, no run below the
 * optimum, and the best of several runs reaching it.
 */
class SplineAdamTest {

  @Test
  void gradientMatchesFiniteDifferences() {
    double[][] d = SplineLassoTest.data(6, 11);
    int width = 5;
    SplittableRandom r = new SplittableRandom(12);
    double[] w = new double[3 * width + 1];
    for (int k = 0; k < w.length; k++) {
      w[k] = r.nextGaussian();
    }
    double[] grad = new double[w.length];
    double j0 = SplineAdam.gradient(d[0], d[1], 0.3, width, w, grad);
    assertEquals(SplineAdam.network(w, width).objective(d[0], d[1], 0.3), j0, 1e-12);
    double h = 1e-6;
    double[] scratch = new double[w.length];
    for (int k = 0; k < w.length; k++) {
      double[] plus = w.clone();
      double[] minus = w.clone();
      plus[k] += h;
      minus[k] -= h;
      double fd = (SplineAdam.gradient(d[0], d[1], 0.3, width, plus, scratch)
          - SplineAdam.gradient(d[0], d[1], 0.3, width, minus, scratch)) / (2 * h);
      assertEquals(fd, grad[k], 1e-6 * Math.max(1.0, Math.abs(fd)), "coordinate " + k);
    }
  }

  @Test
  void noRunGoesBelowTheConvexOptimumAndTheBestReachesIt() {
    double[][] d = SplineLassoTest.data(8, 13);
    SplineLasso p0 = SplineLasso.atDataPoints(d[0], d[1], 1.0);
    for (double frac : new double[] {0.02, 0.2}) {
      SplineLasso p = p0.withBeta(frac * p0.betaMax());
      double star = SplineLassoSolver.exact().solve(p).objective();
      double best = Double.POSITIVE_INFINITY;
      for (long seed = 0; seed < 10; seed++) {
        SplineAdam.Run run = SplineAdam.train(d[0], d[1], p.beta(), 16, 30000, 0.003, seed);
        assertTrue(run.last() >= star * (1.0 - 1e-9), "run " + seed + " reached "
            + run.last() + " below the convex optimum " + star);
        best = Math.min(best, run.last());
      }
      assertTrue(best <= star * (1.0 + 1e-5), "best of 10 runs " + best + " vs " + star);
    }
  }
}
