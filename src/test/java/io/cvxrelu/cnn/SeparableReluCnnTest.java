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
import io.cvxrelu.solver.local.AdmmReluSolver;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ReLU separable CNN against the fully connected ReLU program and its own network. */
class SeparableReluCnnTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-10, 1e-10, 500_000, 60.0);

  private static double[] targets(DenseMatrix x, SplittableRandom rng) {
    double[] y = new double[x.rows()];
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(x.get(i, 0) + x.get(i, 1), 0.0) - Math.max(x.get(i, 2), 0.0)
          + 0.1 * rng.nextGaussian();
    }
    return y;
  }

  /**
   * K = 1: the fully connected ReLU program on the same patterns, solved by the project's
   * interior-point method and, independently of it, by ADMM.
   */
  @Test
  void onePatchGivesTheFullyConnectedReluOptimum() {
    SplittableRandom rng = new SplittableRandom(8);
    int d = 4;
    DenseMatrix x = RandomMatrices.gaussian(40, d, rng);
    double[] y = targets(x, rng);
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    double beta = 0.05 * SeparableGatedCnn.betaMax(x, y, whole, 10, 3);
    SeparableReluCnn cnn = new SeparableReluCnn(x, SeparableGatedCnn.of(x, y, whole, 10, 3,
        beta));
    SolverResult r = new SeparableReluSolver().solve(cnn, TIGHT, IterationListener.NONE)
        .orElseThrow();
    assertEquals(StopReason.CONVERGED, r.stopReason());
    ConvexReluProblem fc = new ConvexReluProblem(x, y, SignPatterns.sample(x, 10, 3, 1000),
        new SquaredLoss(), beta, Formulation.RELU);
    SolverResult ipm = new InteriorPointReluSolver().solve(fc, null, TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, ipm.stopReason());
    double value = r.certificate().objective();
    assertEquals(ipm.certificate().objective(), value, 1e-8 * value);
    SolverResult admm = new AdmmReluSolver().solve(fc, null,
        new SolverOptions(1e-7, 1e-9, 500_000, 30.0), IterationListener.NONE);
    assertTrue(admm.certificate().lowerBound() <= value * (1.0 + 1e-12));
    assertTrue(r.certificate().lowerBound() <= admm.certificate().objective() * (1.0 + 1e-12));
  }

  /**
   * Several patches: certified with the cones satisfied; the recovered ReLU neurons, evaluated
   * from the patches, have the convex value; the gated program on the same patterns (a
   * relaxation) lies below.
   */
  @Test
  void recoveredReluSeparableCnnHasTheConvexObjective() {
    SplittableRandom rng = new SplittableRandom(9);
    PatchGeometry g = PatchGeometry.windows(1, 1, 8, 3, 2);
    DenseMatrix x = RandomMatrices.gaussian(50, 8, rng);
    double[] y = targets(x, rng);
    double beta = 0.05 * SeparableGatedCnn.betaMax(x, y, g, 6, 1);
    SeparableGatedCnn gated = SeparableGatedCnn.of(x, y, g, 6, 1, beta);
    SeparableReluCnn cnn = new SeparableReluCnn(x, gated);
    SolverResult r = new SeparableReluSolver().solve(cnn, TIGHT, IterationListener.NONE)
        .orElseThrow();
    assertEquals(StopReason.CONVERGED, r.stopReason());
    assertTrue(r.certificate().constraintViolation() <= 1e-10 * Math.max(1.0,
        cnn.largestLabel()));
    List<SeparableGatedCnn.Neuron> neurons = cnn.recover(r);
    assertTrue(neurons.stream().mapToInt(SeparableGatedCnn.Neuron::patch).distinct().count() > 1,
        "neurons on several patches");
    double convex = r.certificate().objective();
    assertEquals(convex, SeparableGatedCnn.objective(neurons, g, x, y, beta), 1e-9 * convex);
    SolverResult relaxed = new ProximalGradientSolver().solve(gated.problem(),
        new SolverOptions(1e-11, 1e-9, 500_000, 60.0), IterationListener.NONE);
    assertTrue(convex >= relaxed.certificate().lowerBound());
  }
}
