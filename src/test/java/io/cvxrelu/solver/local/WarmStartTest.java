package io.cvxrelu.solver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.generation.ColumnGeneration;
import io.cvxrelu.patterns.DualPatternSearch;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.train.SolverChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The warm-start guarantees of {@link WarmStartedSolver} for every single-node solver, on the
 * certified reference fixtures: a solve started at the optimum returns within 3 iterations,
 * certified; a budgeted solve never returns a point worse than its feasible start; and column
 * generation hands each round the previous round's solution.
 */
class WarmStartTest {

  static Stream<Arguments> solvers() {
    return Stream.of(
        Arguments.of("toy_n20", "gated-fista", squared()),
        Arguments.of("syn_n200_d5_P30", "gated-fista", new LogisticLoss()),
        Arguments.of("syn_n200_d5_P30", "gated-ssnal", squared()),
        Arguments.of("syn_n200_d5_P30", "relu-interior-point", squared()),
        Arguments.of("syn_n200_d5_P30", "relu-admm", squared()),
        Arguments.of("syn_n200_d5_P30", "relu-atom-generation", squared()),
        Arguments.of("toy_n12", "relu-augmented-lagrangian", squared()));
  }

  private static Loss squared() {
    return new SquaredLoss();
  }

  private static ConvexSolver algorithm(String name) {
    return switch (name) {
      case "gated-fista" -> new GatedFistaSolver();
      case "gated-ssnal" -> new SsnalGatedSolver();
      case "relu-interior-point" -> new InteriorPointReluSolver();
      case "relu-admm" -> new AdmmReluSolver();
      case "relu-atom-generation" -> new AtomGenerationReluSolver();
      case "relu-augmented-lagrangian" -> new AugmentedLagrangianSolver();
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static ConvexReluProblem problem(String fixture, String solver, Loss loss) {
    Fixtures.Instance f = Fixtures.named(fixture);
    Formulation form = solver.startsWith("gated") ? Formulation.GATED : Formulation.RELU;
    double[] y = f.y();
    if (loss instanceof LogisticLoss) {
      y = y.clone();
      for (int i = 0; i < y.length; i++) {
        y[i] = y[i] >= 0.0 ? 1.0 : -1.0;
      }
    }
    return new ConvexReluProblem(f.x(), y, SignPatterns.fromGates(f.x(), f.gates()), loss,
        f.beta(), form);
  }

  private static SolverResult coldOptimum(ConvexReluProblem p, String solver) {
    SolverResult r = algorithm(solver).solve(p, null,
        new SolverOptions(1e-9, 1e-10, 400_000, 120.0), IterationListener.NONE);
    assertTrue(r.certificate().relativeGap() <= 1e-7, "cold solve certifies: "
        + r.certificate());
    return r;
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("solvers")
  void startAtTheOptimumStopsWithinThreeIterations(String fixture, String solver, Loss loss) {
    ConvexReluProblem p = problem(fixture, solver, loss);
    SolverResult optimum = coldOptimum(p, solver);
    SolverResult warm = WarmStartedSolver.of(algorithm(solver)).solve(p, optimum.weights(),
        new SolverOptions(1e-6, 1e-9, 400_000, 120.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, warm.stopReason());
    assertTrue(warm.iterations() <= 3, "iterations " + warm.iterations());
    assertTrue(warm.certificate().relativeGap() <= 1e-6);
    assertEquals(optimum.certificate().objective(), warm.certificate().objective(),
        1e-6 * Math.abs(optimum.certificate().objective()));
  }

  /**
   * The interior point's own optimum (gap about 3e-7, tight rows at slacks of 1e-7) as the
   * start at n = 1,000, P d = 2,000: the start is certified as it is, with multipliers fitted
   * to it, where the interior point itself would take its 37 iterations again.
   */
  @Test
  void interiorPointOptimumAsStartCertifiesWithoutIterating() {
    ConvexReluProblem p = problem("syn_n1000_d20_P100", "relu-interior-point", squared());
    SolverOptions options = new SolverOptions(1e-6, 1e-9, 400_000, 120.0);
    SolverResult cold = new InteriorPointReluSolver().solve(p, null, options,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, cold.stopReason());
    SolverResult warm = SolverChoice.local(p).solve(p, cold.weights(), options,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, warm.stopReason());
    assertEquals(0, warm.iterations());
    assertEquals(0.0, warm.certificate().constraintViolation(), 1e-12);
    assertEquals(cold.certificate().objective(), warm.certificate().objective(), 1e-12);
  }

  @ParameterizedTest(name = "{1} on {0}, {2}")
  @MethodSource("solvers")
  void budgetedSolveIsNeverWorseThanItsStart(String fixture, String solver, Loss loss) {
    ConvexReluProblem p = problem(fixture, solver, loss);
    // 0.9 x the optimum: inside the cones (they are homogeneous), feasible, not optimal.
    DenseMatrix start = coldOptimum(p, solver).weights().copy();
    for (int k = 0; k < start.data().length; k++) {
      start.data()[k] *= 0.9;
    }
    double startObjective = p.objective(start);
    for (long budget : new long[] {1, 2, 5}) {
      SolverResult r = WarmStartedSolver.of(algorithm(solver)).solve(p, start,
          new SolverOptions(1e-14, 1e-9, budget, 120.0), IterationListener.NONE);
      Certificate c = r.certificate();
      assertTrue(c.objective() <= startObjective * (1.0 + 1e-12),
          "budget " + budget + ": " + c.objective() + " > start " + startObjective);
      assertEquals(p.objective(r.weights()), c.objective(), 1e-9 * Math.abs(c.objective()),
          "the certificate belongs to the returned weights");
    }
  }

  @Test
  void columnGenerationHandsEachRoundThePreviousSolution() {
    Fixtures.Instance f = Fixtures.named("toy_n20");
    DenseMatrix few = new DenseMatrix(f.gates().rows(), 2);
    for (int j = 0; j < 2; j++) {
      for (int i = 0; i < f.gates().rows(); i++) {
        few.set(i, j, f.gates().get(i, j));
      }
    }
    ConvexReluProblem p = new ConvexReluProblem(f.x(), f.y(), SignPatterns.fromGates(f.x(), few),
        new SquaredLoss(), f.beta(), Formulation.RELU);
    List<DenseMatrix> starts = new ArrayList<>();
    List<DenseMatrix> solutions = new ArrayList<>();
    ColumnGeneration.Backend local = ColumnGeneration.local(SolverChoice::local);
    ColumnGeneration.Backend recording = new ColumnGeneration.Backend() {
      @Override
      public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
          SolverOptions options, IterationListener listener) {
        starts.add(warmStart);
        SolverResult r = local.solve(problem, warmStart, options, listener);
        solutions.add(r.weights());
        return r;
      }

      @Override
      public DualPatternSearch.PassFunction passes(ConvexReluProblem problem,
          SolverResult result, double dualScale) {
        return local.passes(problem, result, dualScale);
      }
    };
    ColumnGeneration.Result r = ColumnGeneration.run(p, new ColumnGeneration.Options(4, 16, 10, 4, 1L, 0L),
        SolverOptions.DEFAULTS, IterationListener.NONE, recording);
    assertTrue(r.rounds().size() >= 2, "the loop added patterns");
    assertEquals(null, starts.get(0));
    for (int k = 1; k < starts.size(); k++) {
      DenseMatrix prev = solutions.get(k - 1);
      DenseMatrix next = starts.get(k);
      int d = prev.rows();
      int pPrev = prev.cols() / 2;
      int pNext = next.cols() / 2;
      for (int j = 0; j < next.cols(); j++) {
        // Blocks v_1..v_P, then w_1..w_P: old patterns keep their blocks, new ones start at 0.
        int half = j < pNext ? 0 : 1;
        int pattern = j - half * pNext;
        for (int i = 0; i < d; i++) {
          double expected = pattern < pPrev ? prev.get(i, half * pPrev + pattern) : 0.0;
          assertEquals(expected, next.get(i, j), 0.0, "round " + (k + 1) + " block " + j);
        }
      }
    }
  }
}
