package io.cvxrelu.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.report.ComparisonReport.Run;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Certified-gap labels, the excess reference and the axes of the compare report's plots. */
class ComparisonReportTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};
  private static final SolverOptions OPTIONS = new SolverOptions(1e-6, 1e-9, 1000, 900);

  /**
   * A convex solve whose history has these objectives, lower bounds and violations at these
   * seconds, ending with the last row's certificate and the given stop reason.
   */
  private static SolverResult solve(StopReason reason, double[] objective, double[] lower,
      double[] violation, double[] seconds) {
    List<IterationRecord> history = new ArrayList<>();
    for (int k = 0; k < objective.length; k++) {
      double gap = (objective[k] - lower[k]) / Math.abs(objective[k]);
      history.add(new IterationRecord(k, 10L * (k + 1), objective[k], lower[k], gap,
          violation[k], seconds[k]));
    }
    IterationRecord last = history.get(history.size() - 1);
    Certificate c = new Certificate(last.objective(), last.lowerBound(), last.relativeGap(),
        last.constraintViolation(), 1.0);
    return new SolverResult(null, c, reason, history, last.innerIterations(), last.seconds(),
        null);
  }

  private static Run convex(String name, StopReason reason, double[] objective, double[] lower,
      double[] violation, double[] seconds) {
    return Run.convex(name, solve(reason, objective, lower, violation, seconds), OPTIONS, 1.0,
        null);
  }

  private static Run sgd(String name, double[] objective, double[] seconds) {
    double[] epochs = new double[objective.length];
    Arrays.setAll(epochs, k -> k + 1);
    double[] acc = new double[objective.length];
    Arrays.fill(acc, 0.9);
    return new Run(name, "SGD", 5, epochs, seconds, objective, acc,
        objective[objective.length - 1], Double.NaN, 0.9, 0.9, seconds[seconds.length - 1]);
  }

  /** The exact 1-D program: infeasible iterates dip to 43.6829, the optimum is 45.5437. */
  private static Run exact() {
    return convex("convex (relu)", StopReason.CONVERGED,
        new double[] {9000.0, 43.6829, 60.0, 45.6, 45.5437 * (1 + 1e-7)},
        new double[] {1.0, 30.0, 40.0, 45.0, 45.5437},
        new double[] {0.0, 0.5, 0.0, 1e-12, 1e-12},
        new double[] {1.0, 50.0, 200.0, 500.0, 700.0});
  }

  @Test
  void timeLimitRunWithViolationIsNotCertified() {
    Run r = convex("convex (relu)", StopReason.TIME_LIMIT, new double[] {50.0, 45.3},
        new double[] {40.0, 45.54}, new double[] {1e-2, 1e-3}, new double[] {1.0, 900.0});
    assertFalse(r.certified());
    assertEquals("not certified (TIME_LIMIT, violation 1.0e-03)", r.gapCell());
    String md = ComparisonReport.markdown("t", Map.of(), List.of(r), "", List.of(), false);
    assertTrue(md.contains("| convex (relu) | 45.300000 | not certified (TIME_LIMIT, violation "
        + "1.0e-03) |"), md);
    String csv = ComparisonReport.csv(List.of(r));
    assertTrue(csv.split("\n")[1].endsWith(",false,TIME_LIMIT,0.001"), csv);
    assertTrue(Double.isNaN(r.certifiedLowerBound()));
  }

  @Test
  void convergedRunOutsideTheFeasibilityToleranceIsNotCertified() {
    Run r = convex("convex (relu)", StopReason.CONVERGED, new double[] {45.5437},
        new double[] {45.5437}, new double[] {1e-6}, new double[] {1.0});
    assertFalse(r.certified());
    assertEquals("not certified (CONVERGED, violation 1.0e-06)", r.gapCell());
  }

  @Test
  void convergedRunWithinToleranceIsCertified() {
    Run r = exact();
    assertTrue(r.certified());
    assertEquals(String.format(java.util.Locale.ROOT, "%.2e", r.relativeGap()), r.gapCell());
    Run s = sgd("SGD init 0", new double[] {60.0, 50.0}, new double[] {1.0, 20.0});
    assertEquals("-", s.gapCell());
    String md = ComparisonReport.markdown("t", Map.of(), List.of(r, s), "", List.of(), false);
    assertTrue(md.contains("| convex (relu) | 45.543705 | " + r.gapCell() + " |"), md);
    assertTrue(md.contains("| SGD median | 50.000000 | - |"), md);
    List<String> csv = Arrays.asList(ComparisonReport.csv(List.of(r, s)).split("\n"));
    assertTrue(csv.get(1).endsWith(",true,CONVERGED,1.0E-12"), csv.get(1));
    assertTrue(csv.get(2).endsWith(",,,"), csv.get(2));
  }

  @Test
  void excessIsMeasuredAgainstTheCertifiedValueNotAnInfeasibleIterate() {
    Run exact = exact();
    Run sampled = convex("convex sampled (relu, P = 10)", StopReason.CONVERGED,
        new double[] {80.0, 47.0}, new double[] {20.0, 47.0}, new double[] {0.0, 0.0},
        new double[] {0.5, 3.0});
    List<Run> runs = List.of(exact, sampled, sgd("SGD init 0", new double[] {60.0, 46.0},
        new double[] {1.0, 20.0}));
    // The old reference: the least objective of any iterate, an infeasible one.
    assertEquals(43.6829, ComparisonReport.best(runs));
    ExcessReference ref = ComparisonReport.reference(runs);
    // The lowest certified optimum: the exact program's, not the sampled one's above it.
    assertEquals(45.5437, ref.value());
    assertTrue(ref.certified());
    assertEquals("certified lower bound 45.5437 (convex (relu))", ref.description());
    String md = ComparisonReport.markdown("t", Map.of(), runs, "", List.of(), false);
    assertTrue(md.contains("subtract the certified lower bound 45.5437"), md);
  }

  @Test
  void withSampledPatternsAnSgdRunBelowTheCertifiedBoundBecomesTheReference() {
    Run sampled = convex("convex (gated)", StopReason.CONVERGED, new double[] {80.0, 47.0},
        new double[] {20.0, 47.0}, new double[] {0.0, 0.0}, new double[] {0.5, 3.0});
    ExcessReference ref = ComparisonReport.reference(List.of(sampled,
        sgd("SGD init 0", new double[] {60.0, 46.0}, new double[] {1.0, 20.0})));
    assertEquals(46.0, ref.value());
    assertFalse(ref.certified());
    assertTrue(ref.description().startsWith("lowest feasible objective 46.0000 (SGD init 0), "
        + "below the certified lower bound 47.0000"), ref.description());
    // No certified run: the lowest feasible objective, never the infeasible 43.6829.
    Run timedOut = convex("convex (relu)", StopReason.TIME_LIMIT, new double[] {50.0, 43.6829},
        new double[] {40.0, 45.0}, new double[] {0.0, 0.5}, new double[] {1.0, 900.0});
    ExcessReference none = ComparisonReport.reference(List.of(timedOut));
    assertEquals(50.0, none.value());
    assertTrue(none.description().endsWith("no run is certified"), none.description());
  }

  @Test
  void bestFeasibleSeriesNeverIncreasesAndSkipsInfeasibleIterates() {
    Run r = convex("convex (relu)", StopReason.TIME_LIMIT,
        new double[] {70.0, 9000.0, 10.0, 60.0, 1e4, 55.0, 58.0},
        new double[] {1.0, 2.0, 3.0, 2.5, 40.0, 41.0, 42.0},
        new double[] {0.5, 0.0, 0.3, 0.0, 0.0, 1e-10, 0.0},
        new double[] {1, 2, 3, 4, 5, 6, 7});
    double[] best = r.bestFeasible();
    assertTrue(Double.isNaN(best[0]), "no feasible row yet");
    assertArrayEquals(new double[] {9000.0, 9000.0, 60.0, 60.0, 55.0, 55.0},
        Arrays.copyOfRange(best, 1, best.length));
    for (int k = 2; k < best.length; k++) {
      assertTrue(best[k] <= best[k - 1]);
    }
    assertArrayEquals(new double[] {1.0, 2.0, 3.0, 3.0, 40.0, 41.0, 42.0}, r.lowerBoundSoFar());
    assertEquals(55.0, r.bestFeasibleObjective());
  }

  /**
   * The interior-point method hands over to ADMM, whose rows count seconds and steps from zero
   * again; the plotted x continues them.
   */
  @Test
  void restartedClockOfAHandOverIsContinued() {
    SolverResult handOver = solve(StopReason.CONVERGED, new double[] {50.0, 46.0, 45.6, 45.55},
        new double[] {40.0, 45.0, 45.5, 45.55}, new double[] {0.0, 0.0, 0.0, 0.0},
        new double[] {10.0, 20.0, 0.5, 3.0});
    List<IterationRecord> h = new ArrayList<>(handOver.history());
    h.set(2, new IterationRecord(0, 5, 45.6, 45.5, 0.002, 0.0, 0.5));
    h.set(3, new IterationRecord(1, 15, 45.55, 45.55, 0.0, 0.0, 3.0));
    Run r = Run.convex("convex (relu)", new SolverResult(null, handOver.certificate(),
        StopReason.CONVERGED, h, 15, 23.0, null), OPTIONS, 1.0, null);
    assertArrayEquals(new double[] {10.0, 20.0, 20.5, 23.0}, r.seconds());
    assertArrayEquals(new double[] {10.0, 20.0, 25.0, 35.0}, r.iterations());
  }

  @Test
  void logTimeAxisWhenSpansDifferByOrdersOfMagnitude() {
    Run exact = exact();
    Run sgd = sgd("SGD init 0", new double[] {60.0, 50.0}, new double[] {1.0, 20.0});
    assertTrue(ObjectivePlots.logAxis(List.of(exact, sgd), false), "700 s against 20 s");
    Run shortSolve = convex("convex (gated)", StopReason.CONVERGED, new double[] {50.0, 47.0},
        new double[] {40.0, 47.0}, new double[] {0.0, 0.0}, new double[] {1.0, 100.0});
    assertFalse(ObjectivePlots.logAxis(List.of(shortSolve, sgd), false), "100 s against 20 s");
    // Iterations: 50 solver steps against 2 epochs.
    assertFalse(ObjectivePlots.logAxis(List.of(exact, sgd), true));
  }

  @Test
  void plotsRenderWithBandsOnLogAxes() {
    Map<String, byte[]> plots = ComparisonReport.plots(List.of(exact(),
        sgd("SGD init 0", new double[] {60.0, 50.0, 46.0}, new double[] {1.0, 10.0, 20.0})));
    assertEquals(List.of(ComparisonReport.OBJECTIVE_VS_ITERATION,
        ComparisonReport.OBJECTIVE_VS_SECONDS, ComparisonReport.TEST_ACCURACY_VS_SECONDS),
        new ArrayList<>(plots.keySet()));
    for (byte[] png : plots.values()) {
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 4));
    }
  }
}
