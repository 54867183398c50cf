package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.Fixtures;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18's first check on the certified reference fixtures: with one patch (the whole row,
 * K = 1) and the fixture's own gates, the pooled CNN programs are the fully connected ones, so
 * the gated and the ReLU pooled optima equal the fixtures' reference optima (interior-point
 * certified, {@code reference.json}) to 1e-8, and so does the gated separable program's (one
 * patch, one filter per pattern of it). The separable ReLU program's ending (its interior
 * point hands over to the augmented Lagrangian) is checked on the same fixtures by
 * {@link SeparableReluHandOffTest}.
 */
class PooledCnnFixturesTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-11, 1e-9, 500_000, 60.0);

  static Stream<String> fixtures() {
    return Stream.of("toy_n5", "toy_n12", "toy_n20", "syn_n200_d5_P30");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void onePatchGivesTheReferenceOptima(String name) {
    Fixtures.Instance f = Fixtures.named(name);
    int d = f.x().cols();
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    StackedPatches stack = StackedPatches.of(f.x(), whole);
    SignPatterns patterns = SignPatterns.fromGates(f.x(), f.gates());

    PooledGatedCnn gated = PooledGatedCnn.of(stack, patterns, f.y(), whole, f.beta());
    SolverResult g = new ProximalGradientSolver().solve(gated.problem(), TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, g.stopReason(), name + " gated");
    assertEquals(f.gatedOptimum(), g.certificate().objective(), 1e-8 * f.gatedOptimum(),
        name + " gated");

    PooledReluCnn relu = new PooledReluCnn(stack, patterns, f.y(), whole, f.beta());
    // As train-cnn solves it: the pooled interior point, the augmented Lagrangian where that
    // stops short (a gap of 1e-9 bounds the objective's error well inside 1e-8).
    SolverOptions options = new SolverOptions(1e-9, 1e-9, 500_000, 60.0);
    SolverResult r = new PooledInteriorPointSolver().solve(relu, options,
        IterationListener.NONE).filter(s -> s.stopReason() == StopReason.CONVERGED)
        .orElseGet(() -> new PooledReluSolver().solve(relu, options, IterationListener.NONE));
    assertEquals(StopReason.CONVERGED, r.stopReason(), name + " relu");
    assertEquals(f.reluOptimum(), r.certificate().objective(), 1e-8 * f.reluOptimum(),
        name + " relu");

    SeparableGatedCnn separable = SeparableGatedCnn.of(f.x(), f.y(), whole,
        java.util.List.of(patterns), f.beta());
    SolverResult sg = new ProximalGradientSolver().solve(separable.problem(), TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, sg.stopReason(), name + " separable gated");
    assertEquals(f.gatedOptimum(), sg.certificate().objective(), 1e-8 * f.gatedOptimum(),
        name + " separable gated");
  }
}
