package io.cvxrelu.solver.local.atoms;

import io.cvxrelu.linalg.Nnls;
import java.util.Arrays;

/**
 * The projection of c onto a polyhedral cone K = {u : a_r^T u &gt;= 0} through its dual,
 * min_{mu &gt;= 0} ||c + A^T mu|| (Moreau: the minimiser's residual c + A^T mu is the
 * projection), by the active-set method of Lawson and Hanson ("Solving Least Squares
 * Problems", 1974, ch. 23). The passive rows' Cholesky factor of A_P A_P^T grows by one row per
 * {@link #add} (O(|P| d)) and is rebuilt only when rows leave. The caller prices the rows: it
 * owns A, which may have far more rows than fit in memory as vectors, and hands in one row at
 * a time.
 *
 * <p>For any mu &gt;= 0, ||c + A^T mu|| bounds max_{u in K, ||u|| &lt;= 1} c^T u = ||Pi_K c||
 * from above, so the residual's norm is a valid dual-norm bound at every step, not only at
 * convergence.
 */
final class DualActiveSet {
  /** Rows whose new pivot is below this fraction of their squared norm are dependent. */
  private static final double DEPENDENT_PIVOT = 1e-15;
  private final int d;
  private final double[] c;
  private final int cap;
  private int np;
  private final int[] rows;
  private final double[][] vectors;
  /** Lower Cholesky factor of A_P A_P^T, row-major with stride {@link #cap}. */
  private final double[] chol;
  private final double[] mu;
  private double[] residual;

  /** An empty passive set for the projection of {@code c} (d entries, kept by reference). */
  DualActiveSet(double[] c) {
    this.d = c.length;
    this.c = c;
    this.cap = d + 1;
    this.rows = new int[cap];
    this.vectors = new double[cap][];
    this.chol = new double[cap * cap];
    this.mu = new double[cap];
    this.residual = c.clone();
  }

  /** c + A_P^T mu_P: the projection once no row prices negative. */
  double[] residual() {
    return residual;
  }

  int passiveCount() {
    return np;
  }

  /** The passive rows (a copy). */
  int[] passiveRows() {
    return Arrays.copyOf(rows, np);
  }

  /**
   * Adds row {@code row} with vector {@code a} to the passive set (multiplier 0); false, and no
   * change, when it is numerically dependent on the passive rows.
   */
  boolean add(int row, double[] a) {
    if (np >= cap - 1) {
      return false;
    }
    double[] w = new double[np];
    for (int q = 0; q < np; q++) {
      double t = dot(vectors[q], a);
      for (int b = 0; b < q; b++) {
        t -= chol[q * cap + b] * w[b];
      }
      w[q] = t / chol[q * cap + q];
    }
    double aa = dot(a, a);
    double ww = dot(w, w);
    double pivot = aa - ww;
    if (!(pivot > DEPENDENT_PIVOT * aa)) {
      return false;
    }
    System.arraycopy(w, 0, chol, np * cap, np);
    chol[np * cap + np] = Math.sqrt(pivot);
    rows[np] = row;
    vectors[np] = a;
    mu[np] = 0.0;
    np++;
    return true;
  }

  /**
   * Least squares on the passive rows with Lawson and Hanson's step back: the multipliers move
   * toward the unconstrained solution until the first reaches zero, that row leaves, and the
   * solve repeats, until every multiplier is positive.
   */
  void settle() {
    for (int guard = 0; guard < 2 * cap && np > 0; guard++) {
      double[] z = leastSquares();
      if (Nnls.stepBack(mu, identity(np), z, np) < 0) {
        break;
      }
      keepPositive();
    }
    updateResidual();
  }

  /**
   * A warm start from rows passive at a neighbouring c: least squares on them, dropping every
   * row whose multiplier comes out non-positive, until all are positive (a feasible start for
   * {@link #settle}, not Lawson and Hanson's monotone path).
   */
  void warm() {
    for (int guard = 0; guard < cap && np > 0; guard++) {
      double[] z = leastSquares();
      boolean positive = true;
      for (int q = 0; q < np; q++) {
        positive &= z[q] > 0.0;
      }
      System.arraycopy(z, 0, mu, 0, np);
      if (positive) {
        break;
      }
      keepPositive();
    }
    updateResidual();
  }

  private static int[] identity(int count) {
    int[] ix = new int[count];
    for (int q = 0; q < count; q++) {
      ix[q] = q;
    }
    return ix;
  }

  /** z = argmin ||c + A_P^T z|| by the factor: (A_P A_P^T) z = -A_P c. */
  private double[] leastSquares() {
    double[] z = new double[np];
    for (int q = 0; q < np; q++) {
      double t = -dot(vectors[q], c);
      for (int b = 0; b < q; b++) {
        t -= chol[q * cap + b] * z[b];
      }
      z[q] = t / chol[q * cap + q];
    }
    for (int q = np - 1; q >= 0; q--) {
      double t = z[q];
      for (int b = q + 1; b < np; b++) {
        t -= chol[b * cap + q] * z[b];
      }
      z[q] = t / chol[q * cap + q];
    }
    return z;
  }

  /** Removes the rows whose multiplier is not positive, downdating the factor. */
  private void keepPositive() {
    for (int q = np - 1; q >= 0; q--) {
      if (!(mu[q] > 0.0)) {
        removeAt(q);
      }
    }
  }

  /**
   * Deletes passive row q: its row of the factor goes, which leaves the rows below with one
   * entry past the diagonal, and Givens rotations of neighbouring columns (orthogonal, so
   * L L^T is unchanged) restore the triangle in O(|P|^2), where a rebuild costs O(|P|^2 d).
   */
  private void removeAt(int q) {
    for (int a = q; a < np - 1; a++) {
      System.arraycopy(chol, (a + 1) * cap, chol, a * cap, a + 2);
      rows[a] = rows[a + 1];
      vectors[a] = vectors[a + 1];
      mu[a] = mu[a + 1];
    }
    np--;
    for (int a = q; a < np; a++) {
      double x = chol[a * cap + a];
      double y = chol[a * cap + a + 1];
      double r = Math.hypot(x, y);
      if (!(r > 0.0)) {
        continue;
      }
      double cs = x / r;
      double sn = y / r;
      for (int b = a; b < np; b++) {
        double u = chol[b * cap + a];
        double v = chol[b * cap + a + 1];
        chol[b * cap + a] = cs * u + sn * v;
        chol[b * cap + a + 1] = -sn * u + cs * v;
      }
      chol[a * cap + a + 1] = 0.0;
    }
    for (int b = 0; b < np; b++) {
      chol[b * cap + np] = 0.0;
    }
  }

  private void updateResidual() {
    double[] r = c.clone();
    for (int q = 0; q < np; q++) {
      double m = mu[q];
      double[] a = vectors[q];
      for (int i = 0; i < d; i++) {
        r[i] += a[i] * m;
      }
    }
    residual = r;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
