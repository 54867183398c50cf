package io.cvxrelu.solver;

import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The semismooth Newton augmented Lagrangian solver of the gated program: the certified
 * reference optima of the fixtures, agreement with FISTA on random problems, warm starts,
 * budgets, badly scaled data and the problems it must refuse.
 */
class SsnalGatedSolverTest {
  private static final SolverOptions OPTIONS = new SolverOptions(1e-6, 1e-9, 10_000, 60.0);

  static ConvexReluProblem random(int n, int d, int p, double betaFraction, long seed) {
    DenseMatrix x = RandomMatrices.gaussian(n, d, new SplittableRandom(seed));
    double[] y = SolverAgreementTest.teacher(x, seed + 1);
    SignPatterns sp = SignPatterns.sample(x, p, seed + 2, 100_000);
    double beta = betaFraction * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    return new ConvexReluProblem(x, y, sp, new SquaredLoss(), beta, Formulation.GATED);
  }

  static Stream<Fixtures.Instance> fixtures() {
    return Fixtures.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void reachesTheFixturesGatedOptimum(Fixtures.Instance f) {
    ConvexReluProblem problem = f.squaredProblem(Formulation.GATED);
    SolverResult r = new SsnalGatedSolver().solve(problem, null, OPTIONS, IterationListener.NONE);
    Certificate c = r.certificate();
    assertEquals(StopReason.CONVERGED, r.stopReason(), () -> f + " " + c);
    assertTrue(c.relativeGap() <= 1e-6, () -> "gap " + c.relativeGap());
    assertEquals(f.gatedOptimum(), c.objective(), 1e-6 * f.gatedOptimum());
    assertTrue(c.lowerBound() <= f.gatedOptimum() * (1 + 1e-9), "lower bound above optimum");
    // The returned weights are the certified ones.
    assertEquals(c.objective(), problem.objective(r.weights()), 1e-9 * c.objective());
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void certifiesAndAgreesWithFista(long seed) {
    ConvexReluProblem problem = random(150, 6, 40, seed == 3 ? 0.3 : 0.02, seed);
    List<IterationRecord> seen = new ArrayList<>();
    SolverResult r = new SsnalGatedSolver().solve(problem, null, OPTIONS, rec -> {
      seen.add(rec);
      return true;
    });
    SolverResult fista = new GatedFistaSolver().solve(problem, null,
        OPTIONS.withMaxIterations(400_000), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason(), () -> r.certificate().toString());
    assertEquals(StopReason.CONVERGED, fista.stopReason());
    Certificate c = r.certificate();
    assertTrue(c.relativeGap() <= 1e-6 && c.lowerBound() <= c.objective());
    // Both are within 1e-6 of the optimum, and each one's lower bound is below the other's
    // objective (weak duality across solvers).
    double ref = fista.certificate().objective();
    assertEquals(ref, c.objective(), 2e-6 * ref);
    assertTrue(c.lowerBound() <= ref * (1 + 1e-12));
    assertTrue(fista.certificate().lowerBound() <= c.objective() * (1 + 1e-12));
    // Every record except the final, converged one went to the listener.
    assertEquals(r.history().size() - 1, seen.size());
    for (IterationRecord rec : r.history()) {
      assertTrue(Double.isFinite(rec.relativeGap()) && rec.seconds() >= 0.0);
    }
  }

  @Test
  void warmStartsFromTheOptimumAndAlongTheRegularisationPath() {
    ConvexReluProblem problem = random(200, 5, 30, 0.05, 11);
    SolverResult cold = new SsnalGatedSolver().solve(problem, null, OPTIONS,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, cold.stopReason());
    SolverResult again = new SsnalGatedSolver().solve(problem, cold.weights(), OPTIONS,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, again.stopReason());
    // The certificate from the residual at B may not yet reach the tolerance the dual iterate
    // reached, but the restart needs fewer Newton steps than the cold start.
    assertTrue(again.iterations() < cold.iterations(),
        again.iterations() + " vs " + cold.iterations());
    assertEquals(cold.certificate().objective(), again.certificate().objective(), 1e-6
        * cold.certificate().objective());
    // A regularisation path step: start at the solution for a larger beta.
    ConvexReluProblem smaller = problem.with(0.5 * problem.beta(), Formulation.GATED);
    SolverResult path = new SsnalGatedSolver().solve(smaller, cold.weights(), OPTIONS,
        IterationListener.NONE);
    SolverResult fresh = new SsnalGatedSolver().solve(smaller, null, OPTIONS,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, path.stopReason());
    assertEquals(fresh.certificate().objective(), path.certificate().objective(),
        2e-6 * fresh.certificate().objective());
    // The warm start is not copied by reference.
    assertTrue(path.weights() != cold.weights());
  }

  @Test
  void respectsTheIterationBudgetAndTheListener() {
    ConvexReluProblem problem = random(150, 6, 40, 0.01, 5);
    SolverResult one = new SsnalGatedSolver().solve(problem, null,
        OPTIONS.withMaxIterations(1), IterationListener.NONE);
    assertEquals(StopReason.MAX_ITERATIONS, one.stopReason());
    assertEquals(1, one.iterations());
    assertTrue(Double.isFinite(one.certificate().relativeGap()) && one.weights().isFinite());
    SolverResult stopped = new SsnalGatedSolver().solve(problem, null, OPTIONS, rec -> false);
    assertEquals(StopReason.STOPPED_BY_LISTENER, stopped.stopReason());
    assertEquals(1, stopped.history().size());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scaled 1e-6", "scaled 1e+6", "collinear", "nearly rank-deficient"})
  void certifiesBadlyScaledAndDegenerateData(String kind) {
    DenseMatrix x = NumericalRobustnessTest.data(kind);
    double[] y = SolverAgreementTest.teacher(NumericalRobustnessTest.base(60, 4, 9), 3);
    SignPatterns sp = SignPatterns.sample(x, 12, 5, 10_000);
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    ConvexReluProblem p = new ConvexReluProblem(x, y, sp, new SquaredLoss(), beta,
        Formulation.GATED);
    SolverResult r = new SsnalGatedSolver().solve(p, null, OPTIONS, IterationListener.NONE);
    Certificate c = r.certificate();
    assertEquals(StopReason.CONVERGED, r.stopReason(), () -> kind + " " + c);
    assertTrue(c.relativeGap() <= 1e-6 && r.weights().isFinite(), () -> kind + " " + c);
  }

  @Test
  void nonFiniteLabelsEndInNumericalFailure() {
    ConvexReluProblem ok = random(50, 4, 10, 0.05, 7);
    double[] y = ok.y().clone();
    y[3] = Double.POSITIVE_INFINITY;
    ConvexReluProblem bad = new ConvexReluProblem(ok.x(), y, ok.patterns(), new SquaredLoss(),
        ok.beta(), Formulation.GATED);
    SolverResult r = new SsnalGatedSolver().solve(bad, null, OPTIONS, IterationListener.NONE);
    assertEquals(StopReason.NUMERICAL_FAILURE, r.stopReason());
  }

  @Test
  void refusesReluAndLogisticProblems() {
    ConvexReluProblem gated = random(40, 3, 8, 0.1, 9);
    ConvexReluProblem relu = gated.with(gated.beta(), Formulation.RELU);
    double[] labels = new double[gated.n()];
    for (int k = 0; k < labels.length; k++) {
      labels[k] = gated.y()[k] > 0 ? 1.0 : 0.0;
    }
    ConvexReluProblem logistic = new ConvexReluProblem(gated.x(), labels, gated.patterns(),
        new LogisticLoss(), gated.beta(), Formulation.GATED);
    SsnalGatedSolver solver = new SsnalGatedSolver();
    assertThrows(IllegalArgumentException.class,
        () -> solver.solve(relu, null, OPTIONS, IterationListener.NONE));
    assertThrows(IllegalArgumentException.class,
        () -> solver.solve(logistic, null, OPTIONS, IterationListener.NONE));
    assertThrows(IllegalArgumentException.class,
        () -> solver.solve(gated, new DenseMatrix(3, 7), OPTIONS, IterationListener.NONE));
    assertThrows(IllegalArgumentException.class, () -> new SsnalGatedSolver(0.0, 5.0, 1.0));
  }

  /**
   * A planted instance (n = 4,000, d = 50, P = 400, beta = 0.001 beta_max) on which the line
   * search once failed in floating point mid-way through an inner solve and the whole solve
   * stopped STALLED at a gap of 7.1e-6. The inner problem is then solved as far as it can be,
   * and the multiplier update must go on to the certificate.
   */
  @Test
  void lineSearchAtTheFloatingPointFloorDoesNotEndTheSolve() {
    int n = 4000;
    int d = 50;
    SplittableRandom r = new SplittableRandom(11);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    int m = 10;
    double[][] u = new double[m][d];
    double[] a = new double[m];
    for (int j = 0; j < m; j++) {
      for (int k = 0; k < d; k++) {
        u[j][k] = r.nextGaussian() / Math.sqrt(d);
      }
      a[j] = r.nextGaussian();
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      for (int j = 0; j < m; j++) {
        double z = 0.0;
        for (int k = 0; k < d; k++) {
          z += x.get(i, k) * u[j][k];
        }
        s += Math.max(z, 0.0) * a[j];
      }
      y[i] = s + 0.1 * r.nextGaussian();
    }
    SignPatterns sp = SignPatterns.sample(x, 400, 1, 10_000);
    double beta = 1e-3 * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    ConvexReluProblem p = new ConvexReluProblem(x, y, sp, new SquaredLoss(), beta,
        Formulation.GATED);
    SolverResult res = new SsnalGatedSolver().solve(p, null,
        new SolverOptions(1e-6, 1e-9, 400_000, 600.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, res.stopReason());
    assertTrue(res.certificate().relativeGap() <= 1e-6, res.certificate().toString());
  }
}
