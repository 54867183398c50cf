package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The duality-gap certificate of {@link MultiOutputProblem}. Its dual (Sahiner et al. 2021,
 * eq. (5), gated form) is
 *
 * <pre>
 *   max_Lambda  -L*(-Lambda)   s.t.  ||(D_i X)^T Lambda||_F &lt;= beta  for every i,
 * </pre>
 *
 * Lambda in R^{n x c}. The dual point is the negative loss gradient Lambda = -grad L(F) at the
 * weights, scaled by s &lt;= min(beta / max_i ||(D_i X)^T Lambda||_F, the conjugate's domain
 * limit) with s chosen to maximise the concave dual objective along the ray. By weak duality
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
    double s = loss instanceof OneHotSquaredLoss ? squaredScale(lambda, y, sMax)
        : goldenSection(loss, lambda, y, Double.isFinite(sMax) ? sMax : 1.0);
    double lower = dualAt(loss, lambda, y, s);
    double rel = (objective - lower) / Math.max(Math.abs(objective), Double.MIN_NORMAL);
    return new MultiOutputCertificate(objective, lower, rel, s);
  }

  /** argmax over [0, sMax] of s &lt;Lambda, Y&gt; - s^2/2 ||Lambda||^2, in closed form. */
  private static double squaredScale(DenseMatrix lambda, DenseMatrix y, double sMax) {
    double ly = 0.0;
    double ll = 0.0;
    for (int k = 0; k < lambda.data().length; k++) {
      ly += lambda.data()[k] * y.data()[k];
      ll += lambda.data()[k] * lambda.data()[k];
    }
    double s = ll > 0.0 ? ly / ll : 0.0;
    return Math.max(0.0, Math.min(s, sMax));
  }

  /** argmax over [0, sMax] of the concave -L*(-s Lambda), end point compared explicitly. */
  private static double goldenSection(MultiOutputLoss loss, DenseMatrix lambda, DenseMatrix y,
      double sMax) {
    final double ratio = (Math.sqrt(5.0) - 1.0) / 2.0;
    double lo = 0.0;
    double hi = sMax;
    double a = hi - ratio * (hi - lo);
    double b = lo + ratio * (hi - lo);
    double fa = dualAt(loss, lambda, y, a);
    double fb = dualAt(loss, lambda, y, b);
    for (int it = 0; it < 60 && hi - lo > 1e-12 * sMax; it++) {
      if (fa < fb) {
        lo = a;
        a = b;
        fa = fb;
        b = lo + ratio * (hi - lo);
        fb = dualAt(loss, lambda, y, b);
      } else {
        hi = b;
        b = a;
        fb = fa;
        a = hi - ratio * (hi - lo);
        fa = dualAt(loss, lambda, y, a);
      }
    }
    double mid = 0.5 * (lo + hi);
    // The dual constraint often binds at the optimum: the end point may be the maximiser.
    return dualAt(loss, lambda, y, sMax) >= dualAt(loss, lambda, y, mid) ? sMax : mid;
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
