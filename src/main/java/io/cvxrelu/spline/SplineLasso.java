package io.cvxrelu.spline;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.Arrays;

/**
 * The convex program of a two-layer ReLU network on 1-D data with unpenalised biases: for
 * f(x) = c + sum_j alpha_j (u_j x + b_j)_+ trained by
 *
 * <pre>
 *   1/2 sum_i (f(x_i) - y_i)^2 + beta/2 sum_j (u_j^2 + alpha_j^2)     (b_j and c free)
 * </pre>
 *
 * rescaling each neuron (u, b, alpha) -&gt; (t u, t b, alpha / t) turns the penalty into
 * beta sum_j |u_j alpha_j|, and a neuron with u_j != 0 is the atom (x - s)_+ (u_j &gt; 0) or
 * (s - x)_+ (u_j &lt; 0) with kink s = -b_j / u_j and weight alpha_j |u_j|. The training problem
 * is therefore the Lasso over ramp atoms with a free intercept,
 *
 * <pre>
 *   min_{c, w}  1/2 ||c 1 + A w - y||^2 + beta ||w||_1,   A = [(x_i - s_k)_+ , (s_k - x_i)_+],
 * </pre>
 *
 * which is the group-lasso program of Pilanci and Ergen (ICML 2020, eq. (8)) with the bias
 * coordinate taken out of the group norm: in d = 1 the norm of the remaining coordinate is
 * |v_0|. An atom whose kink lies between two data points is, on the data, a convex
 * combination of the atoms with kinks at those two points, and one outside the data range is
 * an atom at the end point plus a constant; so kinks at the data points, {@link #atDataPoints},
 * attain the optimum over all kinks (Ergen and Pilanci, ICML 2021, the 1-D corollary;
 * Savarese et al., COLT 2019). Other kink sets ({@link #withKinks}) exist to test that claim.
 *
 * <p>The intercept is eliminated by centring y and the atom columns (c = mean(y - A w)).
 * Immutable.
 */
public final class SplineLasso {
  private final double[] x;
  private final double[] y;
  private final double beta;
  private final double[] kinks;
  private final DenseMatrix centredAtoms;
  private final double[] atomMeans;
  private final double[] centredY;
  private final double yMean;

