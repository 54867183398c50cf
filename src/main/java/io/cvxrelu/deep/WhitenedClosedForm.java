package io.cvxrelu.deep;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;

/**
 * The global optimum of the L-layer ReLU training problem of {@link DeepNetwork} on whitened
 * data, X X^T = I_n (so n &lt;= d), for a scalar output and for one-hot (more generally:
 * non-negative, row-disjoint) vector outputs (Ergen and Pilanci, ICML 2021, section 4,
 * "Vector-output ReLU networks" and the whitened-data theorem).
 *
 * <p><b>Value.</b> Split the targets into paths: for a scalar y, t_+ = (y)_+ with output +1 and
 * t_- = (-y)_+ with output -1; for one-hot Y, t_k = the k-th column with output e_k. Then
 *
 * <pre>
 *   J* = sum_k phi_L(||t_k||; beta),
 * </pre>
 *
 * <p>with phi_L of {@link PathShrinkage} (for L = 2 the Huber function: ||t||^2/2 when
 * ||t|| &lt;= beta, beta ||t|| - beta^2/2 otherwise).
 *
 * <p><b>Weights.</b> Path k has the first-layer direction X^T t_k / ||t_k|| and output norm
 * rho_k = argmin phi_L(||t_k||); since X X^T = I its first-layer pre-activation is
 * t_k / ||t_k|| &gt;= 0, which every ReLU passes, so F = sum_k rho_k t_k/||t_k|| o_k^T and the
 * weight decay is sum_k (L beta / 2) rho_k^{2/L}: the network attains J*.
 *
 * <p><b>Why nothing does better</b> (the parallel architecture of the seed, sub-networks j
 * each ending in one ReLU unit s_j &gt;= 0 with output weights w_j): ||X||_2 = 1 and the ReLU
 * is 1-Lipschitz and positively homogeneous, so ||s_j|| &lt;= prod_l ||W_{l,j}||_F and by
 * AM-GM the weight decay of sub-network j is at least (L beta / 2) c_j^{2/L},
 * c_j = ||s_j|| ||w_j||. For a scalar output f_+ &lt;= sum_{w_j &gt; 0} c_j s_j/||s_j||
 * entrywise, hence ||f_+|| &lt;= sum c_j and, 2/L &lt;= 1 making t^{2/L} subadditive,
 * sum_{w_j &gt; 0} c_j^{2/L} &gt;= ||f_+||^{2/L}; likewise for f_-. For fixed ||f_+|| and
 * ||f_-|| the loss is smallest when f_+ is aligned with y_+ and f_- with y_- (their supports
 * are disjoint), which separates the problem into the two scalar problems phi_L. For L = 2
 * (where every network is a parallel one) the one-hot case has the dual certificate
 * Lambda = Y - F: for s &gt;= 0 of unit norm, ||Lambda^T s||^2 = sum_k min(1, beta/||t_k||)^2
 * (t_k^T s)^2 &lt;= beta^2. For fully connected networks of width &gt;= 2 (where layers may
 * share units) the value is attained as above; that no such network does better is what the
 * tests and the experiment check by multi-start training.
 */
public final class WhitenedClosedForm {
  /** Largest ||X X^T - I||_F accepted as whitened. */
  public static final double WHITENING_TOLERANCE = 1e-8;

  private WhitenedClosedForm() {}

