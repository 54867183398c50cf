package io.cvxrelu.solver.local.ssnal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The preconditioner's model E + sigma U U^T keeps the diagonal of the Newton matrix
 * I + sigma A J A^T exact (its defining property), checked against the Newton matrix built
 * column by column from {@link GeneralizedJacobian#apply} on unit vectors, and its inverse is
 * the inverse of a symmetric positive definite matrix.
 */
class WoodburyPreconditionerTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void modelHasTheNewtonMatrixDiagonal(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = 70;
    int d = 5;
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x.get(i, 0) - x.get(i, 3), 0.0) + 0.1 * rng.nextGaussian();
    }
    SignPatterns sp = SignPatterns.sample(x, 24, seed + 5, 100_000);
    double beta = 0.02 * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    ConvexReluProblem problem =
        new ConvexReluProblem(x, y, sp, new SquaredLoss(), beta, Formulation.GATED);
    int p = problem.blockCount();
    DenseMatrix b = RandomMatrices.gaussian(d, p, rng);
    double[] xi = new double[n];
    for (int k = 0; k < n; k++) {
      xi[k] = rng.nextGaussian();
    }
    double sigma = 0.7;
    GroupSoftThreshold threshold = new GroupSoftThreshold(d, p, beta);
    threshold.apply(b, problem.maskedAdjoint(xi), sigma);
    GeneralizedJacobian jac = new GeneralizedJacobian(problem, threshold, sigma);
    assertTrue(jac.cols.length >= d, "enough active groups for the preconditioner");
    double[] onFraction = new double[p];
    double[] mask = problem.maskValues();
    for (int j = 0; j < p; j++) {
      for (int k = 0; k < n; k++) {
        onFraction[j] += mask[j * n + k] / n;
      }
    }
    WoodburyPreconditioner pre = new WoodburyPreconditioner(jac, onFraction, sigma);
    // The Newton matrix H and the model's inverse M^-1, column by column.
    DenseMatrix h = new DenseMatrix(n, n);
    DenseMatrix inverse = new DenseMatrix(n, n);
    for (int c = 0; c < n; c++) {
      double[] e = new double[n];
      e[c] = 1.0;
      double[] hc = jac.apply(e, sigma, null);
      double[] mc = pre.apply(e);
      for (int r = 0; r < n; r++) {
        h.set(r, c, hc[r]);
        inverse.set(r, c, mc[r]);
      }
    }
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < r; c++) {
        assertEquals(inverse.get(r, c), inverse.get(c, r), 1e-10, "M^-1 symmetric");
      }
    }
    // M = (M^-1)^-1, by a Cholesky factor of M^-1 (which also shows it is positive definite).
    DenseMatrix model = new DenseMatrix(n, n);
    for (int k = 0; k < n; k++) {
      model.set(k, k, 1.0);
    }
    Cholesky.factor(inverse).solveInPlace(model);
    for (int k = 0; k < n; k++) {
      assertEquals(h.get(k, k), model.get(k, k), 1e-8 * h.get(k, k), "diagonal " + k);
    }
  }
}
