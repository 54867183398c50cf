package io.cvxrelu.solver.local.ssnal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CG's single-precision products agree with the double kernels to single precision, on sizes
 * that cut the rows into several tiles (a last partial one) and the groups into several chunks;
 * and SSNAL, which uses them, still reaches the optimum an independent solver certifies.
 */
class SinglePrecisionProductsTest {

  private static ConvexReluProblem problem(int n, int d, int p, long seed, double betaFrac) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x.get(i, 0) + 0.5 * x.get(i, 1), 0.0) + 0.1 * rng.nextGaussian();
    }
    SignPatterns sp = SignPatterns.sample(x, p, seed + 7, 1_000_000);
    double beta = betaFrac * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    return new ConvexReluProblem(x, y, sp, new SquaredLoss(), beta, Formulation.GATED);
  }

  @Test
  void newtonProductMatchesTheDoubleKernels() {
    ConvexReluProblem problem = problem(1_300, 6, 700, 3, 1e-4);
    int n = problem.n();
    int d = problem.d();
    int p = problem.blockCount();
    SplittableRandom rng = new SplittableRandom(11);
    DenseMatrix b = RandomMatrices.gaussian(d, p, rng);
    double[] xi = new double[n];
    for (int k = 0; k < n; k++) {
      xi[k] = rng.nextGaussian();
    }
    double sigma = 0.3;
    GroupSoftThreshold threshold = new GroupSoftThreshold(d, p, problem.beta());
    threshold.apply(b, problem.maskedAdjoint(xi), sigma);
    GeneralizedJacobian jac = new GeneralizedJacobian(problem, threshold, sigma);
    assertTrue(jac.cols.length > 512, "groups span more than one chunk: " + jac.cols.length);
    SinglePrecisionProducts single = new SinglePrecisionProducts(problem.x());
    for (int trial = 0; trial < 3; trial++) {
      double[] v = new double[n];
      for (int k = 0; k < n; k++) {
        v[k] = rng.nextGaussian();
      }
      double[] exact = jac.apply(v, sigma, null);
      double[] approx = jac.apply(v, sigma, single);
      double diff = 0.0;
      double norm = 0.0;
      for (int k = 0; k < n; k++) {
        diff += (exact[k] - approx[k]) * (exact[k] - approx[k]);
        norm += exact[k] * exact[k];
      }
      double rel = Math.sqrt(diff / norm);
      assertTrue(rel < 1e-5, "relative error " + rel);
      assertTrue(rel > 0.0, "the single-precision path was not taken");
    }
  }

  @Test
  void ssnalStillReachesTheCertifiedOptimum() {
    ConvexReluProblem problem = problem(600, 8, 60, 5, 0.01);
    SolverOptions options = new SolverOptions(1e-9, 1e-9, 1_000_000, 120);
    SolverResult ref = new GatedFistaSolver().solve(problem, null, options,
        IterationListener.NONE);
    SolverResult ssnal = new SsnalGatedSolver().solve(problem, null,
        new SolverOptions(1e-8, 1e-9, 10_000, 120), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, ref.stopReason());
    assertEquals(StopReason.CONVERGED, ssnal.stopReason());
    double f = ref.certificate().objective();
    assertEquals(f, ssnal.certificate().objective(), 1e-8 * Math.abs(f));
  }
}
