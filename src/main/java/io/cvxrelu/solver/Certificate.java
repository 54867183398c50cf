package io.cvxrelu.solver;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;

/**
 * A duality-gap certificate for the convex program at given weights.
 *
 * <p>The dual of the group lasso with cone constraints (Pilanci and Ergen 2020, eq. (8)) is
 * <pre>
 *   max_lambda  -L*(-lambda)
 *   s.t. for all i there are mu_i, nu_i &gt;= 0 with
 *        ||X^T D_i lambda + K_i^T mu_i|| &lt;= beta,  ||-X^T D_i lambda + K_i^T nu_i|| &lt;= beta,
 * </pre>
 * K_i = (2 D_i - I) X (for the gated program mu = nu = 0). The dual point is built from the
 * residual, lambda = -grad L(z), and the solver's cone multipliers; the pair is scaled by
 * s &lt;= beta / max_i ||.|| into the feasible set (the constraints are positively homogeneous in
 * (lambda, mu)) with s chosen to maximise the concave dual objective along the ray. Weak
 * duality makes the dual value a lower bound on the optimum, so {@code relativeGap} bounds the
 * suboptimality of the weights; it reaches zero only when the residual, the multipliers and
 * complementary slackness are all right.
 *
 * @param objective convex objective at the weights (unscaled: squared loss is 1/2 sum of squares)
 * @param lowerBound dual objective at the scaled dual point
 * @param relativeGap (objective - lowerBound) / max(|objective|, tiny)
 * @param constraintViolation max over blocks and rows of the negative part of K_i v_i, K_i w_i
 * @param dualScale the scale s applied to (lambda, mu)
 */