  /** ||X X^T - I_n||_F. */
  public static double whiteningError(DenseMatrix x) {
    int n = x.rows();
    DenseMatrix g = new DenseMatrix(n, n);
    Blas.gemm(false, true, 1.0, x, x, 0.0, g);
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double v = g.get(i, j) - (i == j ? 1.0 : 0.0);
        s += v * v;
      }
    }
    return Math.sqrt(s);
  }

  /**
   * The whitening map T = (X^T X)^{+1/2} = V S^{-1} V^T (d x d), for which X T =
   * (X X^T)^{-1/2} X has orthonormal rows; it applies to test rows as a feature map. Needs X of
   * full row rank.
   */
  public static DenseMatrix whiteningMap(DenseMatrix x) {
    ThinSvd svd = ThinSvd.of(x);
    int n = x.rows();
    if (n > x.cols() || svd.rank(1e-10) < n) {
      throw new IllegalArgumentException("whitening X <- (X X^T)^{-1/2} X needs n <= d and X of "
          + "full row rank; got n = " + n + ", d = " + x.cols() + ", rank " + svd.rank(1e-10));
    }
    DenseMatrix scaled = svd.v().copy();
    for (int k = 0; k < n; k++) {
      double inv = 1.0 / svd.s()[k];
      for (int i = 0; i < scaled.rows(); i++) {
        scaled.set(i, k, scaled.get(i, k) * inv);
      }
    }
    DenseMatrix t = new DenseMatrix(x.cols(), x.cols());
    Blas.gemm(false, true, 1.0, scaled, svd.v(), 0.0, t);
    return t;
  }

  /** The optimum for a scalar output y (n labels). */
  public static ClosedForm scalar(DenseMatrix x, double[] y, double beta, int depth) {
    requireWhitened(x, y.length);
    DenseMatrix targets = new DenseMatrix(y.length, 2);
    for (int i = 0; i < y.length; i++) {
      targets.set(i, 0, Math.max(y[i], 0.0));
      targets.set(i, 1, Math.max(-y[i], 0.0));
    }
    DenseMatrix out = new DenseMatrix(2, 1);
    out.set(0, 0, 1.0);
    out.set(1, 0, -1.0);
    return solve(x, targets, out, beta, depth);
  }

  /**
   * The optimum for vector outputs Y (n x K) whose entries are &gt;= 0 with at most one
   * non-zero per row, one-hot labels being the case of interest.
   */
  public static ClosedForm oneHot(DenseMatrix x, DenseMatrix y, double beta, int depth) {
    requireWhitened(x, y.rows());
    for (int i = 0; i < y.rows(); i++) {
      int nonZero = 0;
      for (int k = 0; k < y.cols(); k++) {
        double v = y.get(i, k);
        if (v < 0.0 || !Double.isFinite(v)) {
          throw new IllegalArgumentException("the one-hot closed form needs targets >= 0; row "
              + i + " has " + v);
        }
        nonZero += v > 0.0 ? 1 : 0;
      }
      if (nonZero > 1) {
        throw new IllegalArgumentException("the one-hot closed form needs at most one non-zero "
            + "target per row; row " + i + " has " + nonZero);
      }
    }
    DenseMatrix out = new DenseMatrix(y.cols(), y.cols());
    for (int k = 0; k < y.cols(); k++) {
      out.set(k, k, 1.0);
    }
    return solve(x, y, out, beta, depth);
  }

  /** Paths t_k (columns of {@code targets}, each &gt;= 0) with output rows of {@code out}. */
  private static ClosedForm solve(DenseMatrix x, DenseMatrix targets, DenseMatrix out,
      double beta, int depth) {
    int p = targets.cols();
    DenseMatrix unit = targets.copy();
    double[] rho = new double[p];
    double value = 0.0;
    for (int k = 0; k < p; k++) {
      double r = targets.columnNorm(k);
      value += PathShrinkage.value(r, beta, depth);
      rho[k] = PathShrinkage.rho(r, beta, depth);
      for (int i = 0; i < unit.rows(); i++) {
        unit.set(i, k, r > 0.0 ? unit.get(i, k) / r : 0.0);
      }
    }
    DenseMatrix q = new DenseMatrix(x.cols(), p);
    Blas.gemm(true, false, 1.0, x, unit, 0.0, q);
    return new ClosedForm(value, Paths.network(q, out, rho, depth, DeepNetwork.Activation.RELU),
        rho);
  }

  private static void requireWhitened(DenseMatrix x, int labels) {
    if (labels != x.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + labels + " labels");
    }
    double err = whiteningError(x);
    if (!(err <= WHITENING_TOLERANCE)) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "data are not whitened: ||X X^T - I||_F = %.3e > %.0e (whiten with X <- "
          + "(X X^T)^{-1/2} X, which needs n <= d)", err, WHITENING_TOLERANCE));
    }
  }
}
