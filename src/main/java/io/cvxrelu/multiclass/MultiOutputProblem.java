package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;

/**
 * The gated-ReLU convex program with c outputs over P sign patterns D_i (Sahiner, Ergen, Pauly
 * and Pilanci, ICLR 2021, the vector-output program with the group norm of each d x c block;
 * Mishkin, Sahiner and Pilanci 2022, eq. (4), as scnn implements it for c outputs):
 *
 * <pre>
 *   min_W  L( sum_i D_i X W_i , Y ) + beta sum_i ||W_i||_F,     W_i in R^{d x c}.
 * </pre>
 *
 * <p>The weights are one d x (P c) matrix W, block i in columns [i c, (i + 1) c). Predictions
 * go through Z = X W (one GEMM over a tile of patterns) and the n x P mask; the gradient
 * X^T R with R_i = D_i G (one GEMM per tile). D_i X is never formed, and tiles bound the
 * n x (tile c) intermediate. Instances are immutable.
 */
public final class MultiOutputProblem {
  /** Default largest n x (tile c) intermediate, in doubles (32 MB). */
  private static final int TILE_DOUBLES = 1 << 22;

  private final DenseMatrix x;
  private final DenseMatrix y;
  private final SignPatterns patterns;
  private final MultiOutputLoss loss;
  private final double beta;
  private final double[] mask;
  private final int tileDoubles;

  /**
   * @param x n x d features (a bias, if wanted, is already a column)
   * @param y n x c targets (one-hot rows for classification)
   * @param beta regularisation strength, &gt;= 0
   */
  public MultiOutputProblem(DenseMatrix x, DenseMatrix y, SignPatterns patterns,
      MultiOutputLoss loss, double beta) {
    this(x, y, patterns, loss, beta, TILE_DOUBLES);
  }

