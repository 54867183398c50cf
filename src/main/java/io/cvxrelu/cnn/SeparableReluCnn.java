package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The convex program of the ReLU separable CNN (a filter per patch; Pilanci and Ergen 2020,
 * section 5, case 1): f(x) = sum_k sum_i (x_k^T u_ik)_+ alpha_ik, and
 * <pre>
 *   min 1/2 || sum_k sum_i D_i^k X_k (v_ik - w_ik) - y ||^2 + beta sum_{k,i} (||v_ik|| + ||w_ik||)
 *   s.t. (2 D_i^k - I) X_k v_ik &gt;= 0,  (2 D_i^k - I) X_k w_ik &gt;= 0,
 * </pre>
 * the patterns D_i^k sampled on each patch matrix X_k as for the gated program
 * ({@link SeparableGatedCnn}, whose explicit design [D_1^1 X_1, ..., D_P^K X_K] gives the loss
 * here). The cones of patch k are those of the fully connected program on X_k with its
 * patterns, so each patch keeps a {@link ConvexReluProblem} on X_k (labels unused) for its
 * products Z_k = X_k B_k, adjoints and cone kernels; only the loss couples the patches.
 *
 * <p>Blocks are one h x 2P matrix [v_1..v_P, w_1..w_P] in the gated program's order (patch by
 * patch, P = sum_k P_k); cone multipliers one n x 2P matrix in the same order. With K = 1 this
 * is the fully connected ReLU program on the same patterns.
 */
public final class SeparableReluCnn extends ConvexProgram {
  private final SeparableGatedCnn gated;
  private final List<ConvexReluProblem> patches;
  private final int[] offsets;
  private final double[] y;
  private final ConvexReluProblem stacked;

  /**
   * The ReLU program over the patterns and design of a gated separable program.
   *
   * @param x the rows the gated program was built from
   */
  public SeparableReluCnn(DenseMatrix x, SeparableGatedCnn gated) {
    super(new SquaredLoss(), gated.problem().beta(), Formulation.RELU);
    this.gated = gated;
    this.y = gated.problem().y().clone();
    DenseMatrix rows = gated.geometry().patchRows(x);
    int h = gated.geometry().patchSize();
    List<ConvexReluProblem> list = new ArrayList<>();
    this.offsets = new int[gated.patterns().size() + 1];
    for (int k = 0; k < gated.patterns().size(); k++) {
      SignPatterns pk = gated.patterns().get(k);
      offsets[k + 1] = offsets[k] + pk.count();
      list.add(new ConvexReluProblem(rows.columns(k * h, (k + 1) * h), new double[y.length], pk,
          new SquaredLoss(), beta(), Formulation.RELU));
    }
    this.patches = List.copyOf(list);
    // The products of every patch with every block in one GEMM, Z = S B over the stacked
    // patches S = [X_1; ...; X_K]: the augmented Lagrangian reads patch k's diagonal block
    // (rows of X_k, columns of its patterns). Its patterns are a carrier the products ignore.
    DenseMatrix s = StackedPatches.of(x, gated.geometry()).stacked();
    this.stacked = new ConvexReluProblem(s, new double[s.rows()],
        SignPatterns.fromGates(s, list.get(0).patterns().gates()), new SquaredLoss(), beta(),
        Formulation.RELU);
  }

  /** The products S B of the stacked patches (n K x 2P), of which {@link #diagonalBlock} reads. */
  ConvexReluProblem stacked() {
    return stacked;
  }

  /** Patch k's products X_k B_k (n x 2 P_k): its rows and its patterns' columns of Z = S B. */
  DenseMatrix diagonalBlock(DenseMatrix z, int k) {
    int n = y.length;
    int pk = offsets[k + 1] - offsets[k];
    DenseMatrix rows = new DenseMatrix(n, z.cols());
    for (int j = 0; j < z.cols(); j++) {
      System.arraycopy(z.data(), j * z.rows() + k * n, rows.data(), j * n, n);
    }
    return gather(rows, offsets[k], pk, patternCount());
  }

  /** Writes the n x 2 P_k part into patch k's diagonal block of gz (n K x 2P). */
  void setDiagonalBlock(DenseMatrix part, DenseMatrix gz, int k) {
    int n = y.length;
    int pk = part.cols() / 2;
    int p = patternCount();
    for (int j = 0; j < 2 * pk; j++) {
      int col = j < pk ? offsets[k] + j : p + offsets[k] + j - pk;
      System.arraycopy(part.data(), j * n, gz.data(), col * gz.rows() + k * n, n);
    }
  }

  /** The gated program whose patterns and design this program shares. */
  public SeparableGatedCnn gated() {
    return gated;
  }

  /** The fully connected program on patch matrix X_k with its patterns. */
  public ConvexReluProblem patch(int k) {
    return patches.get(k);
  }

  /** K. */
  public int patchCount() {
    return patches.size();
  }

  /** Index of patch k's first pattern in the global order. */
  public int offset(int k) {
    return offsets[k];
  }

  public double[] y() {
    return y.clone();
  }

  /** h. */
  @Override
  public int d() {
    return gated.geometry().patchSize();
  }

  /** P = sum_k P_k. */
  @Override
  public int patternCount() {
    return offsets[offsets.length - 1];
  }

