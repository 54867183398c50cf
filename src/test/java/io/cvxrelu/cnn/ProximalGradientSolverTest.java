package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import org.junit.jupiter.api.Test;

/** The FISTA solver's step control and certificate on a lasso, against coordinate descent. */
class ProximalGradientSolverTest {

  /**
   * A = I + c q q^T with q orthogonal to the power iteration's start vector, so the Lipschitz
   * estimate reaches (1 + c)^2 only through rounding; the run must certify whatever the
   * estimate (with the power iteration cut to one step, an estimate of 1.05 instead of 25, it
   * still does: the backtracking raises L).
   */
  @Test
  void backtrackingRecoversFromAnUnderestimatedLipschitzConstant() {
    int p = 6;
    double[] start = new double[p];
    for (int j = 0; j < p; j++) {
      start[j] = 1.0 + 0.5 * Math.sin(j + 1.0);
    }
    double[] q = {start[1], -start[0], 0, 0, 0, 0};
    double qn = Math.hypot(q[0], q[1]);
    q[0] /= qn;
    q[1] /= qn;
    double c = 4.0;
    DenseMatrix a = new DenseMatrix(p, p);
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        a.set(i, j, (i == j ? 1.0 : 0.0) + c * q[i] * q[j]);
      }
    }
    double[] y = {3.0, -1.0, 0.5, 2.0, -0.2, 1.0};
    int[] singletons = {0, 1, 2, 3, 4, 5, 6};
    NormRegularizedLeastSquares lasso = new NormRegularizedLeastSquares(a, y, 0.4,
        new GroupNorm(singletons));
    SolverResult r = new ProximalGradientSolver(1).solve(lasso,
        new SolverOptions(1e-13, 1e-9, 100_000, 30.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    double[] cd = coordinateDescent(a, y, 0.4, 20_000);
    double optimum = lasso.objective(cd);
    assertEquals(optimum, r.certificate().objective(), 1e-12 * optimum);
    assertTrue(r.certificate().lowerBound() <= optimum * (1 + 1e-15));
    for (int j = 0; j < p; j++) {
      assertEquals(cd[j], r.weights().data()[j], 1e-6);
    }
  }

  /** Cyclic coordinate descent for the lasso (exact soft-thresholded coordinate minimisation). */
  private static double[] coordinateDescent(DenseMatrix a, double[] y, double beta, int sweeps) {
    int n = a.rows();
    int p = a.cols();
    double[] x = new double[p];
    double[] r = y.clone();
    for (int s = 0; s < sweeps; s++) {
      for (int j = 0; j < p; j++) {
        double col = 0.0;
        double rho = 0.0;
        for (int i = 0; i < n; i++) {
          col += a.get(i, j) * a.get(i, j);
          rho += a.get(i, j) * (r[i] + a.get(i, j) * x[j]);
        }
        double next = Math.signum(rho) * Math.max(Math.abs(rho) - beta, 0.0) / col;
        for (int i = 0; i < n; i++) {
          r[i] -= a.get(i, j) * (next - x[j]);
        }
        x[j] = next;
      }
    }
    return x;
  }
}
