package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The linear CNN nuclear-norm program against closed forms and an independent solver. */
class LinearCnnProgramTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-12, 1e-9, 200_000, 60.0);
  private static final ProximalGradientSolver SOLVER = new ProximalGradientSolver(5);

  private static SolverResult solve(NormRegularizedLeastSquares problem) {
    SolverResult r = SOLVER.solve(problem, TIGHT, IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason(), "gap " + r.certificate().relativeGap());
    return r;
  }

  private static double[] targets(DenseMatrix x, SplittableRandom rng) {
    double[] y = new double[x.rows()];
    for (int i = 0; i < y.length; i++) {
      y[i] = x.get(i, 0) * x.get(i, 1) - x.get(i, 2) + 0.3 * rng.nextGaussian();
    }
    return y;
  }

  /** Orthonormal columns by Gram-Schmidt (no SVD involved). */
  private static DenseMatrix orthonormal(int rows, int cols, SplittableRandom rng) {
    DenseMatrix q = RandomMatrices.gaussian(rows, cols, rng);
    for (int j = 0; j < cols; j++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int l = 0; l < j; l++) {
          double dot = 0.0;
          for (int i = 0; i < rows; i++) {
            dot += q.get(i, j) * q.get(i, l);
          }
          for (int i = 0; i < rows; i++) {
            q.set(i, j, q.get(i, j) - dot * q.get(i, l));
          }
        }
      }
      double norm = q.columnNorm(j);
      for (int i = 0; i < rows; i++) {
        q.set(i, j, q.get(i, j) / norm);
      }
    }
    return q;
  }

  /** Q1 diag(s) Q2^T, entry by entry. */
  private static double[] lowRank(DenseMatrix q1, double[] s, DenseMatrix q2) {
    int h = q1.rows();
    int kk = q2.rows();
    double[] z = new double[h * kk];
    for (int i = 0; i < h; i++) {
      for (int k = 0; k < kk; k++) {
        for (int j = 0; j < s.length; j++) {
          z[i + k * h] += q1.get(i, j) * s[j] * q2.get(k, j);
        }
      }
    }
    return z;
  }

  @Test
  void identityDesignGivesSingularValueThresholdingInClosedForm() {
    SplittableRandom rng = new SplittableRandom(3);
    int h = 4;
    int kk = 5;
    DenseMatrix q1 = orthonormal(h, h, rng);
    DenseMatrix q2 = orthonormal(kk, h, rng);
    double[] sigma = {3.0, 1.7, 0.6, 0.2};
    double beta = 0.9;
    double[] shrunk = new double[sigma.length];
    double optimum = 0.0;
    for (int j = 0; j < sigma.length; j++) {
      shrunk[j] = Math.max(sigma[j] - beta, 0.0);
      double m = Math.min(sigma[j], beta);
      optimum += 0.5 * m * m + beta * shrunk[j];
    }
    DenseMatrix identity = new DenseMatrix(h * kk, h * kk);
    for (int i = 0; i < h * kk; i++) {
      identity.set(i, i, 1.0);
    }
    NormRegularizedLeastSquares problem = new NormRegularizedLeastSquares(identity,
        lowRank(q1, sigma, q2), beta, new NuclearNorm(h, kk));
    SolverResult r = solve(problem);
    double[] expected = lowRank(q1, shrunk, q2);
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], r.weights().data()[j], 1e-10);
    }
    assertEquals(optimum, r.certificate().objective(), 1e-11 * optimum);
    assertTrue(r.certificate().lowerBound() <= optimum + 1e-12);
  }

  /**
   * K = 1 (the whole signal is the only patch): the nuclear norm is the Euclidean norm and the
   * program is the fully connected linear network's single-group lasso, whose solution is the
   * ridge solution z(mu) = (A^T A + mu I)^{-1} A^T y at the mu with mu ||z(mu)|| = beta.
   */
  @Test
  void onePatchIsTheFullyConnectedGroupLassoInClosedForm() {
    SplittableRandom rng = new SplittableRandom(5);
    int d = 6;
    DenseMatrix x = RandomMatrices.gaussian(30, d, rng);
    double[] y = targets(x, rng);
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    assertEquals(1, whole.patchCount());
    double beta = 0.3 * LinearCnnProgram.betaMax(x, y, whole);
    SolverResult r = solve(LinearCnnProgram.of(x, y, whole, beta));
    double lo = 1e-8;
    double hi = 1e8;
    for (int it = 0; it < 200; it++) {
      double mu = Math.sqrt(lo * hi);
      double[] z = FactoredAls.ridge(x, y, mu);
      if (mu * norm(z) < beta) {
        lo = mu;
      } else {
        hi = mu;
      }
    }
    double[] z = FactoredAls.ridge(x, y, Math.sqrt(lo * hi));
    NormRegularizedLeastSquares problem = LinearCnnProgram.of(x, y, whole, beta);
    double optimum = problem.objective(z);
    assertEquals(optimum, r.certificate().objective(), 1e-11 * optimum);
    assertTrue(r.certificate().lowerBound() <= optimum * (1 + 1e-14));
    // A gap of 1e-12 leaves weights within about sqrt(1e-12) of the solution.
    for (int j = 0; j < d; j++) {
      assertEquals(z[j], r.weights().data()[j], 1e-6);
    }
  }

  private static double norm(double[] v) {
    double s = 0.0;
    for (double e : v) {
      s += e * e;
    }
    return Math.sqrt(s);
  }

  @Test
  void matchesTheFactoredCnnSolvedByAlternatingRidgeRegressions() {
    SplittableRandom rng = new SplittableRandom(11);
    DenseMatrix x = RandomMatrices.gaussian(40, 6, rng);
    double[] y = targets(x, rng);
    PatchGeometry g = PatchGeometry.windows(1, 1, 6, 3, 1);
    double beta = 0.4 * LinearCnnProgram.betaMax(x, y, g);
    NormRegularizedLeastSquares problem = LinearCnnProgram.of(x, y, g, beta);
    SolverResult r = solve(problem);
    double factored = FactoredAls.solve(problem.a(), y, g.patchSize(), g.patchCount(), beta,
        4000);
    double value = r.certificate().objective();
    assertTrue(factored >= r.certificate().lowerBound() - 1e-12 * value,
        "the non-convex CNN went below the certificate");
    assertEquals(value, factored, 1e-8 * value);
    int rank = LinearCnnProgram.recover(r, g).width();
    assertTrue(rank >= 1 && rank < 3, "a rank between the trivial cases, got " + rank);
  }

  @Test
  void recoveredCnnHasTheConvexObjectiveOnImages() {
    SplittableRandom rng = new SplittableRandom(7);
    PatchGeometry g = PatchGeometry.windows(2, 4, 5, 2, 2);
    DenseMatrix x = RandomMatrices.gaussian(50, g.inputSize(), rng);
    double[] y = targets(x, rng);
    double beta = 0.2 * LinearCnnProgram.betaMax(x, y, g);
    NormRegularizedLeastSquares problem = LinearCnnProgram.of(x, y, g, beta);
    SolverResult r = solve(problem);
    LinearCnn cnn = LinearCnnProgram.recover(r, g);
    double convex = r.certificate().objective();
    assertEquals(convex, cnn.objective(x, y, beta), 1e-9 * convex);
    double[] direct = problem.predict(r.weights().data());
    double[] net = cnn.predict(x);
    for (int i = 0; i < direct.length; i++) {
      assertEquals(direct[i], net[i], 1e-10);
    }
  }

  @Test
  void aboveBetaMaxTheZeroNetworkIsCertified() {
    SplittableRandom rng = new SplittableRandom(9);
    DenseMatrix x = RandomMatrices.gaussian(20, 6, rng);
    double[] y = targets(x, rng);
    PatchGeometry g = PatchGeometry.windows(1, 1, 6, 2, 2);
    SolverResult r = solve(LinearCnnProgram.of(x, y, g,
        1.01 * LinearCnnProgram.betaMax(x, y, g)));
    assertEquals(0.0, norm(r.weights().data()), 0.0);
    assertEquals(0, LinearCnnProgram.recover(r, g).width());
  }

  @Test
  void ridgeHelperSolvesItsNormalEquations() {
    // The independent checks above rest on this helper: (B^T B + beta I) x = B^T y.
    SplittableRandom rng = new SplittableRandom(1);
    DenseMatrix b = RandomMatrices.gaussian(8, 3, rng);
    double[] y = {1, -2, 0.5, 3, 0, 1, -1, 2};
    double[] sol = FactoredAls.ridge(b, y, 0.7);
    for (int j = 0; j < 3; j++) {
      double lhs = 0.7 * sol[j];
      double rhs = 0.0;
      for (int i = 0; i < 8; i++) {
        double pred = 0.0;
        for (int l = 0; l < 3; l++) {
          pred += b.get(i, l) * sol[l];
        }
        lhs += b.get(i, j) * pred;
        rhs += b.get(i, j) * y[i];
      }
      assertEquals(rhs, lhs, 1e-12);
    }
    assertThrows(IllegalArgumentException.class, () -> Cholesky.factor(new DenseMatrix(2, 3)));
  }
}
