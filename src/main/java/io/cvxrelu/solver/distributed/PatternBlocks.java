package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import java.io.Serializable;

/**
 * A partition of the P sign patterns into K contiguous pattern blocks of near-equal size, and
 * the column slices they own. Pattern block k holds the patterns from(k)..to(k)-1; its columns
 * of a d x q weight matrix (or of an n_b x 2P multiplier matrix) are
 * [v_from..v_to-1, w_from..w_to-1] for the ReLU program and [u_from..u_to-1] for the gated one,
 * the layout the pattern-range kernels of {@link io.cvxrelu.problem.RowBlock} expect.
 */
public final class PatternBlocks implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Weights (doubles) per pattern block above which {@link #auto} splits the patterns: 2^20, so
   * that a task's slice of the weights and its d x q_k gradient piece stay at 8 MiB each.
   */
  static final long AUTO_WEIGHTS_PER_BLOCK = 1L << 20;

  private final int patterns;
  private final boolean relu;
  private final int[] bounds;

  private PatternBlocks(int patterns, boolean relu, int[] bounds) {
    this.patterns = patterns;
    this.relu = relu;
    this.bounds = bounds;
  }

  /** K = min(count, P) blocks; block k holds patterns floor(kP/K)..floor((k+1)P/K)-1. */
  static PatternBlocks split(int patterns, int count, Formulation formulation) {
    if (count < 1) {
      throw new IllegalArgumentException("pattern blocks must be at least 1, got " + count);
    }
    int k = Math.min(count, Math.max(patterns, 1));
    int[] b = new int[k + 1];
    for (int i = 0; i <= k; i++) {
      b[i] = (int) ((long) i * patterns / k);
    }
    return new PatternBlocks(patterns, formulation == Formulation.RELU, b);
  }

  /** The number of pattern blocks for d x q weights: ceil(d q / 2^20), at most P. */
  static int auto(int d, int patterns, Formulation formulation) {
    long weights = (long) d * formulation.blockCount(patterns);
    long k = (weights + AUTO_WEIGHTS_PER_BLOCK - 1) / AUTO_WEIGHTS_PER_BLOCK;
    return (int) Math.max(1, Math.min(k, Math.max(patterns, 1)));
  }

  int count() {
    return bounds.length - 1;
  }

  int from(int k) {
    return bounds[k];
  }

  int to(int k) {
    return bounds[k + 1];
  }

  /** Columns of block k: 2m (ReLU) or m (gated) for m patterns. */
  int width(int k) {
    return (relu ? 2 : 1) * (to(k) - from(k));
  }

  /** Block k's columns of {@code full} (any row count, q columns), copied. */
  DenseMatrix columnsOf(DenseMatrix full, int k) {
    int rows = full.rows();
    int m = to(k) - from(k);
    DenseMatrix out = new DenseMatrix(rows, width(k));
    System.arraycopy(full.data(), from(k) * rows, out.data(), 0, m * rows);
    if (relu) {
      System.arraycopy(full.data(), (patterns + from(k)) * rows, out.data(), m * rows, m * rows);
    }
    return out;
  }

  /** Writes block k's columns {@code piece} into their place in {@code full}. */
  void scatter(DenseMatrix piece, int k, DenseMatrix full) {
    int rows = full.rows();
    int m = to(k) - from(k);
    System.arraycopy(piece.data(), 0, full.data(), from(k) * rows, m * rows);
    if (relu) {
      System.arraycopy(piece.data(), m * rows, full.data(), (patterns + from(k)) * rows,
          m * rows);
    }
  }
}
