package io.cvxrelu.solver;

import io.cvxrelu.solver.local.AdmmReluSolver;
import io.cvxrelu.solver.local.AugmentedLagrangianSolver;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.testutil.Fixtures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every solver on every certified reference instance (interior-point optima in
 * {@code src/test/resources/fixtures}): the optimum to 1e-6 relative, a certified gap of at most
 * 1e-6, a lower bound that really is below the reference, and (ReLU) the recovered network's
 * objective equal to the convex one. Fails when it finds no fixture.
 */
class SolverConformanceTest {

  static Stream<Arguments> cases() {
    List<Fixtures.Instance> all = Fixtures.all();
    Stream.Builder<Arguments> b = Stream.builder();
    for (Fixtures.Instance f : all) {
      b.add(Arguments.of(f, "gated-fista"));
      b.add(Arguments.of(f, "gated-ssnal"));
      b.add(Arguments.of(f, "relu-interior-point"));
      // ADMM serves the problems too large for the interior point's P d x P d normal
      // equations; its slow tail on the largest fixture (about 2e-6 after 2 minutes) is why
      // the interior-point method exists, so it is held to the smaller ones.
      if (f.x().rows() * f.gates().cols() <= 50_000) {
        b.add(Arguments.of(f, "relu-admm"));
      }
      if (f.x().rows() <= 20) {
        b.add(Arguments.of(f, "relu-augmented-lagrangian"));
      }
    }
    return b.build();
  }

  static ConvexSolver solver(String name) {
    switch (name) {
      case "gated-fista":
        return new GatedFistaSolver();
      case "gated-ssnal":
        return new SsnalGatedSolver();
      case "relu-interior-point":
        return new InteriorPointReluSolver();
      case "relu-admm":
        return new AdmmReluSolver();
      case "relu-augmented-lagrangian":
        return new AugmentedLagrangianSolver();
      default:
        throw new IllegalArgumentException(name);
    }
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("cases")
  void reachesTheCertifiedReferenceOptimum(Fixtures.Instance f, String solverName) {
    Formulation form = solverName.startsWith("gated") ? Formulation.GATED : Formulation.RELU;
    SignPatterns patterns = SignPatterns.fromGates(f.x(), f.gates());
    assertEquals(f.gates().cols(), patterns.count(), "fixture gates have unique patterns");
    ConvexReluProblem problem = new ConvexReluProblem(f.x(), f.y(), patterns, new SquaredLoss(),
        f.beta(), form);
    double tol = 1e-6;
    SolverOptions options = SolverOptions.DEFAULTS.withMaxIterations(400_000);
    SolverResult r = solver(solverName).solve(problem, null, options, IterationListener.NONE);
    double reference = form == Formulation.RELU ? f.reluOptimum() : f.gatedOptimum();
    Certificate c = r.certificate();
    assertEquals(StopReason.CONVERGED, r.stopReason(), () -> "history tail " + tail(r));
    assertTrue(Math.abs(c.relativeGap()) <= tol, "gap " + c.relativeGap());
    assertEquals(reference, c.objective(), tol * reference);
    // The certificate is a real lower bound: it never exceeds the independent optimum (up to
    // what the allowed constraint violation can move the objective).
    assertTrue(c.lowerBound() <= reference * (1 + 1e-8), "lower bound above the optimum");
    assertEquals(c.objective(), problem.objective(r.weights()), 1e-12 * reference);
    if (form == Formulation.RELU) {
      assertTrue(c.constraintViolation() <= 1e-6,
          "violation " + c.constraintViolation());
      ConvexReluModel model = new ConvexReluModel(form, "squared", f.beta(), false,
          patterns.gates(), r.weights());
      double nonconvex = model.network().objective(f.x(), f.y(), new SquaredLoss(), f.beta());
      assertEquals(c.objective(), nonconvex, 1e-8 * c.objective());
    }
  }

  private static String tail(SolverResult r) {
    List<IterationRecord> h = r.history();
    return h.isEmpty() ? "(empty)" : h.get(h.size() - 1).toString();
  }
}
