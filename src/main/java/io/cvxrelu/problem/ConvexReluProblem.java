package io.cvxrelu.problem;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;

/**
 * The convex reformulation of a two-layer ReLU network over P sign patterns (Pilanci and Ergen,
 * ICML 2020, eq. (8); the gated variant drops the cone constraints):
 *
 * <pre>
 *   min  L( sum_i D_i X (v_i - w_i), y ) + beta sum_i (||v_i||_2 + ||w_i||_2)
 *   s.t. (2 D_i - I) X v_i &gt;= 0,  (2 D_i - I) X w_i &gt;= 0.
 * </pre>
 *
 * <p>Weights are one d x q block matrix B: for {@link Formulation#RELU} q = 2P with columns
 * [v_1..v_P, w_1..w_P]; for {@link Formulation#GATED} q = P with columns [u_1..u_P]. Every
 * evaluation goes through Z = X B (one GEMM) and the n x P mask M; D_i X is never formed.
 * Instances are immutable.
 */
public final class ConvexReluProblem extends ConvexProgram {
  private final DenseMatrix x;
  private final double[] y;
  private final SignPatterns patterns;
  private volatile RowBlock block;
  private volatile double[] maskValues;
  private volatile double[] coneSigns;
  /**
   * Estimates that depend on X, the patterns and the formulation but not on beta (the norm of
   * the data-fit operator), shared with the problems {@link #with} makes at other betas: a
   * regularisation path estimates them once, not once per point.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Double> betaFree;

  /**
   * @param x n x d features (a bias, if wanted, is already a column)
   * @param y n labels, in any coding the loss accepts
   */
  public ConvexReluProblem(DenseMatrix x, double[] y, SignPatterns patterns, Loss loss,
      double beta, Formulation formulation) {
    this(x, y, patterns, loss, beta, formulation, new java.util.concurrent.ConcurrentHashMap<>());
  }

