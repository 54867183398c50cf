package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.RowBlock;

/**
 * The kernels of the pooled gated program ({@link PooledGatedCnn}; Ergen and Pilanci, ICLR 2021)
 * on one block of n_b examples, held as the {@link RowBlock} of their stacked patches
 * S_b = [X_1; ...; X_K] (n_b K x h, patch-major rows, as in {@link StackedPatches}) with its
 * n_b K x P pattern mask and the labels repeated for every patch. An example's K patches are
 * rows of the same block, so the pooling sum_k over them is local to the block, and a
 * distributed run sums only the blocks' h x P contributions.
 *
 * <p>The products are {@link RowBlock}'s tiled, masked GEMMs on the patch matrix:
 * A_b u = pool(sum_i D_i S_b u_i) and A_b^T g = S_b^T [D_1 lift(g) ... D_P lift(g)], with
 * A_b = [A_1 ... A_P] restricted to the block; neither D_i^k X_k nor the pooled design is
 * formed.
 */
public final class PooledRowBlock {
  private final RowBlock stack;
  private final int patches;
  private final int examples;

  /**
   * @param stack the stacked patches of the block, its mask and its lifted labels
   * @param patches K
   */
  public PooledRowBlock(RowBlock stack, int patches) {
    if (patches <= 0 || stack.rows() % patches != 0) {
      throw new IllegalArgumentException(stack.rows() + " stacked rows are not K = " + patches
          + " patches per example");
    }
    this.stack = stack;
    this.patches = patches;
    this.examples = stack.rows() / patches;
  }

  /**
   * The stacked block of the rows (x, y) cut by {@code geometry}, its mask computed from the
   * h x P gates (one GEMM).
   */
  public static RowBlock stack(long id, DenseMatrix x, double[] y, PatchGeometry geometry,
      DenseMatrix gates) {
    StackedPatches s = StackedPatches.of(x, geometry);
    return RowBlock.withGates(id, s.stacked(), s.lift(y), gates);
  }

  /** n_b. */
  public int examples() {
    return examples;
  }

  /** The block's labels y_b (the first of the K repeats). */
  public double[] labels() {
    return java.util.Arrays.copyOf(stack.y(), examples);
  }

  /** The pooled predictions A_b vec(U) for h x P blocks U (one masked GEMM). */
  public double[] predict(DenseMatrix u) {
    double[] z = new double[stack.rows()];
    stack.predictWeights(u, Formulation.GATED, z);
    double[] out = new double[examples];
    for (int k = 0; k < patches; k++) {
      for (int r = 0; r < examples; r++) {
        out[r] += z[k * examples + r];
      }
    }
    return out;
  }

  /** The residual A_b vec(U) - y_b. */
  public double[] residual(DenseMatrix u) {
    double[] r = predict(u);
    double[] y = stack.y();
    for (int i = 0; i < examples; i++) {
      r[i] -= y[i];
    }
    return r;
  }

  /** grad += A_b^T g for an n_b-vector g (h x P, one masked GEMM). */
  public void addAdjoint(double[] g, DenseMatrix grad) {
    double[] lifted = new double[stack.rows()];
    for (int k = 0; k < patches; k++) {
      System.arraycopy(g, 0, lifted, k * examples, examples);
    }
    stack.addMaskedAdjoint(lifted, Formulation.GATED, grad);
  }
}
