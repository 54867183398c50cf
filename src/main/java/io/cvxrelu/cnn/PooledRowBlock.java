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

  /** AtA += A_b^T A_b for the block's pooled design A_b = [A_1 ... A_P] (hP x hP, one GEMM). */
  public void addPooledGram(DenseMatrix gram) {
    DenseMatrix a = new StackedPatches(stack.x(), examples, patches)
        .pooledDesign(stack.mask(), stack.patternCount());
    io.cvxrelu.linalg.Blas.gemm(true, false, 1.0, a, a, 1.0, gram);
  }

  /**
   * The pooled ReLU program's correction to cone rows that carry labels 0 (as
   * {@link PooledConeRows} wraps them): grad += S_b^T R(lift(pool(u) - y) - u) for the
   * unpooled ReLU predictions u = sum_i D_i S_b (v_i - w_i), R the ReLU masked residual.
   */
  public void addReluLossCorrection(DenseMatrix b, DenseMatrix grad) {
    double[] unpooled = new double[stack.rows()];
    stack.predictWeights(b, Formulation.RELU, unpooled);
    double[] diff = new double[stack.rows()];
    double[] y = stack.y();
    for (int k = 0; k < patches; k++) {
      for (int r = 0; r < examples; r++) {
        double pooled = 0.0;
        for (int j = 0; j < patches; j++) {
          pooled += unpooled[j * examples + r];
        }
        diff[k * examples + r] = pooled - y[r] - unpooled[k * examples + r];
      }
    }
    stack.addMaskedAdjoint(diff, Formulation.RELU, grad);
  }

  /**
   * The block's terms of the pooled ReLU certificate at blocks B (h x 2P) with cone multipliers
   * mu (n_b K x 2P): lambda = y - pool(sum_i D_i S_b (v_i - w_i)); adds
   * S_b^T (R(lift(lambda)) + (2 D - 1) .* mu) into {@code dual} and lambda^T lambda,
   * lambda^T y into sums[0], sums[1]; returns the block's cone violation.
   */
  public double addReluCertificateTerms(DenseMatrix b, DenseMatrix mu, DenseMatrix dual,
      double[] sums) {
    DenseMatrix z = stack.forward(b);
    double[] unpooled = new double[stack.rows()];
    stack.predict(z, Formulation.RELU, unpooled);
    double[] y = stack.y();
    double[] lifted = new double[stack.rows()];
    for (int r = 0; r < examples; r++) {
      double lambda = y[r];
      for (int k = 0; k < patches; k++) {
        lambda -= unpooled[k * examples + r];
      }
      sums[0] += lambda * lambda;
      sums[1] += lambda * y[r];
      for (int k = 0; k < patches; k++) {
        lifted[k * examples + r] = lambda;
      }
    }
    DenseMatrix r = new DenseMatrix(stack.rows(), b.cols());
    stack.maskedResidual(lifted, Formulation.RELU, r);
    stack.addConeTerm(mu, r);
    stack.addAdjoint(r, dual);
    return stack.constraintViolation(z);
  }
}
