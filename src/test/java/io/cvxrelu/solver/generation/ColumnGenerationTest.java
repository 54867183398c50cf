package io.cvxrelu.solver.generation;

import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.train.SolverChoice;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Dual-guided pattern generation on 1-D data with a bias, where the whole arrangement can be
 * enumerated: from 4 random gates it must reach the all-patterns optimum, and the exact
 * certificate over every cell must prove it.
 */
class ColumnGenerationTest {
  private static final ColumnGeneration.Backend LOCAL =
      ColumnGeneration.local(SolverChoice::local);

  private static final long MAX_SUBSETS = 1_000_000;

  /** n sorted points in [-2, 2] with a bias column; labels from a 3-kink teacher plus noise. */
  static DenseMatrix oneDimensional(int n, long seed, double[] y) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] t = new double[n];
    for (int k = 0; k < n; k++) {
      t[k] = -2.0 + 4.0 * r.nextDouble();
    }
    Arrays.sort(t);
    DenseMatrix x = new DenseMatrix(n, 2);
    for (int k = 0; k < n; k++) {
      x.set(k, 0, t[k]);
      x.set(k, 1, 1.0);
      y[k] = Math.max(t[k] - 0.5, 0) - 2 * Math.max(-t[k] - 0.3, 0) + Math.max(t[k] + 1, 0)
          + 0.2 * r.nextGaussian();
    }
    return x;
  }

  @Test
  void generatedPatternsReachTheAllPatternsOptimumWithAnExactCertificate() {
    for (Formulation form : Formulation.values()) {
      for (long seed = 1; seed <= 3; seed++) {
        int n = 12 + 4 * (int) seed;
        double[] y = new double[n];
        DenseMatrix x = oneDimensional(n, seed, y);
        SignPatterns all = ArrangementEnumerator.enumerate(x, MAX_SUBSETS);
        double beta = 0.05 * ConvexReluProblem.betaMax(x, y, all, new SquaredLoss());
        ConvexReluProblem full = new ConvexReluProblem(x, y, all, new SquaredLoss(), beta, form);
        SolverResult exact = SolverChoice.local(full).solve(full, null,
            SolverOptions.DEFAULTS, IterationListener.NONE);
        assertEquals(StopReason.CONVERGED, exact.stopReason());

        SignPatterns four = SignPatterns.sample(x, 4, seed + 10, 10_000);
        ConvexReluProblem start = new ConvexReluProblem(x, y, four, new SquaredLoss(), beta,
            form);
        ColumnGeneration.Result cg = ColumnGeneration.run(start, ColumnGeneration.Options.DEFAULTS,
            SolverOptions.DEFAULTS, IterationListener.NONE, LOCAL);
        String where = form + " seed " + seed + " rounds " + cg.rounds();
        assertTrue(cg.converged(), where);
        double opt = exact.certificate().objective();
        double got = cg.solution().certificate().objective();
        assertEquals(opt, got, 1e-6 * opt, where);
        // Objectives never increase from round to round.
        for (int k = 1; k < cg.rounds().size(); k++) {
          assertTrue(cg.rounds().get(k).objective()
              <= cg.rounds().get(k - 1).objective() * (1 + 1e-6), where);
        }
        ArrangementCertificate.Result proof = ArrangementCertificate.compute(cg.problem(),
            cg.solution().weights(), MAX_SUBSETS);
        assertEquals(all.count(), proof.patternsChecked());
        assertTrue(proof.certificate().relativeGap() <= 1e-6, where + " " + proof);
        assertTrue(proof.certificate().lowerBound() <= opt * (1 + 1e-9));
      }
    }
  }

  @Test
  void searchAloneImprovesOnTheSampledPatternsAndNeverRaisesTheObjective() {
    double[] y = new double[40];
    DenseMatrix x = oneDimensional(40, 11, y);
    SignPatterns four = SignPatterns.sample(x, 4, 5, 10_000);
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, four, new SquaredLoss());
    ConvexReluProblem start = new ConvexReluProblem(x, y, four, new SquaredLoss(), beta,
        Formulation.RELU);
    ColumnGeneration.Options searchOnly = new ColumnGeneration.Options(10, 64, 30, 16, 2L, 0L);
    ColumnGeneration.Result cg = ColumnGeneration.run(start, searchOnly, SolverOptions.DEFAULTS,
        IterationListener.NONE, LOCAL);
    List<ColumnGeneration.Round> rounds = cg.rounds();
    assertTrue(rounds.size() > 1, rounds.toString());
    // The returned problem is the one the returned solution solves, also when the round
    // budget ends the loop with violations left.
    assertEquals(cg.problem().blockCount(), cg.solution().weights().cols());
    ColumnGeneration.Result short2 = ColumnGeneration.run(start,
        new ColumnGeneration.Options(2, 64, 30, 16, 2L, 0L), SolverOptions.DEFAULTS,
        IterationListener.NONE, LOCAL);
    assertEquals(2, short2.rounds().size());
    assertEquals(short2.problem().blockCount(), short2.solution().weights().cols());
    assertEquals(short2.rounds().get(1).patterns(), short2.problem().patternCount());
    assertTrue(rounds.get(0).added() > 0);
    assertTrue(rounds.get(rounds.size() - 1).objective() < 0.9 * rounds.get(0).objective(),
        rounds.toString());
    for (int k = 1; k < rounds.size(); k++) {
      assertTrue(rounds.get(k).objective() <= rounds.get(k - 1).objective() * (1 + 1e-6));
    }
  }

  @Test
  void certificateOverAllPatternsExposesAMissingPattern() {
    double[] y = new double[16];
    DenseMatrix x = oneDimensional(16, 7, y);
    SignPatterns two = SignPatterns.sample(x, 2, 3, 10_000);
    SignPatterns all = ArrangementEnumerator.enumerate(x, MAX_SUBSETS);
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, all, new SquaredLoss());
    ConvexReluProblem p = new ConvexReluProblem(x, y, two, new SquaredLoss(), beta,
        Formulation.RELU);
    SolverResult r = SolverChoice.local(p).solve(p, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    assertTrue(r.certificate().relativeGap() <= 1e-6);
    ArrangementCertificate.Result proof = ArrangementCertificate.compute(p, r.weights(),
        MAX_SUBSETS);
    // Two patterns cannot fit a three-kink teacher: the full dual is violated.
    assertTrue(proof.dualNorm() > beta, proof.toString());
    assertTrue(proof.certificate().relativeGap() > 1e-3, proof.toString());
  }
}
