package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.ipm.CertifiedPath;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What the cone-constrained CNN programs ({@link PooledReluCnn}, {@link SeparableReluCnn})
 * share around the squared loss: the residual lambda = y - prediction as the dual direction,
 * its scaling into the dual-feasible set (Pilanci and Ergen 2020, eq. (8); the pair
 * (lambda, mu) is scaled together, the constraints being positively homogeneous), and the run
 * of the project's interior-point method with every iterate certified.
 */
final class ConeProgramCertificates {
  private ConeProgramCertificates() {}

  /**
   * The residual y - prediction with its two sufficient statistics.
   *
   * @param lambda y - prediction
   * @param dotY lambda^T y
   * @param squaredNorm ||lambda||^2
   */
  record Residual(double[] lambda, double dotY, double squaredNorm) {
    static Residual of(double[] y, double[] prediction) {
      double[] lambda = new double[y.length];
      double ly = 0.0;
      double ll = 0.0;
      for (int r = 0; r < y.length; r++) {
        lambda[r] = y[r] - prediction[r];
        ly += lambda[r] * y[r];
        ll += lambda[r] * lambda[r];
      }
      return new Residual(lambda, ly, ll);
    }

    /**
     * The certificate once the largest dual-constraint norm of (lambda, mu) is known: the
     * primal objective is 1/2 ||lambda||^2 + {@code regularizer}, the dual point is scaled by
     * the best s &lt;= beta / {@code dualNorm} (closed form for the squared loss).
     */
    Certificate certificate(double regularizer, double beta, double dualNorm,
        double violation) {
      double objective = 0.5 * squaredNorm + regularizer;
      if (!Double.isFinite(dualNorm) || !Double.isFinite(objective)) {
        return Certificate.atScale(objective, Double.NaN, Double.NaN, violation);
      }
      double s = Certificate.squaredLossScale(dotY, squaredNorm,
          dualNorm > 0.0 ? beta / dualNorm : Double.POSITIVE_INFINITY);
      return Certificate.atScale(objective, s, s * dotY - 0.5 * s * s * squaredNorm, violation);
    }
  }

  /** max |y|, the scale of the feasibility tolerance. */
  static double largestLabel(double[] y) {
    double m = 0.0;
    for (double v : y) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /**
   * Follows the central path, certifying every iterate with the rows' multipliers, and returns
   * the best certified point with its inactive blocks pruned; nothing when no iterate was within
   * the feasibility tolerance.
   */
  static Optional<SolverResult> follow(PathFollowing path, Supplier<DenseMatrix> multipliers,
      BiFunction<DenseMatrix, DenseMatrix, Certificate> certify, double largestLabel,
      SolverOptions options, IterationListener listener, long start) {
    double feasTol = options.feasibilityTolerance() * Math.max(1.0, largestLabel);
    CertifiedPath<DenseMatrix> run = new CertifiedPath<>(new CertifiedPath.Rows<>() {
      @Override
      public DenseMatrix multipliers() {
        return multipliers.get();
      }

      @Override
      public Certificate certify(DenseMatrix b, DenseMatrix mu) {
        return certify.apply(b, mu);
      }
    }, options, feasTol, start);
    run.follow(path, listener);
    if (run.best() == null) {
      return Optional.empty();
    }
    CertifiedPath.Point<DenseMatrix> out = run.pruneInactiveBlocks();
    return Optional.of(run.result(out, out.multipliers()));
  }
}
