package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The circular CNN's l1 program in the DFT domain against the time-domain nuclear-norm program
 * on the circular patches, against direct circular correlations, and against the factored CNN.
 */
class CircularCnnProgramTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-12, 1e-9, 500_000, 60.0);
  private static final ProximalGradientSolver SOLVER = new ProximalGradientSolver(5);

  private static SolverResult solve(NormRegularizedLeastSquares problem) {
    SolverResult r = SOLVER.solve(problem, TIGHT, IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason(), "gap " + r.certificate().relativeGap());
    return r;
  }

  private static double[] targets(DenseMatrix x, SplittableRandom rng) {
    double[] y = new double[x.rows()];
    for (int i = 0; i < y.length; i++) {
      y[i] = x.get(i, 0) - 2.0 * x.get(i, 1) * x.get(i, 2) + 0.2 * rng.nextGaussian();
    }
    return y;
  }

  /**
   * The design is the DFT convention the equivalence rests on: for every real v, the spectral
   * prediction sum_k xhat_k w_k equals tr(C(x) Z) computed by direct circular correlation in
   * the time domain, and ||Z||_* = sum_k |w_k| (odd and even lengths).
   */
  @Test
  void spectralPredictionIsTheCircularCorrelationInTheTimeDomain() {
    for (int d : new int[] {5, 6}) {
      SplittableRandom rng = new SplittableRandom(d);
      DenseMatrix x = RandomMatrices.gaussian(4, d, rng);
      double[] v = new double[d];
      for (int j = 0; j < d; j++) {
        v[j] = rng.nextGaussian();
      }
      DenseMatrix a = CircularCnnProgram.spectralDesign(x);
      SolverResult fake = new SolverResult(new DenseMatrix(d, 1, v), null, null, null, 0, 0, null);
      DenseMatrix z = CircularCnnProgram.product(fake);
      for (int i = 0; i < x.rows(); i++) {
        double spectral = 0.0;
        for (int j = 0; j < d; j++) {
          spectral += a.get(i, j) * v[j];
        }
        double direct = 0.0;
        for (int k = 0; k < d; k++) {
          for (int t = 0; t < d; t++) {
            direct += x.get(i, (k + t) % d) * z.get(t, k);
          }
        }
        assertEquals(direct, spectral, 1e-11);
      }
      double nuclear = 0.0;
      for (double s : ThinSvd.singularValues(z)) {
        nuclear += s;
      }
      assertEquals(CircularCnnProgram.norm(d).value(v), nuclear, 1e-11);
    }
  }

  @Test
  void circularValueEqualsTheLinearCnnValueOnCircularPatches() {
    for (int d : new int[] {5, 8}) {
      SplittableRandom rng = new SplittableRandom(20 + d);
      DenseMatrix x = RandomMatrices.gaussian(30, d, rng);
      double[] y = targets(x, rng);
      PatchGeometry g = PatchGeometry.circularShifts(d);
      double beta = 0.2 * LinearCnnProgram.betaMax(x, y, g);
      assertEquals(LinearCnnProgram.betaMax(x, y, g), CircularCnnProgram.betaMax(x, y),
          1e-10 * beta);
      SolverResult spectral = solve(CircularCnnProgram.of(x, y, beta));
      NormRegularizedLeastSquares time = LinearCnnProgram.of(x, y, g, beta);
      SolverResult nuclear = solve(time);
      double value = nuclear.certificate().objective();
      assertEquals(value, spectral.certificate().objective(), 1e-8 * value);
      // Each value is above the other's lower bound: one optimum, certified twice.
      assertTrue(spectral.certificate().objective() >= nuclear.certificate().lowerBound());
      assertTrue(value >= spectral.certificate().lowerBound());
      // The time-domain Z of the spectral solution is optimal for the nuclear-norm program.
      DenseMatrix z = CircularCnnProgram.product(spectral);
      assertEquals(value, time.objective(z.data()), 1e-8 * value);
    }
  }

  @Test
  void recoveredCircularCnnMatchesTheConvexValueAndTheFactoredCnn() {
    int d = 6;
    SplittableRandom rng = new SplittableRandom(4);
    DenseMatrix x = RandomMatrices.gaussian(40, d, rng);
    double[] y = targets(x, rng);
    double beta = 0.6 * CircularCnnProgram.betaMax(x, y);
    SolverResult r = solve(CircularCnnProgram.of(x, y, beta));
    LinearCnn cnn = CircularCnnProgram.recover(r);
    double convex = r.certificate().objective();
    assertEquals(convex, cnn.objective(x, y, beta), 1e-9 * convex);
    assertTrue(cnn.width() < d, "the l1 penalty should zero some frequencies");
    PatchGeometry g = PatchGeometry.circularShifts(d);
    double factored = FactoredAls.solve(g.patchRows(x), y, d, d, beta, 3000);
    assertTrue(factored >= r.certificate().lowerBound() - 1e-12 * convex);
    assertEquals(convex, factored, 1e-8 * convex);
  }
}
