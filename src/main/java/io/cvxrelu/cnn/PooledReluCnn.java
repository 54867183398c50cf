package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverResult;

/**
 * The convex program of the ReLU CNN with shared filters and global pooling, f(x) = sum_j
 * alpha_j sum_k (x_k^T u_j)_+ (Ergen and Pilanci, "Implicit convex regularizers of CNN
 * architectures", ICLR 2021; Pilanci and Ergen, ICML 2020, section 5):
 * <pre>
 *   min 1/2 || sum_i sum_k D_i^k X_k (v_i - w_i) - y ||^2 + beta sum_i (||v_i|| + ||w_i||)
 *   s.t. (2 D_i^k - I) X_k v_i &gt;= 0,  (2 D_i^k - I) X_k w_i &gt;= 0   for all i, k.
 * </pre>
 * On the stacked patches S = [X_1; ...; X_K] (nK x h, {@link StackedPatches}) the cone
 * constraints, the regulariser and the blocks are exactly those of the fully connected program
 * on S with the same patterns; only the loss differs, which sums the K rows of each example
 * before comparing with y. So the program keeps a {@link ConvexReluProblem} on S (its labels
 * unused) for the products Z = S B, its adjoint and the cone kernels, and pools Z's masked
 * predictions itself: every pass is a GEMM on S, and no D_i^k X_k is formed.
 *
 * <p>Dual: max lambda^T y - 1/2 ||lambda||^2 s.t. ||A_i^T lambda + K_i^T mu_i|| &lt;= beta,
 * ||-A_i^T lambda + K_i^T nu_i|| &lt;= beta, mu, nu &gt;= 0, with A_i^T lambda = S^T D_i lift(lambda)
 * and K_i = (2 D_i - I) S; {@link #certificate} scales the residual and the cone multipliers
 * into that set.
 */
public final class PooledReluCnn extends ConvexProgram {
  private final StackedPatches stack;
  private final ConvexReluProblem stacked;
  private final double[] y;
  private final PatchGeometry geometry;

  /** The program over the given patterns of the stack. */
  public PooledReluCnn(StackedPatches stack, SignPatterns patterns, double[] y,
      PatchGeometry geometry, double beta) {
    super(new SquaredLoss(), beta, Formulation.RELU);
    if (y.length != stack.examples()) {
      throw new IllegalArgumentException(stack.examples() + " examples but " + y.length
          + " targets");
    }
    this.stack = stack;
    this.stacked = new ConvexReluProblem(stack.stacked(), new double[stack.stacked().rows()],
        patterns, new SquaredLoss(), beta, Formulation.RELU);
    this.y = y.clone();
    this.geometry = geometry;
  }

  /** The fully connected program on the stacked patches (products, adjoint, cone kernels). */
  public ConvexReluProblem stacked() {
    return stacked;
  }

  public StackedPatches stack() {
    return stack;
  }

  public double[] y() {
    return y.clone();
  }

  public PatchGeometry geometry() {
    return geometry;
  }

  @Override
  public int d() {
    return stack.patchSize();
  }

  @Override
  public int patternCount() {
    return stacked.patternCount();
  }

  /** The pooled output sum_i sum_k D_i^k (Z_v,i - Z_w,i) for Z = S B (nK x 2P). */
  public double[] predict(DenseMatrix z) {
    return stack.pool(stacked.predict(z));
  }

  /** 1/2 ||predict(S B) - y||^2 + beta sum ||b_j|| (constraints not checked). */
  public double objective(DenseMatrix b) {
    double[] pred = predict(stacked.forward(b));
    double loss = 0.0;
    for (int r = 0; r < pred.length; r++) {
      loss += (pred[r] - y[r]) * (pred[r] - y[r]);
    }
    return 0.5 * loss + regularizer(b);
  }

  /** Writes into gz (nK x 2P) D_i lift(g) for v_i and -D_i lift(g) for w_i: A^T g before S^T. */
  void liftedResidual(double[] g, DenseMatrix gz) {
    stacked.maskedResidual(stack.lift(g), gz);
  }

  /** A^T A B, with A: B -&gt; predict(S B). */
  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    double[] pred = predict(stacked.forward(b));
    DenseMatrix r = new DenseMatrix(stack.stacked().rows(), b.cols());
    liftedResidual(pred, r);
    return stacked.adjoint(r);
  }

  /** S^T S (h x h): the cone penalty's curvature per unit rho. */
  @Override
  public DenseMatrix gram() {
    return stacked.gram();
  }

  @Override
  public double largestLabel() {
    return ConeProgramCertificates.largestLabel(y);
  }

  /**
   * The duality-gap certificate at blocks B with Z = S B and cone multipliers mu (nK x 2P, or
   * null for mu = 0): lambda = y - predict(Z), the pair (lambda, mu) scaled by the best
   * s &lt;= beta / max_j ||S^T (D_j lift(lambda) + (2 D_j - 1) mu_j)|| (closed form for the
   * squared loss). The violation is the largest negative part of (2 D_i^k - I) X_k v_i, w_i.
   */
  public Certificate certificate(DenseMatrix b, DenseMatrix z, DenseMatrix mu) {
    ConeProgramCertificates.Residual res = ConeProgramCertificates.Residual.of(y, predict(z));
    DenseMatrix r = new DenseMatrix(z.rows(), z.cols());
    liftedResidual(res.lambda(), r);
    if (mu != null) {
      stacked.block().addConeTerm(mu, r);
    }
    DenseMatrix c = stacked.adjoint(r);
    double worst = 0.0;
    for (int j = 0; j < c.cols(); j++) {
      worst = Math.max(worst, c.columnNorm(j));
    }
    return res.certificate(regularizer(b), beta(), worst, stacked.constraintViolation(z));
  }

  /** The ReLU network of a solution: v_i gives alpha = +sqrt||v_i||, w_i alpha = -sqrt||w_i||. */
  public PooledCnn recover(SolverResult result) {
    return PooledCnn.reluFromBlocks(geometry, result.weights());
  }
}
