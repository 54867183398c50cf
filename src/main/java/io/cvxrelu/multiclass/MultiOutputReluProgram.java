package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;

/**
 * The cone-constrained ReLU program with c outputs over P sign patterns D_i, in scnn's
 * multi-output form (Mishkin, Sahiner and Pilanci 2022; the vector-output extension of Pilanci
 * and Ergen 2020, eq. (8), with one pair of blocks per pattern and class):
 *
 * <pre>
 *   min  L( sum_i D_i X (V_i - W_i), Y ) + beta sum_{i,k} (||v_ik||_2 + ||w_ik||_2)
 *   s.t. (2 D_i - I) X v_ik &gt;= 0,  (2 D_i - I) X w_ik &gt;= 0,     v_ik, w_ik in R^d,
 * </pre>
 *
 * V_i = [v_i1 .. v_ic]. It is exact for the two-layer ReLU network whose hidden neurons each
 * feed one output: a feasible block v_ik is the neuron u = v / sqrt(||v||) with output weight
 * sqrt(||v||) on class k (w_ik: the same with a negative weight), whose ReLU equals D_i X u on
 * the data, and whose weight decay beta/2 (||u||^2 + a^2) is beta ||v|| ({@link
 * ReluVectorNetwork#recover}).
 *
 * <p>The weights are one d x 2Pc matrix B: columns [i c + k] hold v_ik and [P c + i c + k] hold
 * w_ik, so V - W is a weight matrix of the gated program {@link MultiOutputProblem}, whose
 * prediction map and adjoint this program uses. As a {@link ConvexProgram} its "patterns" are
 * the Pc (pattern, class) pairs, each with its two blocks: the augmented-Lagrangian loop of the
 * scalar ReLU program then runs on it unchanged ({@link ReluMultiOutputSolver}). The solvers
 * hold Z = X B (n x 2Pc); the cone rows of column j are S_i .* Z_j with S = 2 M - 1.
 */
public final class MultiOutputReluProgram extends ConvexProgram {
  private final MultiOutputProblem prediction;
  private final double[] mask;
  private final double[] signs;

  /**
   * @param x n x d features (a bias, if wanted, is already a column)
   * @param y n x c targets (one-hot rows for classification)
   * @param beta regularisation strength, positive
   */
  public MultiOutputReluProgram(DenseMatrix x, DenseMatrix y, SignPatterns patterns,
      MultiOutputLoss loss, double beta) {
    super(new ColumnStackedLoss(loss, y.cols()), beta, Formulation.RELU);
    this.prediction = new MultiOutputProblem(x, y, patterns, loss, beta);
    byte[] m = patterns.mask();
    this.mask = new double[m.length];
    this.signs = new double[m.length];
    for (int k = 0; k < m.length; k++) {
      mask[k] = m[k] != 0 ? 1.0 : 0.0;
      signs[k] = m[k] != 0 ? 1.0 : -1.0;
    }
  }

  /**
   * beta_max of the gated bound, max_{i,k} ||X^T D_i grad_k L(0)||: every block pair is zero
   * at the optimum from there on (the cone multipliers zero satisfy the dual constraints), as
   * {@code ConvexReluProblem.betaMax} bounds the scalar program.
   */
  public static double betaMax(DenseMatrix x, DenseMatrix y, SignPatterns patterns,
      MultiOutputLoss loss) {
    MultiOutputProblem p = new MultiOutputProblem(x, y, patterns, loss, 1.0);
    DenseMatrix g = new DenseMatrix(x.rows(), y.cols());
    loss.valueAndGradient(new DenseMatrix(x.rows(), y.cols()), y, g);
    DenseMatrix a = p.adjoint(g);
    double best = 0.0;
    for (int j = 0; j < a.cols(); j++) {
      best = Math.max(best, a.columnNorm(j));
    }
    return best;
  }

