package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The duality-gap certificate of {@link MultiOutputProblem}. Its Lagrange dual (the gated form
 * of the vector-output duals of Sahiner et al. 2021) is
 *
 * <pre>
 *   max_Lambda  -L*(-Lambda)   s.t.  ||(D_i X)^T Lambda||_F &lt;= beta  for every i,
 * </pre>
 *
 * Lambda in R^{n x c}. The dual point is the negative loss gradient Lambda = -grad L(F) at the
 * weights, scaled by s &lt;= min(beta / max_i ||(D_i X)^T Lambda||_F, the conjugate's domain
 * limit) with s chosen to maximise the concave dual objective along the ray (bisection on its
 * slope, {@link MultiOutputLoss#dualSlope}). By weak duality
 * the dual value bounds the optimum from below, so the relative gap bounds the suboptimality.
 *
 * @param objective convex objective at the weights
 * @param lowerBound dual objective at the scaled dual point
 * @param relativeGap (objective - lowerBound) / max(|objective|, tiny)
 * @param dualScale the scale s
 */
public record MultiOutputCertificate(double objective, double lowerBound, double relativeGap,
    double dualScale) {

  /** Certificate at weights W with predictions F = predict(W); one adjoint pass. */
  public static MultiOutputCertificate compute(MultiOutputProblem problem, DenseMatrix w,
      DenseMatrix f) {
    MultiOutputLoss loss = problem.loss();
    DenseMatrix g = new DenseMatrix(f.rows(), f.cols());
    double lossValue = loss.valueAndGradient(f, problem.y(), g);
    double objective = lossValue + problem.regularizer(w);
    double dualNorm = problem.maxBlockNorm(problem.adjoint(g));
    DenseMatrix lambda = new DenseMatrix(g.rows(), g.cols());
    for (int k = 0; k < g.data().length; k++) {
      lambda.data()[k] = -g.data()[k];
    }
    return fromDualNorm(problem, objective, lambda, dualNorm);
  }

  /** Certificate from the dual direction Lambda whose largest block norm is {@code dualNorm}. */
  static MultiOutputCertificate fromDualNorm(MultiOutputProblem problem, double objective,
      DenseMatrix lambda, double dualNorm) {
    if (!Double.isFinite(dualNorm) || !Double.isFinite(objective)) {
      return new MultiOutputCertificate(objective, Double.NaN, Double.NaN, Double.NaN);
    }
    MultiOutputLoss loss = problem.loss();
    DenseMatrix y = problem.y();
    double sMax = dualNorm > 0.0 ? problem.beta() / dualNorm : Double.POSITIVE_INFINITY;
    sMax = Math.min(sMax, loss.maxDualScale(lambda, y));
    if (!Double.isFinite(sMax)) {
      // No constraint binds (Lambda's dual norm is zero): bracket the maximiser by doubling.
      sMax = 1.0;
      for (int k = 0; k < 200 && loss.dualSlope(lambda, y, sMax) > 0.0; k++) {
        sMax *= 2.0;
      }
    }
    double s = bestScale(loss, lambda, y, sMax);
    double lower = dualAt(loss, lambda, y, s);
    double rel = (objective - lower) / Math.max(Math.abs(objective), Double.MIN_NORMAL);
    return new MultiOutputCertificate(objective, lower, rel, s);
  }

  /**
   * argmax over [0, sMax] of the concave -L*(-s Lambda): the end point when the slope there is
   * still non-negative, else the root of the falling slope by bisection.
   */
  private static double bestScale(MultiOutputLoss loss, DenseMatrix lambda, DenseMatrix y,
      double sMax) {
    if (!(loss.dualSlope(lambda, y, sMax) < 0.0)) {
      return sMax;
    }
    double lo = 0.0;
    double hi = sMax;
    for (int it = 0; it < 60 && hi - lo > 1e-14 * sMax; it++) {
      double mid = 0.5 * (lo + hi);
      if (loss.dualSlope(lambda, y, mid) > 0.0) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    // The interval ends are in the domain; take the better one.
    return dualAt(loss, lambda, y, lo) >= dualAt(loss, lambda, y, hi) ? lo : hi;
  }

  private static double dualAt(MultiOutputLoss loss, DenseMatrix lambda, DenseMatrix y,
      double s) {
    DenseMatrix t = new DenseMatrix(lambda.rows(), lambda.cols());
    for (int k = 0; k < t.data().length; k++) {
      t.data()[k] = s * lambda.data()[k];
    }
    return loss.dualObjective(t, y);
  }
}
