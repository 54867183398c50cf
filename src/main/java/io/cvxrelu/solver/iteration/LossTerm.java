package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/** phi(Z) = L(sum_i D_i Z_i, y): the data-fit term of the convex program. */
public final class LossTerm implements SmoothPart {
  private final ConvexReluProblem problem;
  private final double[] g;

  LossTerm(ConvexReluProblem problem) {
    this.problem = problem;
    this.g = new double[problem.n()];
  }

  @Override
  public double value(DenseMatrix z) {
    return problem.loss().value(problem.predict(z), problem.y());
  }

  @Override
  public double valueAndGradient(DenseMatrix z, DenseMatrix gz) {
    double v = problem.loss().valueAndGradient(problem.predict(z), problem.y(), g);
    problem.maskedResidual(g, gz);
    return v;
  }
}
