package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The rows' side of {@link PathFollowing}: the slacks s = K_j b_j and multipliers z of the
 * linear cone rows K_j b_j &gt;= 0 (n per block j), their Nesterov-Todd scaling and the row parts
 * of the two search directions, and every product with X the method needs. The driver's side
 * (epigraph cones, normal equations, Mehrotra logic) sees only d x 2P, d(d+1)/2 x 2P and
 * P d x P d summaries and scalars, so the rows may sit in one array ({@link LocalConeRows}) or
 * in row blocks on a cluster. Directions are {@link #AFFINE} (predictor) and {@link #COMBINED}
 * (corrector).
 */
public interface ConeRows {
  /** The predictor direction. */
  int AFFINE = 0;
  /** The corrector direction. */
  int COMBINED = 1;

  /** Rows kept (rows of X that are not zero), over all blocks. */
  long rowCount();

  /** G = A_v^T A_v (P d x P d), blocks X^T D_i D_k X; constant over the solve. */
  DenseMatrix patternGram();

  /**
   * sum over rows and patterns of (sign .* X unit)^2 for the unit gates (d x P).
   *
   * @throws ArithmeticException when a gate lies on a data hyperplane
   */
  double startSumSquares(DenseMatrix unit);

  /** s = scale (sign .* X unit) on every block, z = zeta. */
  void start(DenseMatrix unit, double scale, double zeta);

  /**
   * At the blocks b (d x 2P): stores r_z = s - K b and the scaling of the rows, and returns
   * their summary.
   */
  Prepared prepare(DenseMatrix b);

  /**
   * The rows' part of a direction's right-hand side: e = -lambda (affine), or the Mehrotra
   * corrector's e from the affine direction, sigma and mu (combined); then q = Phi r_z + W^-1 e,
   * and returns X^T (sign .* q) (d x 2P).
   */
  DenseMatrix rightHandSide(int direction, double sigma, double mu);

  /**
   * Recovers ds, dz (and their scaled forms) of the rows from dx_b; returns the largest step
   * keeping s and z positive on the rows (infinity if none binds).
   */
  double recover(int direction, DenseMatrix dxB);

  /** sum over rows of (s + alpha ds)(z + alpha dz). */
  double complementarityAfter(int direction, double alpha);

  /** s += alpha ds, z += alpha dz. */
  void advance(int direction, double alpha);

  /**
   * What {@link #prepare} returns: the rows' part of the dual residual X^T r (d x 2P),
   * s^T z over the rows, X^T diag(z / s) X packed as d(d+1)/2 x 2P, and the loss moments at b
   * (null when these rows do not form them).
   */
  record Prepared(DenseMatrix dualResidual, double complementarity, DenseMatrix blockGram,
      LossMoments moments) {
    public Prepared(DenseMatrix dualResidual, double complementarity, DenseMatrix blockGram) {
      this(dualResidual, complementarity, blockGram, null);
    }
  }

  /**
   * The squared loss at b over all the rows (zero rows of X included, which predict 0) with
   * the moments of the dual direction lambda = y - A b, and the cone violation max over rows
   * and blocks of the negative part of K_j b_j. With the dual residual's columns, which are
   * -(X^T D_j lambda + K_j^T z_j) for v_j and -(-X^T D_j lambda + K_j^T z_j) for w_j, they are
   * everything the certificate at (b, z) needs, so the pass that prepares a step also certifies
   * its iterate.
   */
  record LossMoments(double loss, double lambdaDotY, double lambdaNormSquared,
      double violation) {}
}