  /** The gated program with the same data, patterns, loss and beta: the prediction map. */
  public MultiOutputProblem predictionMap() {
    return prediction;
  }

  public DenseMatrix x() {
    return prediction.x();
  }

  public DenseMatrix y() {
    return prediction.y();
  }

  public MultiOutputLoss outputLoss() {
    return prediction.loss();
  }

  public SignPatterns signPatterns() {
    return prediction.patterns();
  }

  public int n() {
    return prediction.n();
  }

  @Override
  public int d() {
    return prediction.d();
  }

  /** Outputs c. */
  public int outputs() {
    return prediction.outputs();
  }

  /** Sign patterns P. */
  public int signPatternCount() {
    return prediction.patternCount();
  }

  /** The (pattern, class) pairs P c, each with a v and a w block. */
  @Override
  public int patternCount() {
    return prediction.patternCount() * prediction.outputs();
  }

  /** The sign pattern of column j of B. */
  private int patternOf(int j) {
    return (j % patternCount()) / outputs();
  }

  /** The class of column j of B. */
  public int classOf(int j) {
    return j % outputs();
  }

  /** Z = X B (n x 2Pc), one GEMM. */
  public DenseMatrix product(DenseMatrix b) {
    DenseMatrix z = new DenseMatrix(n(), b.cols());
    Blas.gemm(false, false, 1.0, x(), b, 0.0, z);
    return z;
  }

  /** F (n x c) from Z = X B: F_k = sum_i D_i (Z_{v,ik} - Z_{w,ik}). */
  public DenseMatrix predictFromProduct(DenseMatrix z) {
    int n = n();
    int c = outputs();
    int half = patternCount();
    DenseMatrix f = new DenseMatrix(n, c);
    double[] fd = f.data();
    double[] zd = z.data();
    for (int j = 0; j < half; j++) {
      int mo = patternOf(j) * n;
      int fo = classOf(j) * n;
      int vo = j * n;
      int wo = (half + j) * n;
      for (int r = 0; r < n; r++) {
        fd[fo + r] += mask[mo + r] * (zd[vo + r] - zd[wo + r]);
      }
    }
    return f;
  }

  /** F = sum_i D_i X (V_i - W_i) (n x c). */
  public DenseMatrix predict(DenseMatrix b) {
    return predictFromProduct(product(b));
  }

  /** V - W (d x Pc), a weight matrix of {@link #predictionMap()}. */
  public DenseMatrix difference(DenseMatrix b) {
    int size = d() * patternCount();
    DenseMatrix u = new DenseMatrix(d(), patternCount());
    double[] bd = b.data();
    double[] ud = u.data();
    for (int k = 0; k < size; k++) {
      ud[k] = bd[k] - bd[size + k];
    }
    return u;
  }

  /**
   * R (n x 2Pc) with R_{v,ik} = D_i G_k + S_i .* E_{v,ik} and R_{w,ik} = -D_i G_k + S_i .*
   * E_{w,ik}, so X^T R is the gradient in B of L(F) at dL/dF = G plus the cone term with
   * coefficients E (null: none).
   */
  public DenseMatrix residual(DenseMatrix g, DenseMatrix cone) {
    int n = n();
    int half = patternCount();
    DenseMatrix r = new DenseMatrix(n, 2 * half);
    double[] rd = r.data();
    double[] gd = g.data();
    for (int j = 0; j < half; j++) {
      int mo = patternOf(j) * n;
      int go = classOf(j) * n;
      int vo = j * n;
      int wo = (half + j) * n;
      for (int row = 0; row < n; row++) {
        double dg = mask[mo + row] * gd[go + row];
        rd[vo + row] = dg;
        rd[wo + row] = -dg;
      }
    }
    if (cone != null) {
      double[] e = cone.data();
      for (int j = 0; j < 2 * half; j++) {
        int so = patternOf(j) * n;
        int o = j * n;
        for (int row = 0; row < n; row++) {
          rd[o + row] += signs[so + row] * e[o + row];
        }
      }
    }
    return r;
  }

