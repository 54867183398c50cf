package io.cvxrelu.deep;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import java.util.Locale;

/**
 * Deep linear networks F(X) = X W_1 ... W_L: their closed-form optimum and the convex dual that
 * certifies it (Ergen and Pilanci, ICML 2021, section 3 and its deep linear slides; the
 * survey's section 2.1).
 *
 * <p><b>Weight decay.</b> For an end-to-end map M, min {beta/2 sum_l ||W_l||_F^2 : prod_l W_l
 * = M} = (L beta / 2) sum_i sigma_i(M)^{2/L} (balanced factors through the SVD of M), so the
 * training problem is min_M 1/2 ||X M - Y||^2 + (L beta/2) sum_i sigma_i(M)^{2/L}. When X is a
 * partial isometry (its non-zero singular values are 1: whitened rows, X X^T = I, or
 * orthonormal columns) B = X M ranges over the matrices in range(X) and M = X^T B has the
 * singular values of B, so with B_0 = X X^T Y = P_X Y (= Y X^+ X in the survey's transposed
 * notation) von Neumann's trace inequality reduces the problem to one scalar problem per
 * singular value:
 *
 * <pre>
 *   J* = sum_i phi_L(sigma_i(P_X Y); beta) + 1/2 ||Y - P_X Y||_F^2,
 *   M* = X^T U diag(rho_i) V^T  (P_X Y = U diag(sigma) V^T, rho_i = argmin phi_L(sigma_i)),
 * </pre>
 *
 * <p>the soft-thresholded truncated SVD for L = 2 (rho_i = (sigma_i - beta)_+) and a harder
 * threshold for L &gt;= 3 ({@link PathShrinkage}). The rho_i are non-decreasing in sigma_i, so
 * the order of singular values is kept.
 *
 * <p><b>Dual certificate.</b> The seed's formulation fixes ||W_l||_F &lt;= t for the first
 * L - 2 layers and penalises the last, which leaves the convex program
 * min_M 1/2 ||X M - Y||^2 + lambda ||M||_* with lambda = beta t^{2-L} (the weight-decay problem
 * itself for L = 2). Its dual is max &lt;Lambda, Y&gt; - 1/2 ||Lambda||^2 subject to
 * ||X^T Lambda||_2 &lt;= lambda, whose optimum for a scalar output is the projection
 * P_{X,lambda}(y) of y onto {u : ||X^T u|| &lt;= lambda}. Strong duality holds, so the gap is
 * zero at the optimum: {@link #nuclear} returns the soft-thresholded SVD with a scaled residual
 * as dual point (zero gap for a partial isometry, a measured positive gap for other X, where
 * the thresholded SVD is not optimal), {@link #scalarProjection} the exact optimum for a scalar
 * output and any X, through the projection.
 */
public final class DeepLinearClosedForm {
  /** Largest | sigma_i(X) - 1 | over the non-zero singular values of a partial isometry. */
  public static final double ISOMETRY_TOLERANCE = 1e-8;

  private DeepLinearClosedForm() {}

