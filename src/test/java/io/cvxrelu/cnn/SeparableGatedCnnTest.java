package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The gated separable CNN against the fully connected gated program and its own network. */
class SeparableGatedCnnTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-11, 1e-9, 500_000, 60.0);

  private static double[] targets(DenseMatrix x, SplittableRandom rng) {
    double[] y = new double[x.rows()];
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(x.get(i, 0) + x.get(i, 1), 0.0) - Math.max(x.get(i, 2), 0.0)
          + 0.1 * rng.nextGaussian();
    }
    return y;
  }

  /** K = 1 (the whole signal is the patch): the fully connected gated program, same patterns. */
  @Test
  void onePatchGivesTheFullyConnectedGatedOptimum() {
    SplittableRandom rng = new SplittableRandom(2);
    int d = 4;
    DenseMatrix x = RandomMatrices.gaussian(40, d, rng);
    double[] y = targets(x, rng);
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    double beta = 0.05 * SeparableGatedCnn.betaMax(x, y, whole, 12, 7);
    SeparableGatedCnn cnn = SeparableGatedCnn.of(x, y, whole, 12, 7, beta);
    SolverResult r = new ProximalGradientSolver().solve(cnn.problem(), TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    SignPatterns patterns = SignPatterns.sample(x, 12, 7, 1200);
    ConvexReluProblem fc = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta,
        Formulation.GATED);
    // The project's semismooth Newton solver stalls near 1e-11; 1e-10 is enough for 1e-8.
    SolverResult fcResult = new SsnalGatedSolver().solve(fc, null,
        new SolverOptions(1e-10, 1e-9, 500_000, 60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, fcResult.stopReason());
    double value = r.certificate().objective();
    assertEquals(fcResult.certificate().objective(), value, 1e-8 * value);
    assertTrue(value >= fcResult.certificate().lowerBound());
    assertTrue(fcResult.certificate().objective() >= r.certificate().lowerBound());
  }

  @Test
  void recoveredSeparableCnnHasTheConvexObjective() {
    SplittableRandom rng = new SplittableRandom(3);
    PatchGeometry g = PatchGeometry.windows(1, 1, 8, 3, 2);
    DenseMatrix x = RandomMatrices.gaussian(50, 8, rng);
    double[] y = targets(x, rng);
    double beta = 0.05 * SeparableGatedCnn.betaMax(x, y, g, 6, 1);
    SeparableGatedCnn cnn = SeparableGatedCnn.of(x, y, g, 6, 1, beta);
    SolverResult r = new ProximalGradientSolver().solve(cnn.problem(), TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    List<SeparableGatedCnn.Neuron> neurons = cnn.recover(r);
    assertTrue(neurons.stream().mapToInt(SeparableGatedCnn.Neuron::patch).distinct().count() > 1,
        "neurons on several patches");
    double convex = r.certificate().objective();
    assertEquals(convex, SeparableGatedCnn.objective(neurons, g, x, y, beta), 1e-9 * convex);
  }
}
