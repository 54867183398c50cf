package io.cvxrelu.solver.local.ssnal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The weights rebuilt from a dual point's directions are the optimum when the dual point is
 * the optimum's: checked against an independent solver (FISTA certified to 1e-11), whose
 * optimal residual gives the directions.
 */
class MagnitudePolishTest {

  private static ConvexReluProblem problem(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = RandomMatrices.gaussian(150, 6, rng);
    double[] y = new double[150];
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(x.get(i, 0) + x.get(i, 1), 0.0) - Math.max(x.get(i, 2), 0.0)
          + 0.1 * rng.nextGaussian();
    }
    SignPatterns sp = SignPatterns.sample(x, 40, seed + 2, 100_000);
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    return new ConvexReluProblem(x, y, sp, new SquaredLoss(), beta, Formulation.GATED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void rebuildsTheOptimumFromItsResidual(long seed) {
    ConvexReluProblem problem = problem(seed);
    SolverResult ref = new GatedFistaSolver().solve(problem, null,
        new SolverOptions(1e-11, 1e-9, 2_000_000, 120), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, ref.stopReason());
    DenseMatrix b = ref.weights();
    double[] pred = problem.predictWeights(b);
    double[] xi = new double[pred.length];
    for (int k = 0; k < xi.length; k++) {
      xi[k] = pred[k] - problem.y()[k];
    }
    // The support as the solver leaves it, blocks below 1e-9 of the largest cut to zero (the
    // exact-zero support a prox point has).
    double largest = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      largest = Math.max(largest, b.columnNorm(j));
    }
    DenseMatrix support = b.copy();
    for (int j = 0; j < b.cols(); j++) {
      if (b.columnNorm(j) <= 1e-9 * largest) {
        for (int i = 0; i < b.rows(); i++) {
          support.set(i, j, 0.0);
        }
      }
    }
    MagnitudePolish.Point point = MagnitudePolish.fit(problem, support,
        problem.maskedAdjoint(xi));
    assertNotNull(point);
    Certificate c = Certificate.atPrediction(problem, point.weights(), point.prediction(), 0.0);
    assertTrue(c.relativeGap() <= 1e-9, c.toString());
    assertEquals(ref.certificate().objective(), c.objective(),
        1e-9 * ref.certificate().objective());
    double[] exactPred = problem.predictWeights(point.weights());
    for (int k = 0; k < exactPred.length; k++) {
      assertEquals(exactPred[k], point.prediction()[k], 1e-10 * (1 + Math.abs(exactPred[k])));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1})
  void refusesAnEmptySupport(long seed) {
    ConvexReluProblem problem = problem(seed);
    double[] xi = problem.y().clone();
    assertNull(MagnitudePolish.fit(problem, problem.zeroWeights(), problem.maskedAdjoint(xi)));
  }
}
