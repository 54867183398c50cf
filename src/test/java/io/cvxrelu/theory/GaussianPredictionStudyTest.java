package io.cvxrelu.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pieces of the Gaussian-data study against independent answers: the gated solver on the
 * linear network against the closed form, the exact (every pattern, certified) ReLU optimum
 * against the bound F*_ReLU(beta) &lt;= Phi_lin(2 beta), and a small run of the whole study.
 */
class GaussianPredictionStudyTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-9, 1e-9, 200_000, 60.0);

  @Test
  void gatedSolverOnTheLinearNetworkMatchesTheClosedForm() {
    for (int d : new int[] {10, 60}) {
      GaussianLinearData data = GaussianLinearData.draw(30, d, 0.3, 1.0,
          new SplittableRandom(d));
      NormRegularisedLeastSquares exact = new NormRegularisedLeastSquares(data.a(), data.y());
      for (double frac : new double[] {0.01, 0.2, 0.9, 1.5}) {
        double beta = frac * exact.betaMax();
        ConvexReluProblem p = LinearNetworkProgram.of(data.a(), data.y(), beta);
        SolverResult r = new SsnalGatedSolver().solve(p, null, TIGHT, IterationListener.NONE);
        double closed = exact.solve(beta).value();
        assertTrue(Certification.of(r, TIGHT, Certification.labelScale(data.y())).certified());
        assertEquals(closed, r.certificate().objective(), 1e-7 * closed, "d " + d + " beta "
            + beta);
      }
    }
  }

  @Test
  void closedFormSatisfiesItsOptimalityCondition() {
    GaussianLinearData data = GaussianLinearData.draw(25, 8, 0.5, 1.0, new SplittableRandom(3));
    NormRegularisedLeastSquares exact = new NormRegularisedLeastSquares(data.a(), data.y());
    double beta = 0.3 * exact.betaMax();
    double[] theta = exact.solve(beta).theta();
    // A^T (A theta - y) + beta theta / ||theta|| = 0, by plain loops.
    double norm = Math.sqrt(java.util.Arrays.stream(theta).map(v -> v * v).sum());
    for (int k = 0; k < 8; k++) {
      double g = beta * theta[k] / norm;
      for (int i = 0; i < 25; i++) {
        double r = -data.y()[i];
        for (int j = 0; j < 8; j++) {
          r += data.a().get(i, j) * theta[j];
        }
        g += data.a().get(i, k) * r;
      }
      assertEquals(0.0, g, 1e-8 * exact.betaMax());
    }
  }

  @Test
  void exactReluOptimumIsAtMostTheLinearOptimumAtTwiceBeta() {
    SplittableRandom rng = new SplittableRandom(9);
    DenseMatrix x = RandomMatrices.gaussian(14, 2, rng);
    double[] y = new double[14];
    for (int i = 0; i < 14; i++) {
      // A non-linear target, so the bound is strict.
      y[i] = Math.abs(x.get(i, 0)) - 0.5 * x.get(i, 1) + 0.1 * rng.nextGaussian();
    }
    NormRegularisedLeastSquares linear = new NormRegularisedLeastSquares(x, y);
    for (double frac : new double[] {0.05, 0.2, 0.45}) {
      double beta = frac * linear.betaMax();
      ConvexReluProblem p = new ConvexReluProblem(x, y, ArrangementEnumerator.enumerate(x,
          1_000_000), new SquaredLoss(), beta, Formulation.RELU);
      SolverResult r = new InteriorPointReluSolver().solve(p, null, TIGHT,
          IterationListener.NONE);
      assertTrue(Certification.of(r, TIGHT, Certification.labelScale(y)).certified());
      double bound = linear.solve(2.0 * beta).value();
      assertTrue(r.certificate().objective() < bound * (1 - 1e-3),
          "F*_ReLU " + r.certificate().objective() + " vs Phi_lin(2 beta) " + bound);
      // And the linear optimum at beta itself is no bound: the ReLU program pays twice.
    }
  }

  @Test
  void aSmallStudyCertifiesEverySolveAndRespectsTheBound() {
    GaussianPredictionStudy.Settings s = new GaussianPredictionStudy.Settings(
        new double[] {1.0, 4.0}, 24, new double[] {0.05, 0.5}, 3, 0.5, 1.0, 1, 2, 4, 1,
        new SolverOptions(1e-8, 1e-9, 200_000, 60.0));
    List<GaussianPredictionStudy.Point> points = GaussianPredictionStudy.run(s, line -> { });
    assertEquals(4, points.size());
    for (GaussianPredictionStudy.Point p : points) {
      assertEquals(3, p.certified());
      assertTrue(p.solverDisagreement() < 1e-6, "solver vs closed form " + p);
      assertEquals(2, p.reluSolves());
      assertEquals(2, p.reluCertified(), "ReLU solves certified: " + p);
      assertEquals(0, p.reluAboveBound());
      assertTrue(p.relu().mean() <= p.linearDouble().mean() * (1 + 1e-5));
      assertEquals(24, p.n());
      assertEquals(Math.round(24 / p.delta()), p.d());
    }
  }
}