  /** With the tile bound given, so tests can make every pass span several tiles. */
  MultiOutputProblem(DenseMatrix x, DenseMatrix y, SignPatterns patterns,
      MultiOutputLoss loss, double beta, int tileDoubles) {
    if (y.rows() != x.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + y.rows() + " target rows");
    }
    if (patterns.rows() != x.rows() || patterns.gates().rows() != x.cols()) {
      throw new IllegalArgumentException("sign patterns were computed for another data set");
    }
    if (!(beta >= 0.0)) {
      throw new IllegalArgumentException("beta must be non-negative, got " + beta);
    }
    this.x = x;
    this.y = y;
    this.patterns = patterns;
    this.loss = loss;
    this.beta = beta;
    this.tileDoubles = tileDoubles;
    byte[] m = patterns.mask();
    this.mask = new double[m.length];
    for (int k = 0; k < m.length; k++) {
      mask[k] = m[k] != 0 ? 1.0 : 0.0;
    }
  }

  /** Same data, patterns and loss with another beta (shares the mask). */
  public MultiOutputProblem withBeta(double newBeta) {
    return new MultiOutputProblem(x, y, patterns, loss, newBeta, tileDoubles);
  }

  public DenseMatrix x() {
    return x;
  }

  public DenseMatrix y() {
    return y;
  }

  public SignPatterns patterns() {
    return patterns;
  }

  public MultiOutputLoss loss() {
    return loss;
  }

  public double beta() {
    return beta;
  }

  public int n() {
    return x.rows();
  }

  public int d() {
    return x.cols();
  }

  /** Outputs c. */
  public int outputs() {
    return y.cols();
  }

  public int patternCount() {
    return patterns.count();
  }

  /** The zero d x (P c) weights. */
  public DenseMatrix zeroWeights() {
    return new DenseMatrix(d(), patternCount() * outputs());
  }

  private int tilePatterns() {
    long perPattern = (long) n() * outputs();
    return (int) Math.max(1, Math.min(patternCount(), tileDoubles / Math.max(1, perPattern)));
  }

  /** F = sum_i D_i X W_i (n x c): per tile one GEMM X W_tile, then the masked sum. */
  public DenseMatrix predict(DenseMatrix w) {
    int n = n();
    int c = outputs();
    int p = patternCount();
    int tile = tilePatterns();
    DenseMatrix f = new DenseMatrix(n, c);
    double[] fd = f.data();
    for (int i0 = 0; i0 < p; i0 += tile) {
      int k = Math.min(tile, p - i0);
      // The whole-matrix GEMM splits across the cores (linalg.Parallel); the tile copy of W
      // costs d k c, against n d k c for the product.
      DenseMatrix zt = new DenseMatrix(n, k * c);
      Blas.gemm(false, false, 1.0, x, w.columns(i0 * c, (i0 + k) * c), 0.0, zt);
      double[] z = zt.data();
      for (int i = 0; i < k; i++) {
        int mo = (i0 + i) * n;
        for (int j = 0; j < c; j++) {
          int zo = (i * c + j) * n;
          int fo = j * n;
          for (int r = 0; r < n; r++) {
            fd[fo + r] += mask[mo + r] * z[zo + r];
          }
        }
      }
    }
    return f;
  }

  /**
   * X^T R (d x P c) with R_i = D_i G: the gradient of L(predict(W)) in W given G = dL/dF, and
   * (with G = -Lambda) the dual-constraint blocks (D_i X)^T Lambda up to sign.
   */
  public DenseMatrix adjoint(DenseMatrix g) {
    int n = n();
    int c = outputs();
    int p = patternCount();
    int tile = tilePatterns();
    DenseMatrix out = zeroWeights();
    double[] gd = g.data();
    for (int i0 = 0; i0 < p; i0 += tile) {
      int k = Math.min(tile, p - i0);
      DenseMatrix rt = new DenseMatrix(n, k * c);
      double[] r = rt.data();
      for (int i = 0; i < k; i++) {
        int mo = (i0 + i) * n;
        for (int j = 0; j < c; j++) {
          int ro = (i * c + j) * n;
          int go = j * n;
          for (int row = 0; row < n; row++) {
            r[ro + row] = mask[mo + row] * gd[go + row];
          }
        }
      }
      DenseMatrix ct = new DenseMatrix(d(), k * c);
      Blas.gemm(true, false, 1.0, x, rt, 0.0, ct);
      System.arraycopy(ct.data(), 0, out.data(), i0 * c * d(), ct.data().length);
    }
    return out;
  }

  /** ||W_i||_F of block i. */
  public double blockNorm(DenseMatrix w, int i) {
    int size = d() * outputs();
    return Blas.nrm2(size, w.data(), i * size);
  }

  /** max_i ||W_i||_F. */
  public double maxBlockNorm(DenseMatrix w) {
    double m = 0.0;
    for (int i = 0; i < patternCount(); i++) {
      m = Math.max(m, blockNorm(w, i));
    }
    return m;
  }

  /** beta sum_i ||W_i||_F. */
  public double regularizer(DenseMatrix w) {
    double s = 0.0;
    for (int i = 0; i < patternCount(); i++) {
      s += blockNorm(w, i);
    }
    return beta * s;
  }

  /** The convex objective at W. */
  public double objective(DenseMatrix w) {
    return loss.valueAndGradient(predict(w), y, null) + regularizer(w);
  }

  /** Blocks with a non-zero norm (active patterns). */
  public int activeBlocks(DenseMatrix w) {
    int a = 0;
    for (int i = 0; i < patternCount(); i++) {
      a += blockNorm(w, i) > 0.0 ? 1 : 0;
    }
    return a;
  }

  /**
   * beta_max = max_i ||(D_i X)^T grad L(0)||_F: W = 0 is optimal exactly when beta &gt;= beta_max
   * (the zero weights satisfy the optimality condition 0 in grad + beta dR(0) iff every block
   * of the gradient has norm at most beta). Closed form, one adjoint pass.
   */
  public double betaMax() {
    DenseMatrix g = new DenseMatrix(n(), outputs());
    loss.valueAndGradient(new DenseMatrix(n(), outputs()), y, g);
    return maxBlockNorm(adjoint(g));
  }
}
