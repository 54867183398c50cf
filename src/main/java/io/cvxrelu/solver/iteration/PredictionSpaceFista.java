package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Loss;

/**
 * FISTA with backtracking and gradient restart for L(A B) + beta sum_j ||B_j||, where
 * A B = sum_i D_i X B_i, keeping only n-vectors of predictions beside the d x q iterates
 * (Beck and Teboulle 2009; restart of O'Donoghue and Candes 2015). It is the iteration of
 * {@link Fista} (same momentum, restart test and step rule) for smooth parts that depend on B
 * only through the predictions, as the gated program (Pilanci and Ergen 2020, eq. (8) without
 * the cone constraints) does.
 *
 * <p>Because A is linear, the prediction at the extrapolated point Y' = C + w (C - X) is
 * (1 + w) A C - w A X: each step is one tiled forward pass for A C (also giving L(C) for the
 * backtracking test) and one tiled adjoint pass for the gradient at Y'
 * ({@link ConvexReluProblem#predictWeights}, {@link ConvexReluProblem#maskedAdjoint}). No
 * n x q intermediate is formed, so at small d the step is bound by the two GEMMs rather than by
 * the memory traffic of X B.
 */
public final class PredictionSpaceFista extends LocalFistaIterates {
  private final ConvexReluProblem problem;
  private final Loss loss;
  private final double[] labels;
  private double[] predX;
  private DenseMatrix grad;
  private final double[] predY;
  private final double[] g;
  private double atY;
  /** The predictions of the last candidate evaluated. */
  private double[] predC;

  /**
   * @param start initial blocks (copied)
   * @param lipschitz estimate of the gradient's Lipschitz constant (first step 1 / lipschitz;
   *     backtracking corrects an underestimate)
   */
  public PredictionSpaceFista(ConvexReluProblem problem, DenseMatrix start, double lipschitz) {
    super(problem.beta(), start, lipschitz);
    this.problem = problem;
    this.loss = problem.loss();
    this.labels = problem.y();
    this.predX = problem.predictWeights(x);
    this.predY = predX.clone();
    this.g = new double[predX.length];
    gradientAtY();
  }

  private void gradientAtY() {
    atY = loss.valueAndGradient(predY, labels, g);
    grad = problem.maskedAdjoint(g);
  }

  @Override
  public boolean step() {
    boolean accepted = backtracking.search(y, grad, atY, beta, candidate, c -> {
      predC = problem.predictWeights(c);
      return loss.value(predC, labels);
    });
    if (!accepted) {
      return false;
    }
    acceptCandidate();
    double[] predPrev = predX;
    predX = predC;

    double w = (momentum - 1.0) / ProximalGradient.nextMomentum(momentum);
    ProximalGradient.extrapolate(x.data(), xPrev.data(), w, y.data());
    ProximalGradient.extrapolate(predX, predPrev, w, predY);
    gradientAtY();
    return true;
  }

  /** A B at the current iterate (live view). */
  public double[] prediction() {
    return predX;
  }
}