  /** The weight-decay optimum of the depth-L linear network; X must be a partial isometry. */
  public static ClosedForm weightDecay(DenseMatrix x, DenseMatrix y, double beta, int depth) {
    requireRows(x, y);
    ThinSvd xs = ThinSvd.of(x);
    int rank = xs.rank(1e-10);
    for (int i = 0; i < rank; i++) {
      if (!(Math.abs(xs.s()[i] - 1.0) <= ISOMETRY_TOLERANCE)) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "the deep linear closed "
            + "form needs whitened data (non-zero singular values of X equal to 1); sigma_%d = "
            + "%.6g", i + 1, xs.s()[i]));
      }
    }
    DenseMatrix projected = project(x, y);
    ThinSvd svd = ThinSvd.of(projected);
    double[] sigma = svd.s();
    double[] rho = new double[sigma.length];
    double value = 0.5 * squaredDistance(y, projected);
    for (int i = 0; i < sigma.length; i++) {
      rho[i] = PathShrinkage.rho(sigma[i], beta, depth);
      value += PathShrinkage.value(sigma[i], beta, depth);
    }
    DenseMatrix q = new DenseMatrix(x.cols(), sigma.length);
    Blas.gemm(true, false, 1.0, x, svd.u(), 0.0, q);
    DeepNetwork net = Paths.network(q, svd.v().transpose(), rho, depth,
        DeepNetwork.Activation.LINEAR);
    return new ClosedForm(value, net, rho);
  }

  /**
   * The soft-thresholded SVD for min_M 1/2 ||X M - Y||^2 + lambda ||M||_*: M = X^+ U diag((sigma
   * - lambda)_+) V^T from the SVD of P_X Y, with the dual point Lambda = Y - X M scaled into
   * {||X^T Lambda||_2 &lt;= lambda}. Optimal (zero gap) when X is a partial isometry.
   */
  public static LinearCertificate nuclear(DenseMatrix x, DenseMatrix y, double lambda) {
    requireRows(x, y);
    if (!(lambda > 0.0) || !Double.isFinite(lambda)) {
      throw new IllegalArgumentException("lambda must be positive and finite, got " + lambda);
    }
    ThinSvd svd = ThinSvd.of(project(x, y));
    DenseMatrix b = new DenseMatrix(y.rows(), y.cols());
    for (int i = 0; i < svd.s().length; i++) {
      double shrunk = Math.max(svd.s()[i] - lambda, 0.0);
      for (int c = 0; c < y.cols(); c++) {
        double vc = shrunk * svd.v().get(c, i);
        for (int r = 0; r < y.rows(); r++) {
          b.set(r, c, b.get(r, c) + svd.u().get(r, i) * vc);
        }
      }
    }
    DenseMatrix m = pseudoInverse(x, b);
    return certify(x, y, m, lambda);
  }

  /** The seed's t-constrained program of depth L: {@link #nuclear} at lambda = beta t^{2-L}. */
  public static LinearCertificate constrained(DenseMatrix x, DenseMatrix y, double beta,
      double t, int depth) {
    if (depth < 2 || !(t > 0.0)) {
      throw new IllegalArgumentException("need L >= 2 and t > 0, got L = " + depth + ", t = "
          + t);
    }
    return nuclear(x, y, beta * Math.pow(t, 2.0 - depth));
  }

  /**
   * The exact optimum for a scalar output and any X: the dual optimum is u = P_{X,lambda}(y) =
   * (I + mu X X^T)^{-1} y with mu &gt;= 0 the root of ||X^T u(mu)|| = lambda (decreasing in mu,
   * found by bisection), and the primal m = mu X^T u (stationarity: X^T (y - X m) = lambda
   * m / ||m||).
   */
  public static LinearCertificate scalarProjection(DenseMatrix x, double[] y, double lambda) {
    DenseMatrix yc = DeepNetwork.column(y);
    requireRows(x, yc);
    ThinSvd svd = ThinSvd.of(x);
    int k = svd.s().length;
    double[] a = new double[k];
    for (int i = 0; i < k; i++) {
      a[i] = Blas.dot(y.length, svd.u().column(i), y);
    }
    double mu = 0.0;
    if (dualNorm(svd.s(), a, 0.0) > lambda) {
      double hi = 1.0;
      while (dualNorm(svd.s(), a, hi) > lambda) {
        hi *= 2.0;
      }
      double lo = 0.0;
      for (int it = 0; it < 2000 && hi > Math.nextUp(lo); it++) {
        double mid = 0.5 * (lo + hi);
        if (dualNorm(svd.s(), a, mid) > lambda) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      mu = hi;
    }
    DenseMatrix m = new DenseMatrix(x.cols(), 1);
    for (int i = 0; i < k; i++) {
      double s = svd.s()[i];
      double coef = mu * s * a[i] / (1.0 + mu * s * s);
      for (int j = 0; j < x.cols(); j++) {
        m.set(j, 0, m.get(j, 0) + coef * svd.v().get(j, i));
      }
    }
    return certify(x, yc, m, lambda);
  }

  /** ||X^T u(mu)|| = || s_i a_i / (1 + mu s_i^2) ||. */
  private static double dualNorm(double[] s, double[] a, double mu) {
    double sum = 0.0;
    for (int i = 0; i < s.length; i++) {
      double v = s[i] * a[i] / (1.0 + mu * s[i] * s[i]);
      sum += v * v;
    }
    return Math.sqrt(sum);
  }

  /** The primal value at M and the dual value at the scaled residual. */
  static LinearCertificate certify(DenseMatrix x, DenseMatrix y, DenseMatrix m, double lambda) {
    DenseMatrix residual = y.copy();
    Blas.gemm(false, false, -1.0, x, m, 1.0, residual);
    double nuclearNorm = 0.0;
    for (double s : ThinSvd.of(m).s()) {
      nuclearNorm += s;
    }
    double primal = 0.5 * squaredDistance(residual, new DenseMatrix(y.rows(), y.cols()))
        + lambda * nuclearNorm;
    DenseMatrix xtr = new DenseMatrix(x.cols(), y.cols());
    Blas.gemm(true, false, 1.0, x, residual, 0.0, xtr);
    double[] spectral = ThinSvd.of(xtr).s();
    double norm = spectral.length == 0 ? 0.0 : spectral[0];
    double scale = norm > lambda ? lambda / norm : 1.0;
    DenseMatrix lam = residual.copy();
    Blas.scal(lam.data().length, scale, lam.data());
    double dual = Blas.dot(lam.data().length, lam.data(), y.data())
        - 0.5 * Blas.dot(lam.data().length, lam.data(), lam.data());
    return new LinearCertificate(m, primal, dual, lam);
  }

  /** P_X Y = U_X U_X^T Y over the non-zero singular directions of X. */
  static DenseMatrix project(DenseMatrix x, DenseMatrix y) {
    ThinSvd xs = ThinSvd.of(x);
    DenseMatrix u = xs.u().columns(0, xs.rank(1e-10));
    DenseMatrix uty = new DenseMatrix(u.cols(), y.cols());
    Blas.gemm(true, false, 1.0, u, y, 0.0, uty);
    DenseMatrix p = new DenseMatrix(y.rows(), y.cols());
    Blas.gemm(false, false, 1.0, u, uty, 0.0, p);
    return p;
  }

  /** X^+ B = V_X S^{-1} U_X^T B. */
  private static DenseMatrix pseudoInverse(DenseMatrix x, DenseMatrix b) {
    ThinSvd xs = ThinSvd.of(x);
    int r = xs.rank(1e-10);
    DenseMatrix utb = new DenseMatrix(r, b.cols());
    Blas.gemm(true, false, 1.0, xs.u().columns(0, r), b, 0.0, utb);
    for (int i = 0; i < r; i++) {
      for (int c = 0; c < b.cols(); c++) {
        utb.set(i, c, utb.get(i, c) / xs.s()[i]);
      }
    }
    DenseMatrix m = new DenseMatrix(x.cols(), b.cols());
    Blas.gemm(false, false, 1.0, xs.v().columns(0, r), utb, 0.0, m);
    return m;
  }

  private static double squaredDistance(DenseMatrix a, DenseMatrix b) {
    double s = 0.0;
    for (int k = 0; k < a.data().length; k++) {
      double v = a.data()[k] - b.data()[k];
      s += v * v;
    }
    return s;
  }

  private static void requireRows(DenseMatrix x, DenseMatrix y) {
    if (x.rows() != y.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + y.rows() + " labels");
    }
  }
}