public record Certificate(double objective, double lowerBound, double relativeGap,
    double constraintViolation, double dualScale) {

  /**
   * Certificate at weights B with product Z = X B, given the cone multipliers (n x 2P, ReLU;
   * null for gated or to certify with mu = 0). Costs one GEMM.
   */
  public static Certificate compute(ConvexReluProblem problem, DenseMatrix b, DenseMatrix z,
      DenseMatrix multipliers) {
    Loss loss = problem.loss();
    double[] y = problem.y();
    double[] pred = problem.predict(z);
    double[] g = new double[pred.length];
    double lossValue = loss.valueAndGradient(pred, y, g);
    double[] lambda = new double[g.length];
    for (int k = 0; k < g.length; k++) {
      lambda[k] = -g[k];
    }
    DenseMatrix r = new DenseMatrix(problem.n(), problem.blockCount());
    problem.maskedResidual(lambda, r);
    if (multipliers != null && problem.formulation() == Formulation.RELU) {
      problem.block().addConeTerm(multipliers, r);
    }
    DenseMatrix c = problem.adjoint(r);
    double worst = 0.0;
    for (int j = 0; j < c.cols(); j++) {
      worst = Math.max(worst, c.columnNorm(j));
    }
    double objective = lossValue + problem.regularizer(b);
    return fromDualNorm(problem, objective, lambda, worst, problem.constraintViolation(z));
  }

  /**
   * Certificate at weights B with cone multipliers mu = 0 (the gated program, or a ReLU
   * iterate certified without multipliers), given the predictions A B and the cone violation.
   * The dual norms come from one tiled adjoint pass ({@link ConvexReluProblem#maskedAdjoint}),
   * so no n x q matrix is formed.
   */
  public static Certificate atPrediction(ConvexReluProblem problem, DenseMatrix b,
      double[] pred, double violation) {
    double[] g = new double[pred.length];
    double lossValue = problem.loss().valueAndGradient(pred, problem.y(), g);
    for (int k = 0; k < g.length; k++) {
      g[k] = -g[k];
    }
    DenseMatrix c = problem.maskedAdjoint(g);
    double worst = 0.0;
    for (int j = 0; j < c.cols(); j++) {
      worst = Math.max(worst, c.columnNorm(j));
    }
    return fromDualNorm(problem, lossValue + problem.regularizer(b), g, worst, violation);
  }

  /**
   * Certificate from a dual direction lambda whose dual-constraint norm (the largest
   * ||X^T D_i lambda + K_i^T mu_i|| over blocks) is {@code dualNorm}.
   */
  public static Certificate fromDualNorm(ConvexReluProblem problem, double objective,
      double[] lambda, double dualNorm, double violation) {
    if (!Double.isFinite(dualNorm)) {
      // An overflowed dual norm gives no lower bound: NaN makes every solver stop with
      // NUMERICAL_FAILURE instead of reading it as zero and certifying a zero gap.
      return atScale(objective, Double.NaN, Double.NaN, violation);
    }
    Loss loss = problem.loss();
    double[] y = problem.y();
    double sMax = dualNorm > 0.0 ? problem.beta() / dualNorm : Double.POSITIVE_INFINITY;
    sMax = Math.min(sMax, loss.maxDualScale(lambda, y));
    double s = maximiseAlongRay(loss, lambda, y, sMax);
    double[] scaled = new double[lambda.length];
    for (int k = 0; k < lambda.length; k++) {
      scaled[k] = s * lambda[k];
    }
    return atScale(objective, s, loss.dualObjective(scaled, y), violation);
  }

  /**
   * The certificate once the dual point has been scaled by s into the feasible set and its
   * dual objective {@code lower} = -L*(-s lambda) evaluated (a distributed solver sums it
   * over row blocks).
   */
  public static Certificate atScale(double objective, double s, double lower,
      double violation) {
    double rel = (objective - lower) / Math.max(Math.abs(objective), Double.MIN_NORMAL);
    return new Certificate(objective, lower, rel, violation, s);
  }

  /**
   * The squared-loss certificate from the summed moments of the dual direction lambda =
   * y - A B (lambda^T y and ||lambda||^2) and its dual-constraint norm: lambda scaled by the
   * best s in [0, beta / dualNorm], lower bound s lambda^T y - s^2/2 ||lambda||^2 (the
   * construction of {@link #fromDualNorm} without the n-vector lambda, for passes that sum).
   */
  public static Certificate squaredLoss(double objective, double lambdaDotY,
      double lambdaNormSquared, double dualNorm, double beta, double violation) {
    if (!Double.isFinite(dualNorm)) {
      return atScale(objective, Double.NaN, Double.NaN, violation);
    }
    double sMax = dualNorm > 0.0 ? beta / dualNorm : Double.POSITIVE_INFINITY;
    double s = squaredLossScale(lambdaDotY, lambdaNormSquared, sMax);
    return atScale(objective, s, s * lambdaDotY - 0.5 * s * s * lambdaNormSquared, violation);
  }

  /**
   * For the squared loss, the s in [0, sMax] maximising -L*(-s lambda) =
   * s lambda^T y - s^2/2 ||lambda||^2, in closed form from the two sufficient statistics.
   */
  public static double squaredLossScale(double lambdaDotY, double lambdaNormSquared,
      double sMax) {
    double s = lambdaNormSquared > 0.0 ? lambdaDotY / lambdaNormSquared : 0.0;
    return Math.max(0.0, Math.min(s, sMax));
  }

  /** argmax over s in [0, sMax] of the concave -L*(-s lambda). */
  private static double maximiseAlongRay(Loss loss, double[] lambda, double[] y, double sMax) {
    if (loss instanceof io.cvxrelu.problem.SquaredLoss) {
      // -L*(-s lambda) = s lambda^T y - s^2/2 ||lambda||^2: closed form.
      double ly = 0.0;
      double ll = 0.0;
      for (int k = 0; k < lambda.length; k++) {
        ly += lambda[k] * y[k];
        ll += lambda[k] * lambda[k];
      }
      return squaredLossScale(ly, ll, sMax);
    }
    if (!Double.isFinite(sMax)) {
      sMax = 1.0;
    }
    double lo = 0.0;
    double hi = sMax;
    final double ratio = (Math.sqrt(5.0) - 1.0) / 2.0;
    double a = hi - ratio * (hi - lo);
    double bb = lo + ratio * (hi - lo);
    double fa = dualAt(loss, lambda, y, a);
    double fb = dualAt(loss, lambda, y, bb);
    for (int it = 0; it < 90 && hi - lo > 1e-16 * sMax; it++) {
      if (fa < fb) {
        lo = a;
        a = bb;
        fa = fb;
        bb = lo + ratio * (hi - lo);
        fb = dualAt(loss, lambda, y, bb);
      } else {
        hi = bb;
        bb = a;
        fb = fa;
        a = hi - ratio * (hi - lo);
        fa = dualAt(loss, lambda, y, a);
      }
    }
    double best = 0.5 * (lo + hi);
    // The end point is often optimal (the dual constraint binds): compare explicitly.
    return dualAt(loss, lambda, y, sMax) >= dualAt(loss, lambda, y, best) ? sMax : best;
  }

  private static double dualAt(Loss loss, double[] lambda, double[] y, double s) {
    double[] t = new double[lambda.length];
    for (int k = 0; k < t.length; k++) {
      t[k] = s * lambda[k];
    }
    return loss.dualObjective(t, y);
  }
}
