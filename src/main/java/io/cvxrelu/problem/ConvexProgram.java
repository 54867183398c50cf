package io.cvxrelu.problem;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The convex program of Pilanci and Ergen (ICML 2020, eq. (8)) as the iterations see it, whether
 * its rows are held on this node ({@link ConvexReluProblem}) or in row blocks on a cluster (the
 * distributed problem): the loss, the regularisation strength and the formulation, the shape of
 * the d x q block weights, and the passes over the rows that size the first step (the normal
 * operator of the data-fit map and the Gram matrix X^T X).
 *
 * <p>The passes of a step differ between the two (the single-node iteration keeps the n x q
 * product X B; the distributed one keeps nothing of size n on the driver), so the loops that
 * share them take those passes as an argument.
 */
public abstract class ConvexProgram {
  private final Loss loss;
  private final double beta;
  private final Formulation formulation;

  /** @param beta the regularisation strength, positive and finite */
  protected ConvexProgram(Loss loss, double beta, Formulation formulation) {
    if (!(beta > 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be a positive finite number, got " + beta);
    }
    this.loss = loss;
    this.beta = beta;
    this.formulation = formulation;
  }

  public final Loss loss() {
    return loss;
  }

  /** The regularisation strength beta &gt; 0. */
  public final double beta() {
    return beta;
  }

  public final Formulation formulation() {
    return formulation;
  }

  /** Features per row (with the bias column, if any). */
  public abstract int d();

  /** Number of sign patterns P. */
  public abstract int patternCount();

  /** Number of weight blocks q: 2P for ReLU, P for gated. */
  public final int blockCount() {
    return formulation.blockCount(patternCount());
  }

  /** A zero block matrix of the right shape (d x q). */
  public final DenseMatrix zeroWeights() {
    return new DenseMatrix(d(), blockCount());
  }

  /** beta * sum of the blocks' Euclidean norms. */
  public final double regularizer(DenseMatrix b) {
    return beta * ConvexReluProblem.groupNormSum(b);
  }

  /**
   * A^T A B for the data-fit operator A: B -&gt; sum_i D_i X B_i (ReLU: D_i X (v_i - w_i)), the
   * operator whose norm, by power iteration, gives the first step.
   */
  public abstract DenseMatrix normalOperator(DenseMatrix b);

  /** The d x d Gram matrix X^T X. */
  public abstract DenseMatrix gram();

  /** max_j |y_j| over the canonical labels (0 without rows): the scale of the feasibility test. */
  public abstract double largestLabel();
}
