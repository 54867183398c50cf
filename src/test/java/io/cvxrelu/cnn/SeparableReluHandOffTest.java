package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The separable ReLU solver's ending: where the interior point stops short (NUMERICAL_FAILURE
 * on toy_n12 at a gap of 2.9e-9 and on toy_n20 at 2.6e-6, with one patch and the fixtures'
 * gates), the augmented Lagrangian it hands to certifies, and the certified value is the
 * fixture's reference optimum (interior-point certified by the fully connected solver and
 * ADMM, {@code reference.json}) to 1e-8. With several patches the augmented Lagrangian alone,
 * from zero, reaches the interior point's certified value.
 */
class SeparableReluHandOffTest {
  private static final SolverOptions OPTIONS = new SolverOptions(1e-9, 1e-9, 500_000, 60.0);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"toy_n5", "toy_n12", "toy_n20", "syn_n200_d5_P30"})
  void onePatchCertifiesTheReferenceOptimum(String name) {
    Fixtures.Instance f = Fixtures.named(name);
    int d = f.x().cols();
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    SignPatterns patterns = SignPatterns.fromGates(f.x(), f.gates());
    SeparableReluCnn cnn = new SeparableReluCnn(f.x(), SeparableGatedCnn.of(f.x(), f.y(),
        whole, List.of(patterns), f.beta()));
    SolverResult r = new SeparableReluSolver().solve(cnn, OPTIONS, IterationListener.NONE)
        .orElseThrow();
    assertEquals(StopReason.CONVERGED, r.stopReason(), name);
    assertTrue(r.certificate().constraintViolation() <= 1e-9 * Math.max(1.0,
        cnn.largestLabel()));
    assertEquals(f.reluOptimum(), r.certificate().objective(), 1e-8 * f.reluOptimum(), name);
  }

  @Test
  void augmentedLagrangianAloneMatchesTheInteriorPointWithSeveralPatches() {
    SplittableRandom rng = new SplittableRandom(4);
    PatchGeometry g = PatchGeometry.windows(1, 4, 4, 2, 2);
    DenseMatrix x = RandomMatrices.gaussian(20, g.inputSize(), rng);
    double[] y = new double[x.rows()];
    for (int r = 0; r < y.length; r++) {
      y[r] = Math.max(x.get(r, 0) + x.get(r, 5), 0.0) - Math.max(x.get(r, 10), 0.0)
          + 0.1 * rng.nextGaussian();
    }
    double beta = 0.1 * SeparableGatedCnn.betaMax(x, y, g, 3, 7);
    SeparableReluCnn cnn = new SeparableReluCnn(x, SeparableGatedCnn.of(x, y, g, 3, 7, beta));
    SolverResult ipm = new SeparableReluSolver().solve(cnn, OPTIONS, IterationListener.NONE)
        .orElseThrow();
    assertEquals(StopReason.CONVERGED, ipm.stopReason());
    SolverResult al = SeparableReluSolver.augmentedLagrangian(cnn, cnn.zeroWeights(),
        new DenseMatrix(x.rows(), cnn.blockCount()), new SolverOptions(1e-7, 1e-9, 500_000,
            60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, al.stopReason());
    double optimum = ipm.certificate().objective();
    assertEquals(optimum, al.certificate().objective(), 1e-6 * optimum);
    assertTrue(al.certificate().lowerBound() <= optimum * (1 + 1e-12));
  }
}