  /** The h x 2 P_k blocks [v, w] of patch k, copied out of the global h x 2P blocks. */
  public DenseMatrix blocksOf(DenseMatrix b, int k) {
    return gather(b, offsets[k], offsets[k + 1] - offsets[k], patternCount());
  }

  /** Columns [off, off + pk) and [P + off, P + off + pk) of m (any row count). */
  static DenseMatrix gather(DenseMatrix m, int off, int pk, int p) {
    int r = m.rows();
    DenseMatrix out = new DenseMatrix(r, 2 * pk);
    System.arraycopy(m.data(), off * r, out.data(), 0, pk * r);
    System.arraycopy(m.data(), (p + off) * r, out.data(), pk * r, pk * r);
    return out;
  }

  /** Writes the r x 2 pk matrix part back into columns off.. and P + off.. of m. */
  static void scatter(DenseMatrix part, DenseMatrix m, int off, int p) {
    int r = m.rows();
    int pk = part.cols() / 2;
    System.arraycopy(part.data(), 0, m.data(), off * r, pk * r);
    System.arraycopy(part.data(), pk * r, m.data(), (p + off) * r, pk * r);
  }

  /** The network output sum_k sum_i D_i^k X_k (v_ik - w_ik) and each patch's products. */
  double[] predict(DenseMatrix b, List<DenseMatrix> products) {
    double[] pred = new double[y.length];
    for (int k = 0; k < patches.size(); k++) {
      DenseMatrix z = patches.get(k).forward(blocksOf(b, k));
      products.add(z);
      double[] pk = patches.get(k).predict(z);
      for (int r = 0; r < pred.length; r++) {
        pred[r] += pk[r];
      }
    }
    return pred;
  }

  /** max |y|: the scale of the feasibility tolerance. */
  @Override
  public double largestLabel() {
    return ConeProgramCertificates.largestLabel(y);
  }

  /** A^T A B, with A: B -&gt; sum_k sum_i D_i^k X_k (v_ik - w_ik). */
  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    double[] pred = predict(b, new ArrayList<>());
    DenseMatrix out = new DenseMatrix(d(), b.cols());
    for (int k = 0; k < patches.size(); k++) {
      ConvexReluProblem pk = patches.get(k);
      DenseMatrix r = new DenseMatrix(y.length, 2 * pk.patternCount());
      pk.maskedResidual(pred, r);
      scatter(pk.adjoint(r), out, offsets[k], patternCount());
    }
    return out;
  }

  /**
   * S^T S = sum_k X_k^T X_k (h x h): its norm bounds every ||X_k||^2, the cone penalty's
   * curvature per unit rho, from above (a safe, if smaller, first step).
   */
  @Override
  public DenseMatrix gram() {
    return stacked.gram();
  }

  /**
   * The duality-gap certificate at blocks B with cone multipliers mu (n x 2P, or null): the
   * residual lambda = y - prediction and mu scaled by the best s &lt;= beta / max over blocks of
   * ||X_k^T (+-D_i^k lambda + (2 D_i^k - 1) mu_ik)||; the violation is the largest negative part
   * of (2 D_i^k - I) X_k v_ik, w_ik.
   */
  public Certificate certificate(DenseMatrix b, DenseMatrix mu) {
    List<DenseMatrix> products = new ArrayList<>();
    double[] pred = predict(b, products);
    ConeProgramCertificates.Residual res = ConeProgramCertificates.Residual.of(y, pred);
    double[] lambda = res.lambda();
    double worst = 0.0;
    double violation = 0.0;
    for (int k = 0; k < patches.size(); k++) {
      ConvexReluProblem pk = patches.get(k);
      DenseMatrix r = new DenseMatrix(y.length, 2 * pk.patternCount());
      pk.maskedResidual(lambda, r);
      if (mu != null) {
        pk.block().addConeTerm(gather(mu, offsets[k], pk.patternCount(), patternCount()), r);
      }
      DenseMatrix c = pk.adjoint(r);
      for (int j = 0; j < c.cols(); j++) {
        worst = Math.max(worst, c.columnNorm(j));
      }
      violation = Math.max(violation, pk.constraintViolation(products.get(k)));
    }
    return res.certificate(beta() * ConvexReluProblem.groupNormSum(b), beta(), worst,
        violation);
  }

  /** The neurons: v_ik gives alpha = +sqrt||v||, w_ik alpha = -sqrt||w||, no gate (ReLU). */
  public List<SeparableGatedCnn.Neuron> recover(SolverResult result) {
    DenseMatrix b = result.weights();
    int h = d();
    int p = patternCount();
    List<SeparableGatedCnn.Neuron> neurons = new ArrayList<>();
    for (int j = 0; j < 2 * p; j++) {
      double norm = b.columnNorm(j);
      if (norm > 0.0) {
        int k = 0;
        while (offsets[k + 1] <= j % p) {
          k++;
        }
        double[] u = b.column(j);
        for (int t = 0; t < h; t++) {
          u[t] /= Math.sqrt(norm);
        }
        neurons.add(new SeparableGatedCnn.Neuron(k, null, u,
            (j < p ? 1.0 : -1.0) * Math.sqrt(norm)));
      }
    }
    return neurons;
  }
}
