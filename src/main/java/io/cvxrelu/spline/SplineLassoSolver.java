package io.cvxrelu.spline;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.StopReason;

/**
 * Solves {@link SplineLasso} to a certified duality gap: cyclic coordinate descent on the
 * Lasso (Friedman, Hastie and Tibshirani, J. Stat. Softw. 2010) over the Gram matrix
 * G = A_c^T A_c, and, at every gap check, an exact step on the current support and signs
 * (the Lasso's KKT system G_SS w_S = A_S^T y_c - beta sign(w_S), solved by Cholesky; kept only
 * when its signs agree and its objective is lower). Ramp atoms at neighbouring kinks are
 * nearly collinear, which makes coordinate descent slow in the last digits; the exact step
 * finishes once the support is right. The certificate is the gap to the dual bound of
 * {@link SplineLasso#dualBound}. Stateless.
 */
public final class SplineLassoSolver {
  private final double tolerance;
  private final long maxSweeps;
  private final int checkEvery;

  /**
   * @param tolerance relative duality gap at which the fit is certified
   * @param maxSweeps cap on coordinate-descent sweeps
   */
  public SplineLassoSolver(double tolerance, long maxSweeps) {
    if (!(tolerance > 0.0) || maxSweeps < 1) {
      throw new IllegalArgumentException("tolerance must be positive and maxSweeps >= 1, got "
          + tolerance + ", " + maxSweeps);
    }
    this.tolerance = tolerance;
    this.maxSweeps = maxSweeps;
    this.checkEvery = 10;
  }

  /** The default: relative gap 1e-12, at most 200,000 sweeps. */
  public static SplineLassoSolver exact() {
    return new SplineLassoSolver(1e-12, 200_000);
  }

  /** Solves the program from w = 0. */
  public SplineFit solve(SplineLasso p) {
    int m = p.atomCount();
    int n = p.n();
    DenseMatrix a = p.centredAtoms();
    DenseMatrix gram = new DenseMatrix(m, m);
    Blas.gemm(true, false, 1.0, a, a, 0.0, gram);
    double[] g = gram.data();
    double[] q = new double[m];
    Blas.gemm(true, false, m, 1, n, 1.0, a.data(), 0, n, p.centredY(), 0, n, 0.0, q, 0, m);
    double maxDiag = 0.0;
    for (int j = 0; j < m; j++) {
      maxDiag = Math.max(maxDiag, g[j * m + j]);
    }
    // Atoms that vanish on the data (a kink beyond the last point) carry no weight.
    double floor = 1e-14 * Math.max(maxDiag, Double.MIN_NORMAL);
    double[] w = new double[m];
    double[] grad = new double[m];
    for (int j = 0; j < m; j++) {
      grad[j] = -q[j];
    }
    double beta = p.beta();
    double best = p.objective(w);
    double[] bestW = w.clone();
    double dual = p.dualBound(p.residual(w));
    long sweep = 0;
    StopReason reason = StopReason.MAX_ITERATIONS;
    while (true) {
      if (best - dual <= tolerance * best || best == 0.0) {
        reason = StopReason.CONVERGED;
        break;
      }
      if (sweep >= maxSweeps) {
        break;
      }
      for (int s = 0; s < checkEvery; s++, sweep++) {
        for (int j = 0; j < m; j++) {
          double gjj = g[j * m + j];
          if (gjj <= floor) {
            continue;
          }
          double z = gjj * w[j] - grad[j];
          double next = Math.signum(z) * Math.max(Math.abs(z) - beta, 0.0) / gjj;
          double delta = next - w[j];
          if (delta != 0.0) {
            w[j] = next;
            for (int k = 0; k < m; k++) {
              grad[k] += g[j * m + k] * delta;
            }
          }
        }
      }
      if (!Double.isFinite(grad[0])) {
        reason = StopReason.NUMERICAL_FAILURE;
        break;
      }
      double[] candidate = exactOnSupport(gram, q, w, beta);
      for (double[] c : candidate == null ? new double[][] {w} : new double[][] {w, candidate}) {
        double obj = p.objective(c);
        double[] r = p.residual(c);
        double lower = p.dualBound(r);
        if (obj < best) {
          best = obj;
          bestW = c.clone();
        }
        dual = Math.max(dual, lower);
      }
    }
    return new SplineFit(bestW, p.intercept(bestW), best, dual, reason, sweep);
  }

  /**
   * The minimiser of the Lasso restricted to the support of w with its signs fixed, or null
   * when G_SS is singular or a sign flips (then the support or the signs are not yet right).
   */
  private static double[] exactOnSupport(DenseMatrix gram, double[] q, double[] w,
      double beta) {
    int m = w.length;
    int size = 0;
    for (double v : w) {
      size += v != 0.0 ? 1 : 0;
    }
    if (size == 0) {
      return null;
    }
    int[] idx = new int[size];
    for (int j = 0, c = 0; j < m; j++) {
      if (w[j] != 0.0) {
        idx[c++] = j;
      }
    }
    DenseMatrix sub = new DenseMatrix(size, size);
    DenseMatrix rhs = new DenseMatrix(size, 1);
    for (int a = 0; a < size; a++) {
      rhs.data()[a] = q[idx[a]] - beta * Math.signum(w[idx[a]]);
      for (int b = 0; b < size; b++) {
        sub.data()[b * size + a] = gram.get(idx[a], idx[b]);
      }
    }
    try {
      Cholesky.factor(sub).solveInPlace(rhs);
    } catch (ArithmeticException e) {
      return null;
    }
    double[] out = new double[m];
    for (int a = 0; a < size; a++) {
      double v = rhs.data()[a];
      if (!(v * Math.signum(w[idx[a]]) > 0.0)) {
        return null;
      }
      out[idx[a]] = v;
    }
    return out;
  }
}
