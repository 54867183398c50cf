package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;

/**
 * The convex program min_x 1/2 ||A x - y||^2 + beta R(x) for a norm R, the shape both linear
 * CNN programs take (Pilanci and Ergen 2020, section 5): rows of A are vec(M_i) and R the
 * nuclear norm (case 2), or rows of A are the real DFT of the examples and R the complex l1
 * norm (case 3). An immutable value; {@link ProximalGradientSolver} solves it.
 *
 * <p>Its Fenchel dual is max_lambda lambda^T y - 1/2 ||lambda||^2 s.t. R*(A^T lambda) &lt;= beta.
 * At any x the residual lambda = y - A x, scaled by s &lt;= beta / R*(A^T lambda), is dual
 * feasible; {@link #certificate} picks the best such s, so the gap bounds the suboptimality.
 *
 * @param a n x p design
 * @param y n targets
 * @param beta regularisation weight, positive
 * @param norm the regulariser R on R^p
 */
public record NormRegularizedLeastSquares(DenseMatrix a, double[] y, double beta,
    ConvexNorm norm) {

  /** Checks the shapes and beta. */
  public NormRegularizedLeastSquares {
    if (y.length != a.rows()) {
      throw new IllegalArgumentException(a.rows() + " rows but " + y.length + " targets");
    }
    if (norm.dimension() != a.cols()) {
      throw new IllegalArgumentException("the norm measures " + norm.dimension()
          + " coordinates but A has " + a.cols() + " columns");
    }
    if (!(beta > 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be positive and finite, got " + beta);
    }
  }

  /** The smallest beta at which x = 0 is optimal: R*(A^T y). */
  public static double betaMax(DenseMatrix a, double[] y, ConvexNorm norm) {
    return norm.dual(adjoint(a, y));
  }

  /** A x. */
  public double[] predict(double[] x) {
    double[] out = new double[a.rows()];
    Blas.gemm(false, false, a.rows(), 1, a.cols(), 1.0, a.data(), 0, a.rows(), x, 0, x.length,
        0.0, out, 0, a.rows());
    return out;
  }

  /** A^T v for an n-vector v. */
  static double[] adjoint(DenseMatrix a, double[] v) {
    double[] out = new double[a.cols()];
    Blas.gemm(true, false, a.cols(), 1, a.rows(), 1.0, a.data(), 0, a.rows(), v, 0, v.length,
        0.0, out, 0, a.cols());
    return out;
  }

  /** 1/2 ||A x - y||^2 + beta R(x). */
  public double objective(double[] x) {
    double[] pred = predict(x);
    double sum = 0.0;
    for (int i = 0; i < pred.length; i++) {
      double r = pred[i] - y[i];
      sum += r * r;
    }
    return 0.5 * sum + beta * norm.value(x);
  }

  /**
   * The duality-gap certificate at x: the dual point is the scaled residual (no constraints,
   * so the violation is 0).
   */
  public Certificate certificate(double[] x) {
    ConeProgramCertificates.Residual res = ConeProgramCertificates.Residual.of(y, predict(x));
    return res.certificate(beta * norm.value(x), beta, norm.dual(adjoint(a, res.lambda())), 0.0);
  }
}