  private SplineLasso(double[] x, double[] y, double beta, double[] kinks) {
    if (x.length != y.length || x.length == 0) {
      throw new IllegalArgumentException("x has " + x.length + " points and y " + y.length
          + " labels; both must be the same positive count");
    }
    if (!(beta > 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be a positive number, got " + beta);
    }
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
        throw new IllegalArgumentException("point " + i + " is not finite: (" + x[i] + ", "
            + y[i] + ")");
      }
    }
    for (double s : kinks) {
      if (!Double.isFinite(s)) {
        throw new IllegalArgumentException("a kink is not finite: " + s);
      }
    }
    this.x = x.clone();
    this.y = y.clone();
    this.beta = beta;
    this.kinks = kinks.clone();
    int n = x.length;
    int k = kinks.length;
    centredAtoms = new DenseMatrix(n, 2 * k);
    atomMeans = new double[2 * k];
    double[] a = centredAtoms.data();
    for (int j = 0; j < 2 * k; j++) {
      double s = kinks[j % k];
      double sign = j < k ? 1.0 : -1.0;
      double mean = 0.0;
      for (int i = 0; i < n; i++) {
        a[j * n + i] = Math.max(sign * (x[i] - s), 0.0);
        mean += a[j * n + i];
      }
      mean /= n;
      atomMeans[j] = mean;
      for (int i = 0; i < n; i++) {
        a[j * n + i] -= mean;
      }
    }
    yMean = Arrays.stream(y).average().orElse(0.0);
    centredY = new double[n];
    for (int i = 0; i < n; i++) {
      centredY[i] = y[i] - yMean;
    }
  }

  /** The program with one kink at every distinct data point (the corollary's atom set). */
  public static SplineLasso atDataPoints(double[] x, double[] y, double beta) {
    return new SplineLasso(x, y, beta, Arrays.stream(x).sorted().distinct().toArray());
  }

  /** The program with the given kinks (anywhere; duplicates are allowed). */
  public static SplineLasso withKinks(double[] x, double[] y, double beta, double[] kinks) {
    return new SplineLasso(x, y, beta, kinks);
  }

  /** The same data and kinks at another beta. */
  public SplineLasso withBeta(double newBeta) {
    return new SplineLasso(x, y, newBeta, kinks);
  }

  /**
   * The smallest beta at which w = 0 (the constant fit mean(y)) is optimal:
   * max_j |a_j^T (y - mean(y))| over the centred atoms.
   */
  public double betaMax() {
    double[] corr = new double[atomCount()];
    Blas.gemm(true, false, atomCount(), 1, n(), 1.0, centredAtoms.data(), 0, n(), centredY, 0,
        n(), 0.0, corr, 0, atomCount());
    return Arrays.stream(corr).map(Math::abs).max().orElse(0.0);
  }

  /** Number of data points. */
  public int n() {
    return x.length;
  }

  /** Number of atoms: two per kink, the right ramps (x - s_k)_+ first. */
  public int atomCount() {
    return 2 * kinks.length;
  }

  /** The regularisation weight. */
  public double beta() {
    return beta;
  }

  /** A copy of the inputs. */
  public double[] x() {
    return x.clone();
  }

  /** A copy of the labels. */
  public double[] y() {
    return y.clone();
  }

  /** A copy of the kink positions s_k. */
  public double[] kinks() {
    return kinks.clone();
  }

  /** The kink of atom j. */
  public double kink(int j) {
    return kinks[j % kinks.length];
  }

  /** +1 for a right ramp (x - s)_+, -1 for a left ramp (s - x)_+. */
  public int orientation(int j) {
    return j < kinks.length ? 1 : -1;
  }

  /** The centred atom matrix A - 1 mean(A) (n x atoms; a copy). */
  public DenseMatrix centredAtoms() {
    return centredAtoms.copy();
  }

  /** The centred labels y - mean(y) (a copy). */
  public double[] centredY() {
    return centredY.clone();
  }

  /** The free intercept that goes with atom weights w: c = mean(y) - mean(A) w. */
  public double intercept(double[] w) {
    return yMean - Blas.dot(w.length, atomMeans, w);
  }

  /** The centred residual y_c - A_c w. */
  public double[] residual(double[] w) {
    double[] r = centredY.clone();
    Blas.gemm(false, false, n(), 1, atomCount(), -1.0, centredAtoms.data(), 0, n(), w, 0,
        atomCount(), 1.0, r, 0, n());
    return r;
  }

  /** The primal objective 1/2 ||y_c - A_c w||^2 + beta ||w||_1 (the intercept optimal). */
  public double objective(double[] w) {
    double[] r = residual(w);
    double l1 = 0.0;
    for (double v : w) {
      l1 += Math.abs(v);
    }
    return 0.5 * Blas.dot(r.length, r, r) + beta * l1;
  }

  /**
   * The Lasso dual value at the residual r scaled into the dual set
   * {theta : ||A_c^T theta||_inf &lt;= beta} (theta sums to zero, as the free intercept needs):
   * 1/2 ||y_c||^2 - 1/2 ||y_c - theta||^2, a lower bound on the optimum.
   */
  public double dualBound(double[] r) {
    double[] corr = new double[atomCount()];
    Blas.gemm(true, false, atomCount(), 1, n(), 1.0, centredAtoms.data(), 0, n(), r, 0, n(),
        0.0, corr, 0, atomCount());
    double worst = Arrays.stream(corr).map(Math::abs).max().orElse(0.0);
    double scale = worst > beta ? beta / worst : 1.0;
    double yy = 0.0;
    double dd = 0.0;
    for (int i = 0; i < r.length; i++) {
      double t = scale * r[i];
      yy += centredY[i] * centredY[i];
      dd += (centredY[i] - t) * (centredY[i] - t);
    }
    return 0.5 * yy - 0.5 * dd;
  }
}
