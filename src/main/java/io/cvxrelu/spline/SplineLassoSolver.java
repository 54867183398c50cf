package io.cvxrelu.spline;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.solver.StopReason;

/**
 * Solves {@link SplineLasso} to a certified duality gap: cyclic coordinate descent on the
 * Lasso (Friedman, Hastie and Tibshirani, J. Stat. Softw. 2010) over the Gram matrix
 * G = A_c^T A_c, and, every ten sweeps, an exact minimisation over the orthant face of the
 * current iterate (its support and signs) by an active-set inner loop; the better of the two
 * points is kept. Ramp atoms at neighbouring kinks are nearly collinear, and some are exactly
 * dependent, which makes coordinate descent zig-zag for thousands of sweeps; the face step
 * finishes once the support is right (10 to 30 sweeps on the tests' instances). The
 * certificate is the gap to the dual bound of {@link SplineLasso#dualBound}. Stateless.
 */
public final class SplineLassoSolver {
  private final double tolerance;
  private final long maxSweeps;
  /** Sweeps between two gap checks (each with a face step). */
  private static final int CHECK_EVERY = 10;

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
      for (int s = 0; s < CHECK_EVERY; s++, sweep++) {
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
      double[] candidate = exactOnSupport(a, p.centredY(), gram, q, w, beta);
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
   * The minimiser of the Lasso on the orthant face of w (its support, with its signs; other
   * weights zero), by the inner loop of Lawson and Hanson's active-set method (1974, ch. 23):
   * solve the KKT system G_SS z = A_S^T y_c - beta sign(w_S) of the face; if a sign flips,
   * step from the current point towards z until the first weight reaches zero, drop that atom
   * (by index, so rounding cannot leave it a hair above zero and loop) and solve again.
   * Near-collinear ramps (kinks at neighbouring points, where coordinate descent zig-zags) are
   * what this finishes. Null when nothing is left of the support.
   */
  private static double[] exactOnSupport(DenseMatrix a, double[] yc, DenseMatrix gram,
      double[] q, double[] w, double beta) {
    int m = w.length;
    double[] cur = w.clone();
    boolean[] active = new boolean[m];
    for (int j = 0; j < m; j++) {
      active[j] = w[j] != 0.0;
    }
    for (int round = 0; round < m; round++) {
      int[] idx = java.util.stream.IntStream.range(0, m).filter(j -> active[j]).toArray();
      if (idx.length == 0) {
        return null;
      }
      double[] sign = new double[idx.length];
      for (int i = 0; i < idx.length; i++) {
        sign[i] = Math.signum(w[idx[i]]);
      }
      double[] z = faceSolution(a, yc, gram, q, idx, sign, beta);
      int block = -1;
      double step = 1.0;
      for (int i = 0; i < idx.length; i++) {
        if (!(z[i] * sign[i] > 0.0)) {
          double c = cur[idx[i]];
          double t = c == z[i] ? 0.0 : c / (c - z[i]);
          if (block < 0 || t < step) {
            step = Math.max(0.0, Math.min(1.0, t));
            block = i;
          }
        }
      }
      for (int i = 0; i < idx.length; i++) {
        cur[idx[i]] += step * (z[i] - cur[idx[i]]);
      }
      if (block < 0) {
        return cur;
      }
      cur[idx[block]] = 0.0;
      active[idx[block]] = false;
    }
    return null;
  }

  /**
   * The stationary point of the Lasso on one face: G_SS z = q_S - beta s by Cholesky, or, when
   * G_SS is singular or nearly so (centred, (x - x_1)_+ and (x_n - x)_+ are negatives of each
   * other, and (x - x_k)_+ - (x_k - x)_+ is the same linear function for every k), the
   * minimum-norm solution through the SVD of A_S.
   */
  private static double[] faceSolution(DenseMatrix a, double[] yc, DenseMatrix gram,
      double[] q, int[] idx, double[] sign, double beta) {
    int size = idx.length;
    DenseMatrix sub = new DenseMatrix(size, size);
    DenseMatrix rhs = new DenseMatrix(size, 1);
    for (int i = 0; i < size; i++) {
      rhs.data()[i] = q[idx[i]] - beta * sign[i];
      for (int k = 0; k < size; k++) {
        sub.data()[k * size + i] = gram.get(idx[i], idx[k]);
      }
    }
    double[] z;
    try {
      Cholesky.factor(sub).solveInPlace(rhs);
      z = rhs.data();
    } catch (ArithmeticException e) {
      return minimumNorm(a, yc, idx, sign, beta);
    }
    if (signsAgree(z, sign)) {
      return z;
    }
    // A numerically singular G_SS can also factor, with a huge solution whose signs flip.
    double[] minimum = minimumNorm(a, yc, idx, sign, beta);
    return signsAgree(minimum, sign) ? minimum : z;
  }

  private static boolean signsAgree(double[] z, double[] sign) {
    for (int i = 0; i < z.length; i++) {
      if (!(z[i] * sign[i] > 0.0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The minimum-norm solution of A_S^T A_S z = A_S^T y_c - beta s:
   * z = sum_{k &lt; rank} v_k (u_k^T y_c / s_k - beta v_k^T s / s_k^2).
   */
  private static double[] minimumNorm(DenseMatrix a, double[] yc, int[] idx, double[] sign,
      double beta) {
    int n = a.rows();
    DenseMatrix as = new DenseMatrix(n, idx.length);
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(a.data(), idx[i] * n, as.data(), i * n, n);
    }
    ThinSvd svd = ThinSvd.of(as);
    double[] z = new double[idx.length];
    for (int k = 0; k < svd.rank(); k++) {
      double uy = 0.0;
      for (int r = 0; r < n; r++) {
        uy += svd.u().get(r, k) * yc[r];
      }
      double vs = 0.0;
      for (int i = 0; i < idx.length; i++) {
        vs += svd.vt().get(k, i) * sign[i];
      }
      double sk = svd.s()[k];
      double coef = uy / sk - beta * vs / (sk * sk);
      for (int i = 0; i < idx.length; i++) {
        z[i] += coef * svd.vt().get(k, i);
      }
    }
    return z;
  }
}