  private ConvexReluProblem(DenseMatrix x, double[] y, SignPatterns patterns, Loss loss,
      double beta, Formulation formulation,
      java.util.concurrent.ConcurrentHashMap<String, Double> betaFree) {
    super(loss, beta, formulation);
    this.betaFree = betaFree;
    if (y.length != x.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + y.length + " labels");
    }
    if (patterns.rows() != x.rows() || patterns.gates().rows() != x.cols()) {
      throw new IllegalArgumentException("sign patterns were computed for another data set");
    }
    this.x = x;
    this.y = loss.canonicalLabels(y);
    this.patterns = patterns;
  }

  /**
   * The whole data set as one {@link RowBlock}: the per-row kernels (predictions, masked
   * residuals, cone terms) are the block's, shared with the distributed solvers.
   */
  public RowBlock block() {
    RowBlock b = block;
    if (b == null) {
      b = new RowBlock(0, x, y, patterns.mask(), patterns.count());
      block = b;
    }
    return b;
  }

  /**
   * The mask as 0/1 doubles (n x P, column-major), made on first use for the solvers whose hot
   * loops read doubles (the row block itself keeps the byte mask). Hot loops multiply by it
   * instead of branching on the mask, whose unpredictable branches cost several times the
   * arithmetic.
   */
  public double[] maskValues() {
    double[] m = maskValues;
    if (m == null) {
      m = RowBlock.affine(patterns.mask(), 1.0, 0.0);
      maskValues = m;
    }
    return m;
  }

  /** S = 2 M - 1 as doubles (n x P): the row signs of K_i = (2 D_i - I) X. */
  public double[] coneSigns() {
    double[] c = coneSigns;
    if (c == null) {
      c = RowBlock.affine(patterns.mask(), 2.0, -1.0);
      coneSigns = c;
    }
    return c;
  }

  /** Same data, patterns and loss with another regularisation strength or formulation. */
  public ConvexReluProblem with(double newBeta, Formulation newFormulation) {
    return new ConvexReluProblem(x, y, patterns, loss(), newBeta, newFormulation,
        newFormulation == formulation() ? betaFree
            : new java.util.concurrent.ConcurrentHashMap<>());
  }

  /**
   * A beta-independent estimate of this program ({@code key} names it), computed on first use
   * and shared by every {@link #with} of the same formulation.
   */
  public double betaFreeEstimate(String key, java.util.function.DoubleSupplier compute) {
    return betaFree.computeIfAbsent(key, k -> compute.getAsDouble());
  }

  public DenseMatrix x() {
    return x;
  }

  /** Labels in the loss's canonical coding. */
  public double[] y() {
    return y;
  }

  public SignPatterns patterns() {
    return patterns;
  }

  public int n() {
    return x.rows();
  }

  @Override
  public int d() {
    return x.cols();
  }

  @Override
  public int patternCount() {
    return patterns.count();
  }

  /** Z = X B (n x q), one GEMM. */
  public DenseMatrix forward(DenseMatrix b) {
    DenseMatrix z = new DenseMatrix(n(), b.cols());
    Blas.gemm(false, false, 1.0, x, b, 0.0, z);
    return z;
  }

  /** G = X^T R (d x q), one GEMM. */
  public DenseMatrix adjoint(DenseMatrix r) {
    DenseMatrix g = new DenseMatrix(d(), r.cols());
    Blas.gemm(true, false, 1.0, x, r, 0.0, g);
    return g;
  }

  /** Network output sum_i D_i (Z_v,i - Z_w,i) (ReLU) or sum_i D_i Z_i (gated), per row. */
  public double[] predict(DenseMatrix z) {
    double[] out = new double[n()];
    block().predict(z, formulation(), out);
    return out;
  }

  /** predict(X B) without the n x q product (tiled, see {@link RowBlock#predictWeights}). */
  public double[] predictWeights(DenseMatrix b) {
    return block().predictWeightsSplit(b, formulation());
  }

  /**
   * X^T maskedResidual(g) (d x q), the gradient of L(predict(X B)) in B given g = dL/dz,
   * without the n x q residual (tiled, see {@link RowBlock#addMaskedAdjoint}).
   */
  public DenseMatrix maskedAdjoint(double[] g) {
    return block().maskedAdjointSplit(g, formulation(), blockCount());
  }

  /**
   * Writes into {@code r} (n x q) the matrix whose X^T-image is the gradient of
   * L(predict(X B)) given g = dL/dz: R_i = D_i g for v_i (and u_i), -D_i g for w_i.
   */
  public void maskedResidual(double[] g, DenseMatrix r) {
    block().maskedResidual(g, formulation(), r);
  }

  /** sum_j ||B_j||_2 over the blocks (columns) of B. */
  public static double groupNormSum(DenseMatrix b) {
    double s = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      s += b.columnNorm(j);
    }
    return s;
  }

  /** A^T A B = maskedAdjoint(predictWeights(B)): two tiled passes, no n x q matrix. */
  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    return maskedAdjoint(predictWeights(b));
  }

  /** X^T X, one GEMM. */
  @Override
  public DenseMatrix gram() {
    DenseMatrix gram = new DenseMatrix(d(), d());
    Blas.gemm(true, false, 1.0, x, x, 0.0, gram);
    return gram;
  }

  @Override
  public double largestLabel() {
    double m = 0.0;
    for (double v : y) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** The convex objective of B (constraints not checked). */
  public double objective(DenseMatrix b) {
    return loss().value(predict(forward(b)), y) + regularizer(b);
  }

  /**
   * Largest violation of the cone constraints, max over blocks and rows of the negative part
   * of (2 D_i - I) X v_i (and of w_i); 0 for the gated formulation.
   */
  public double constraintViolation(DenseMatrix z) {
    return formulation() == Formulation.GATED ? 0.0 : block().constraintViolation(z);
  }

  /**
   * beta_max = max_i ||X^T D_i y||: for the squared loss and any beta at or above it the zero
   * network is optimal for the gated program (and hence the ReLU program). Useful to set beta
   * as a fraction of it.
   */
  public static double betaMax(DenseMatrix x, double[] y, SignPatterns patterns, Loss loss) {
    double[] yc = loss.canonicalLabels(y);
    double[] g = new double[yc.length];
    loss.valueAndGradient(new double[yc.length], yc, g);
    int n = x.rows();
    int p = patterns.count();
    DenseMatrix r = new DenseMatrix(n, p);
    byte[] m = patterns.mask();
    for (int k = 0; k < m.length; k++) {
      r.data()[k] = m[k] != 0 ? -g[k % n] : 0.0;
    }
    DenseMatrix c = new DenseMatrix(x.cols(), p);
    Blas.gemm(true, false, 1.0, x, r, 0.0, c);
    double best = 0.0;
    for (int i = 0; i < p; i++) {
      best = Math.max(best, c.columnNorm(i));
    }
    return best;
  }
}
