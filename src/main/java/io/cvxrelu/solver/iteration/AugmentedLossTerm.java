package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * The smooth part of the augmented Lagrangian of the cone-constrained program:
 * <pre>
 *   phi_rho(Z) = L(sum_i D_i (Z_v,i - Z_w,i), y)
 *              + 1/(2 rho) sum_{blocks, rows} [ (mu - rho c)_+^2 - mu^2 ],   c = S .* Z,
 * </pre>
 * S_i = 2 D_i - 1 (the rows of K_i = S_i X), mu &gt;= 0 the cone multipliers. Its gradient in Z is
 * M .* grad L - S .* (mu - rho c)_+, so the multiplier update mu+ = (mu - rho c)_+ is read off
 * the same pass (Rockafellar's augmented Lagrangian for inequality constraints).
 */
public final class AugmentedLossTerm implements SmoothPart {
  private final ConvexReluProblem problem;
  private final LossTerm loss;
  private final DenseMatrix mu;
  private final double rho;

  public AugmentedLossTerm(ConvexReluProblem problem, DenseMatrix mu, double rho) {
    this.problem = problem;
    this.loss = new LossTerm(problem);
    this.mu = mu;
    this.rho = rho;
  }

  @Override
  public double value(DenseMatrix z) {
    return loss.value(z) + penalty(z, null);
  }

  @Override
  public double valueAndGradient(DenseMatrix z, DenseMatrix gz) {
    double v = loss.valueAndGradient(z, gz);
    return v + penalty(z, gz);
  }

  /** The penalty value; when gz is given, adds its gradient -S .* (mu - rho c)_+ into it. */
  private double penalty(DenseMatrix z, DenseMatrix gz) {
    return problem.block().augmentedPenalty(z, mu, rho, gz);
  }

  /** mu+ = (mu - rho S .* Z)_+ written into {@code out}. */
  public void updatedMultipliers(DenseMatrix z, DenseMatrix out) {
    problem.block().updatedMultipliers(z, mu, rho, out);
  }
}
