package io.cvxrelu.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TrainingSummary: when a gap is called certified, and training.json old and new. */
class TrainingSummaryTest {
  /** Labels with max |y| = 10, so the violation tolerance is 10 x feasibilityTolerance. */
  private static final ConvexReluProblem PROBLEM = problem();

  private static ConvexReluProblem problem() {
    DenseMatrix x = DenseMatrix.fromRows(new double[][] {{1, 2}, {-1, 1}, {3, -2}}, 2);
    double[] y = {1.0, -10.0, 2.0};
    return new ConvexReluProblem(x, y, SignPatterns.sample(x, 4, 1, 1000), new SquaredLoss(),
        0.5, Formulation.RELU);
  }

  private static SolverResult result(StopReason reason, double gap, double violation) {
    return new SolverResult(null, new Certificate(2.0, 2.0 * (1 - gap), gap, violation, 1.0),
        reason, List.of(), 17, 0.25, null);
  }

  private static TrainingSummary summary(StopReason reason, double gap, double violation,
      double tol) {
    return TrainingSummary.of(result(reason, gap, violation), PROBLEM,
        new SolverOptions(tol, 1e-9, 100, 10.0), 3.0, "TestSolver");
  }

  @Test
  void aGapIsCertifiedOnlyWhenConvergedWithinTheRunsTolerancesAndFeasible() {
    TrainingSummary ok = summary(StopReason.CONVERGED, 5e-4, 9e-9, 1e-3);
    assertTrue(ok.certified());
    assertEquals("certified", ok.certification());
    assertEquals(PROBLEM.n(), ok.n());
    assertEquals(0.5, ok.beta());

    // The same gap against a tighter tolerance is not a certificate.
    TrainingSummary tight = summary(StopReason.CONVERGED, 5e-4, 0.0, 1e-6);
    assertFalse(tight.certified());
    assertEquals("not certified (CONVERGED, violation 0.0e+00)", tight.certification());

    // A budget stop is never certified, however small (or negative) its gap.
    TrainingSummary budget = summary(StopReason.MAX_ITERATIONS, -5.2e-3, 1.5e-3, 1e-3);
    assertFalse(budget.certified());
    assertEquals("not certified (MAX_ITERATIONS, violation 1.5e-03)", budget.certification());
    assertEquals(-5.2e-3, budget.relativeGap(), "the gap itself is still reported");

    // The violation tolerance scales with max |y| = 10: 9e-9 passes, 1.1e-8 does not.
    assertFalse(summary(StopReason.CONVERGED, 1e-7, 1.1e-8, 1e-6).certified());
    assertTrue(summary(StopReason.CONVERGED, 1e-7, 9e-9, 1e-6).certified());
  }

  @Test
  void trainingJsonRoundTripsWithItsCertification() {
    for (TrainingSummary s : new TrainingSummary[] {
        summary(StopReason.CONVERGED, 5e-4, 0.0, 1e-3),
        summary(StopReason.TIME_LIMIT, Double.NaN, 1.5e-3, 1e-3)}) {
      String json = s.toJson();
      assertTrue(json.contains("\"certified\" : " + s.certified()), json);
      assertEquals(s, TrainingSummary.fromJson(json, "t"));
    }
  }

  /** training.json as saved before certification was recorded (one of the frozen models). */
  @Test
  void anOlderTrainingJsonReadsAsNotCertifiedAndKeepsItsFieldsAndOrder() throws IOException {
    String old;
    try (InputStream in = getClass().getResourceAsStream(
        "saved-before-certification/regression-model/data/training.json")) {
      old = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    TrainingSummary s = TrainingSummary.fromJson(old, "old");
    assertEquals("CONVERGED", s.stopReason());
    assertEquals(198.55389136983052, s.objective(), 0.0);
    assertEquals("SsnalGatedSolver", s.solver());
    assertFalse(s.certified());
    assertEquals(TrainingSummary.NOT_RECORDED, s.certification());
    // The new file is the old one with the two certification fields appended.
    String prefix = old.substring(0, old.lastIndexOf('\n', old.lastIndexOf('}')));
    assertTrue(s.toJson().startsWith(prefix + ",\n  \"certified\" : false,"), s.toJson());

    assertThrows(DataFormatException.class,
        () -> TrainingSummary.fromJson(old.replace("\"seconds\"", "\"secs\""), "t"));
    assertThrows(DataFormatException.class, () -> TrainingSummary.fromJson("{", "t"));
  }
}
