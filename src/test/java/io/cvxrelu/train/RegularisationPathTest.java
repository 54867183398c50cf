package io.cvxrelu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The warm-started path against an independent answer: a cold solve (from zero) of the same
 * program at each beta reaches the same optimum; and the fractions a path takes.
 */
class RegularisationPathTest {
  private static ConvexReluProblem problem(Formulation f) {
    SplittableRandom rng = new SplittableRandom(7);
    int n = 60;
    int d = 4;
    DenseMatrix x = new DenseMatrix(n, d);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d - 1; j++) {
        x.set(i, j, rng.nextGaussian());
      }
      x.set(i, d - 1, 1.0);
      y[i] = Math.max(0, x.get(i, 0) - x.get(i, 1)) - 0.5 * Math.max(0, x.get(i, 2) + 0.3)
          + 0.05 * rng.nextGaussian();
    }
    SignPatterns patterns = SignPatterns.sample(x, 12, 3, 10_000);
    return new ConvexReluProblem(x, y, patterns, new SquaredLoss(), 1.0, f);
  }

  @Test
  void warmStartedPointsReachTheColdOptimum() {
    for (Formulation f : List.of(Formulation.RELU, Formulation.GATED)) {
      ConvexReluProblem base = problem(f);
      double betaMax = ConvexReluProblem.betaMax(base.x(), base.y(), base.patterns(),
          base.loss());
      double[] fractions = RegularisationPath.grid(4);
      SolverOptions options = new SolverOptions(1e-7, SolverOptions.DEFAULTS
          .feasibilityTolerance(), 100_000, 60);
      List<RegularisationPath.Point> path = RegularisationPath.solve(base, betaMax, fractions,
          options, beta -> IterationListener.NONE);
      assertEquals(fractions.length, path.size());
      for (RegularisationPath.Point p : path) {
        assertEquals(p.fraction() * betaMax, p.beta(), 0.0);
        assertEquals(StopReason.CONVERGED, p.result().stopReason(), f + " " + p.fraction());
        ConvexReluProblem at = base.with(p.beta(), f);
        SolverResult cold = SolverChoice.local(at).solve(at, null, options,
            IterationListener.NONE);
        double ref = cold.certificate().objective();
        assertEquals(ref, p.result().certificate().objective(), 2e-6 * Math.max(1.0, ref),
            f + " at " + p.fraction());
      }
    }
  }

  /**
   * The secant predictor continues the last two points linearly in log beta (t = 1 on a
   * log-spaced grid, t = 1/2 for half the log step), and the norm of A, which does not depend
   * on beta, is estimated once for every problem {@code with} makes at the same formulation.
   */
  @Test
  void secantPredictorAndSharedOperatorNorm() {
    ConvexReluProblem base = problem(Formulation.GATED);
    int d = base.d();
    int q = base.blockCount();
    DenseMatrix b1 = new DenseMatrix(d, q);
    DenseMatrix b2 = new DenseMatrix(d, q);
    b1.set(0, 0, 1.0);
    b2.set(0, 0, 3.0);
    b2.set(1, 2, -2.0);
    DenseMatrix full = RegularisationPath.secant(0.4, b1, 0.2, b2, 0.1);
    assertEquals(5.0, full.get(0, 0), 1e-12);
    assertEquals(-4.0, full.get(1, 2), 1e-12);
    DenseMatrix half = RegularisationPath.secant(0.4, b1, 0.2, b2, 0.2 / Math.sqrt(2.0));
    assertEquals(4.0, half.get(0, 0), 1e-12);
    assertEquals(-3.0, half.get(1, 2), 1e-12);
    // From beta_max (B = 0): twice the first point on a log grid of ratio 1/2.
    DenseMatrix fromZero = RegularisationPath.secant(1.0, null, 0.5, b2, 0.25);
    assertEquals(6.0, fromZero.get(0, 0), 1e-12);
    assertEquals(-4.0, fromZero.get(1, 2), 1e-12);

    int[] calls = new int[1];
    java.util.function.DoubleSupplier compute = () -> ++calls[0];
    assertEquals(1.0, base.betaFreeEstimate("norm", compute), 0.0);
    assertEquals(1.0, base.with(0.5, Formulation.GATED).betaFreeEstimate("norm", compute), 0.0);
    assertEquals(2.0, base.with(0.5, Formulation.RELU).betaFreeEstimate("norm", compute), 0.0);
    assertEquals(2, calls[0]);
  }

  @Test
  void gridIsLogSpacedAndListsAreSortedDescending() {
    double[] g = RegularisationPath.grid(3);
    assertEquals(RegularisationPath.GRID_LARGEST, g[0], 1e-15);
    assertEquals(RegularisationPath.GRID_SMALLEST, g[2], 1e-15);
    assertEquals(Math.sqrt(g[0] * g[2]), g[1], 1e-15);
    assertArrayEquals(new double[] {0.1, 0.01, 0.001},
        RegularisationPath.parse("0.01, 0.001,0.1"), 0.0);
    assertThrows(IllegalArgumentException.class, () -> RegularisationPath.parse("0.1,x"));
    assertThrows(IllegalArgumentException.class, () -> RegularisationPath.parse("0.1,1.5"));
    assertThrows(IllegalArgumentException.class, () -> RegularisationPath.parse("0.1,0.1"));
    assertThrows(IllegalArgumentException.class, () -> RegularisationPath.grid(1));
    assertTrue(g[1] < g[0]);
  }
}
