package io.cvxrelu.theory;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;

/**
 * Fitting one ReLU neuron, x -&gt; (x^T w)_+, by gradient descent on its squared loss
 * L(w) = ||(X w)_+ - y||^2 or on the relaxed loss of the survey seed, section 2.2,
 *
 * <pre>
 *   L_r(w) = ||(X w)_+||^2 - 2 y^T X w + ||y||^2,
 * </pre>
 *
 * which is convex (a sum of squared ReLUs plus a linear term) and, for y &gt;= 0, equals
 * L(w) + 2 sum_i y_i (-x_i^T w)_+ (expand L and use (t)_+ - t = (-t)_+). So L_r &gt;= L &gt;= 0,
 * and for realisable labels y = (X w*)_+ it vanishes at w* (y_i &gt; 0 only where x_i^T w* &gt; 0):
 * w* minimises the convex L_r, and gradient descent on L_r recovers it from any start, while
 * descent on the non-convex L can stall (a start whose neuron is dead on every row has zero
 * gradient). The gradients are 2 X^T ((X w)_+ - y) for L_r and 2 X^T (1[X w &gt; 0] .* ((X w)_+
 * - y)) for L; many starts descend together as the columns of one d x S matrix, one GEMM per
 * product. The step is 1 / (2 ||X||_2^2), the inverse Lipschitz constant of grad L_r.
 */
public final class RelaxedNeuron {
  private RelaxedNeuron() {}

  /** Which loss gradient descent runs on. */
  public enum Objective {
    /** L(w) = ||(X w)_+ - y||^2. */
    SQUARED,
    /** L_r(w) = ||(X w)_+||^2 - 2 y^T X w + ||y||^2. */
    RELAXED;

    /** Name in files. */
    public String id() {
      return this == SQUARED ? "L" : "L_r";
    }
  }

  /**
   * Refuses labels with a negative entry: L_r relaxes L only for y &gt;= 0.
   *
   * @throws IllegalArgumentException naming the first negative label
   */
  public static void requireNonNegative(double[] y) {
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0.0 || Double.isNaN(y[i])) {
        throw new IllegalArgumentException("the relaxed loss needs labels y >= 0, but label "
            + (i + 1) + " is " + y[i]);
      }
    }
  }

  /** The value of {@code objective} at each column of {@code w} (d x S). */
  public static double[] values(Objective objective, DenseMatrix x, double[] y, DenseMatrix w) {
    DenseMatrix z = product(x, w);
    int n = x.rows();
    double yy = Blas.dot(n, y, y);
    double[] out = new double[w.cols()];
    for (int s = 0; s < w.cols(); s++) {
      double v = 0.0;
      int off = s * n;
      for (int i = 0; i < n; i++) {
        double zi = z.data()[off + i];
        double p = Math.max(zi, 0.0);
        v += objective == Objective.SQUARED ? (p - y[i]) * (p - y[i]) : p * p - 2.0 * y[i] * zi;
      }
      out[s] = objective == Objective.SQUARED ? v : v + yy;
    }
    return out;
  }

  /** The gradient of {@code objective} at each column of {@code w}, as a d x S matrix. */
  public static DenseMatrix gradients(Objective objective, DenseMatrix x, double[] y,
      DenseMatrix w) {
    DenseMatrix r = product(x, w);
    int n = x.rows();
    double[] rd = r.data();
    for (int k = 0; k < rd.length; k++) {
      double z = rd[k];
      double p = Math.max(z, 0.0);
      rd[k] = objective == Objective.RELAXED || z > 0.0 ? 2.0 * (p - y[k % n]) : 0.0;
    }
    DenseMatrix g = new DenseMatrix(x.cols(), w.cols());
    Blas.gemm(true, false, 1.0, x, r, 0.0, g);
    return g;
  }

  /** 1 / (2 ||X||_2^2): the step of {@link #descend}. */
  public static double step(DenseMatrix x) {
    double s = ThinSvd.of(x).s()[0];
    return 1.0 / (2.0 * s * s);
  }

  /** Observes the iterates of {@link #descend}: iteration number and the d x S weights. */
  public interface Observer {
    void observe(int iteration, DenseMatrix w);
  }

  /**
   * Runs {@code iterations} steps of gradient descent with step {@link #step} from the columns
   * of {@code starts} (not modified), calling {@code observer} at iteration 0, every
   * {@code every} iterations and at the last; returns the final weights.
   */
  public static DenseMatrix descend(Objective objective, DenseMatrix x, double[] y,
      DenseMatrix starts, int iterations, int every, Observer observer) {
    if (objective == Objective.RELAXED) {
      requireNonNegative(y);
    }
    double eta = step(x);
    DenseMatrix w = starts.copy();
    observer.observe(0, w);
    for (int it = 1; it <= iterations; it++) {
      DenseMatrix g = gradients(objective, x, y, w);
      double[] wd = w.data();
      double[] gd = g.data();
      for (int k = 0; k < wd.length; k++) {
        wd[k] -= eta * gd[k];
      }
      if (it % every == 0 || it == iterations) {
        observer.observe(it, w);
      }
    }
    return w;
  }

  /** X W (n x S), one GEMM. */
  static DenseMatrix product(DenseMatrix x, DenseMatrix w) {
    DenseMatrix z = new DenseMatrix(x.rows(), w.cols());
    Blas.gemm(false, false, 1.0, x, w, 0.0, z);
    return z;
  }

  /** ||w_s - w*|| for each column s of {@code w} (NaN when w* is null, i.e. unknown). */
  public static double[] distances(DenseMatrix w, double[] wStar) {
    int d = w.rows();
    double[] out = new double[w.cols()];
    if (wStar == null) {
      java.util.Arrays.fill(out, Double.NaN);
      return out;
    }
    for (int s = 0; s < w.cols(); s++) {
      double v = 0.0;
      for (int k = 0; k < d; k++) {
        double e = w.get(k, s) - wStar[k];
        v += e * e;
      }
      out[s] = Math.sqrt(v);
    }
    return out;
  }
}