  /** X^T R (d x 2Pc), one GEMM. */
  public DenseMatrix adjoint(DenseMatrix r) {
    DenseMatrix out = new DenseMatrix(d(), r.cols());
    Blas.gemm(true, false, 1.0, x(), r, 0.0, out);
    return out;
  }

  /** The cone rows S_i .* Z_j of every column, in Z's layout (n x 2Pc). */
  public DenseMatrix coneRows(DenseMatrix z) {
    int n = n();
    DenseMatrix k = new DenseMatrix(n, z.cols());
    double[] kd = k.data();
    double[] zd = z.data();
    for (int j = 0; j < z.cols(); j++) {
      int so = patternOf(j) * n;
      int o = j * n;
      for (int row = 0; row < n; row++) {
        kd[o + row] = signs[so + row] * zd[o + row];
      }
    }
    return k;
  }

  /** max over columns and rows of the negative part of the cone rows. */
  public double coneViolation(DenseMatrix z) {
    double worst = 0.0;
    for (double v : coneRows(z).data()) {
      worst = Math.max(worst, -v);
    }
    return worst;
  }

  /** L(F, Y) + beta sum of the column norms of B. */
  public double objective(DenseMatrix b) {
    return outputLoss().valueAndGradient(predict(b), y(), null) + regularizer(b);
  }

  /** Columns of B with a non-zero norm (neurons of the recovered network). */
  public int activeBlocks(DenseMatrix b) {
    int a = 0;
    for (int j = 0; j < b.cols(); j++) {
      a += b.columnNorm(j) > 0.0 ? 1 : 0;
    }
    return a;
  }

  /**
   * The duality-gap certificate at B (product Z) with cone multipliers mu (n x 2Pc, or null for
   * zero): the dual point Lambda = -grad L(F) with mu, whose dual-constraint norms are the
   * column norms of X^T (D_i Lambda_k + S_i .* mu), scaled into the feasible set as {@link
   * MultiOutputCertificate} scales the gated program's.
   */
  public Certificate certificate(DenseMatrix b, DenseMatrix z, DenseMatrix multipliers) {
    DenseMatrix f = predictFromProduct(z);
    DenseMatrix g = new DenseMatrix(f.rows(), f.cols());
    double lossValue = outputLoss().valueAndGradient(f, y(), g);
    DenseMatrix lambda = new DenseMatrix(g.rows(), g.cols());
    for (int k = 0; k < g.data().length; k++) {
      lambda.data()[k] = -g.data()[k];
    }
    DenseMatrix c = adjoint(residual(lambda, multipliers));
    double dualNorm = 0.0;
    for (int j = 0; j < c.cols(); j++) {
      dualNorm = Math.max(dualNorm, c.columnNorm(j));
    }
    double objective = lossValue + regularizer(b);
    MultiOutputCertificate m = MultiOutputCertificate.fromDualNorm(prediction, objective,
        lambda, dualNorm);
    return Certificate.atScale(objective, m.dualScale(), m.lowerBound(), coneViolation(z));
  }

  /** A^T A B: the prediction map's normal operator, in B's layout ([A^T F, -A^T F]). */
  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    DenseMatrix a = prediction.adjoint(prediction.predict(difference(b)));
    int size = a.data().length;
    DenseMatrix out = new DenseMatrix(d(), 2 * patternCount());
    for (int k = 0; k < size; k++) {
      out.data()[k] = a.data()[k];
      out.data()[size + k] = -a.data()[k];
    }
    return out;
  }

  @Override
  public DenseMatrix gram() {
    DenseMatrix g = new DenseMatrix(d(), d());
    Blas.gemm(true, false, 1.0, x(), x(), 0.0, g);
    return g;
  }

  @Override
  public double largestLabel() {
    double m = 0.0;
    for (double v : y().data()) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
