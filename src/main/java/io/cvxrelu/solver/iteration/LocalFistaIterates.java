package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The iterates of the single-node FISTA variants ({@link Fista}, {@link PredictionSpaceFista};
 * Beck and Teboulle 2009): X and X_prev (two buffers rotated, never reallocated), the
 * extrapolated point Y, the candidate C, the momentum with its gradient restart (O'Donoghue and
 * Candes 2015), the step count and the step-size search. The variants differ only in the
 * products of the data they keep beside these.
 */
abstract class LocalFistaIterates implements ProxGradientIteration {
  final double beta;
  final Backtracking backtracking;
  final DenseMatrix y;
  final DenseMatrix candidate;
  DenseMatrix x;
  DenseMatrix xPrev;
  double momentum = 1.0;
  private long steps;

  /**
   * @param start initial blocks (copied)
   * @param lipschitz estimate of the gradient's Lipschitz constant; the first step is its
   *     inverse and backtracking corrects an underestimate
   */
  LocalFistaIterates(double beta, DenseMatrix start, double lipschitz) {
    this.beta = beta;
    this.x = start.copy();
    this.xPrev = start.copy();
    this.y = start.copy();
    this.candidate = new DenseMatrix(start.rows(), start.cols());
    this.backtracking = Backtracking.forLipschitz(lipschitz);
  }

  /**
   * Accepts the candidate C: the momentum steps on, or restarts when the step Y -&gt; C points
   * against the last move, and X_prev, X become X, C.
   */
  final void acceptCandidate() {
    momentum = ProximalGradient.shouldRestart(y, candidate, x) ? 1.0
        : ProximalGradient.nextMomentum(momentum);
    DenseMatrix oldPrev = xPrev;
    xPrev = x;
    x = oldPrev;
    System.arraycopy(candidate.data(), 0, x.data(), 0, candidate.data().length);
    steps++;
  }

  @Override
  public final DenseMatrix iterate() {
    return x;
  }

  @Override
  public final double gradientMapping() {
    return backtracking.gradientMapping();
  }

  @Override
  public final long steps() {
    return steps;
  }
}
