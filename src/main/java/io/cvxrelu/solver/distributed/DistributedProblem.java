package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The convex program of Pilanci and Ergen (ICML 2020, eq. (8)) over distributed row blocks:
 * the distributed {@link ConvexProgram}, with the block layout of the weights of
 * {@link ConvexReluProblem}. Every pass is one aggregation over the cached blocks in the
 * pattern of Spark MLlib's {@code RDDLossFunction}: the d x q weights are broadcast (or, up to
 * 1 MB, shipped in the task closure, {@link PassInput}), each task adds its blocks'
 * contributions with level-3 BLAS ({@link RowBlock}), {@link OrderedAggregate} merges them in
 * partition order (deterministic bits), the driver adds the regulariser, and the broadcast is
 * destroyed before returning.
 *
 * <p>When P d is large the patterns are split into pattern blocks ({@link PatternBlocks}): the
 * loss couples the patterns only through the prediction sum_i D_i X (v_i - w_i), a sum over
 * pattern blocks, so each pass runs tasks over (row block, pattern block) pairs that hold one
 * pattern block's slice of the weights ({@link PatternBlockPasses}). With one pattern block
 * (the default) a pass is a single aggregation over the row blocks ({@link OneBlockPasses}).
 * The strategy is chosen once, when the problem is made.
 *
 * <p>Cone multipliers of the ReLU program live with the rows: an RDD of n_b x 2P matrices
 * aligned element by element with the blocks (built by mapping the blocks, so it zips with
 * them).
 */
public final class DistributedProblem extends ConvexProgram {
  private final DistributedData data;
  private final JavaSparkContext sc;
  private final int patternBlocks;
  private final RowBlockPasses passes;

  /** The program with one pattern block (every task holds all d x q weights). */
  public DistributedProblem(DistributedData data, Loss loss, double beta,
      Formulation formulation) {
    this(data, loss, beta, formulation, 1);
  }

  /**
   * @param patternBlocks K &gt;= 1: pattern blocks of the passes (at most P are used); 1 runs
   *     one task per row block over all patterns
   */
  public DistributedProblem(DistributedData data, Loss loss, double beta,
      Formulation formulation, int patternBlocks) {
    super(loss, beta, formulation);
    this.data = data;
    this.sc = JavaSparkContext.fromSparkContext(data.blocks().context());
    PatternBlocks pb = PatternBlocks.split(data.patternCount(), patternBlocks, formulation);
    this.patternBlocks = pb.count();
    this.passes = pb.count() > 1 ? new PatternBlockPasses(data, loss, formulation, pb)
        : new OneBlockPasses(data, loss, formulation);
  }

  /**
   * The pattern blocks the {@code auto} setting picks for d x q weights: ceil(d q / 2^20), so
   * that each task's slice of the weights (and its gradient piece) stays within 8 MiB.
   */
  public static int autoPatternBlocks(int d, int patterns, Formulation formulation) {
    return PatternBlocks.auto(d, patterns, formulation);
  }

  /** The number of pattern blocks K of the passes. */
  public int patternBlockCount() {
    return patternBlocks;
  }

  public DistributedData data() {
    return data;
  }

  public long n() {
    return data.n();
  }

  @Override
  public int d() {
    return data.d();
  }

  @Override
  public int patternCount() {
    return data.patternCount();
  }

  JavaSparkContext context() {
    return sc;
  }

  /** What one FISTA pass returns: phi at the candidate (NaN if none) and phi, grad at Y. */
  record Evaluation(double atCandidate, double atPoint, DenseMatrix gradient) {}

  /**
   * One pass: the smooth part phi (loss, plus the augmented-Lagrangian penalty when
   * {@code mu} is given) at the candidate C (may be null), and its value and gradient
   * X^T dphi/dZ at Y.
   */
  Evaluation evaluate(DenseMatrix candidate, DenseMatrix point, JavaRDD<DenseMatrix> mu,
      double rho) {
    return passes.evaluate(candidate, point, mu, rho);
  }

  /** A^T A B for the data-fit operator A: B -&gt; sum_i D_i X B_i, one pass. */
  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    sc.setJobDescription("cvxrelu: step size (power iteration)");
    return passes.normalOperator(b);
  }

  /** The d x d Gram matrix X^T X, one pass. */
  @Override
  public DenseMatrix gram() {
    sc.setJobDescription("cvxrelu: Gram matrix");
    return OrderedAggregate.aggregate(data.blocks(), new DenseMatrix(d(), d()), (acc, blk) -> {
      blk.addAdjoint(blk.x(), acc);
      return acc;
    }, OrderedAggregate::addInto);
  }

  @Override
  public double largestLabel() {
    sc.setJobDescription("cvxrelu: label scale");
    return data.blocks().map(b -> {
      double m = 0.0;
      for (double v : b.y()) {
        m = Math.max(m, Math.abs(v));
      }
      return m;
    }).fold(0.0, Math::max);
  }

  /** Zero cone multipliers, one n_b x 2P matrix per block, persisted. */
  JavaRDD<DenseMatrix> zeroMultipliers() {
    int q = 2 * patternCount();
    JavaRDD<DenseMatrix> mu = data.blocks().map(b -> new DenseMatrix(b.rows(), q));
    mu.persist(StorageLevel.MEMORY_AND_DISK());
    return mu;
  }

  /**
   * mu+ = (mu - rho S .* X B)_+ as a new persisted RDD, its lineage cut by a local checkpoint
   * (the multipliers are also written to the solver checkpoint every few steps). The caller
   * unpersists the old RDD once the new one is materialised.
   */
  JavaRDD<DenseMatrix> updatedMultipliers(DenseMatrix b, JavaRDD<DenseMatrix> mu, double rho) {
    return passes.updatedMultipliers(b, mu, rho, "cvxrelu: update cone multipliers");
  }

  /**
   * The duality-gap certificate at B: the construction of {@link Certificate#compute} (dual
   * direction lambda = -grad L from the residual, plus the cone multipliers, scaled into the
   * dual-feasible set with the best scale along the ray), from statistics summed over blocks.
   * Squared loss: one pass (lambda^T y and ||lambda||^2 give the scale in closed form). Other
   * losses: the per-block dual directions are cached and the concave dual objective is
   * maximised along the ray by a bracketing grid search, a pass per round.
   */
  public Certificate certificate(DenseMatrix b, JavaRDD<DenseMatrix> mu) {
    JavaRDD<DenseMatrix> multipliers = formulation() == Formulation.GATED ? null : mu;
    sc.setJobDescription("cvxrelu: certificate");
    return passes.certificate(b, multipliers, (stats, rays) -> certify(b, stats, rays));
  }

  /**
   * The certificate at B of the gated program with the squared loss from phi(B) =
   * 1/2 ||A B - y||^2 and grad phi(B) = A^T (A B - y), without a pass: the dual direction is
   * lambda = y - A B, so ||lambda||^2 = 2 phi(B), A^T lambda = -grad phi(B) and lambda^T y =
   * ||y||^2 - &lt;B, A^T y&gt; = 2 phi(0) + &lt;B, grad phi(0)&gt;. The same construction as
   * {@link #certificate} (which a pass confirms before convergence is claimed: the last
   * identity subtracts two numbers of the size of ||y||^2).
   *
   * @param atB phi and grad phi at B
   * @param atZero phi and grad phi at B = 0
   */
  Certificate squaredLossCertificate(DenseMatrix b, Evaluation atB, Evaluation atZero) {
    if (!(loss() instanceof SquaredLoss) || formulation() != Formulation.GATED) {
      throw new IllegalStateException("the pass-free certificate needs the gated squared loss");
    }
    DenseMatrix dual = atB.gradient().copy();
    double[] dd = dual.data();
    double[] bd = b.data();
    double[] g0 = atZero.gradient().data();
    double lambdaDotY = 2.0 * atZero.atPoint();
    for (int k = 0; k < dd.length; k++) {
      lambdaDotY += bd[k] * g0[k];
      dd[k] = -dd[k];
    }
    return certify(b, new RowBlockPasses.CertificateStats(atB.atPoint(), lambdaDotY,
        2.0 * atB.atPoint(), 0.0, Double.POSITIVE_INFINITY, dual), null);
  }

  /**
   * The certificate from the summed statistics: the dual direction scaled into the
   * dual-feasible set, in closed form for the squared loss, else by {@link DualRaySearch} over
   * the per-block directions {@code rays} gives (built only then).
   */
  private Certificate certify(DenseMatrix b, RowBlockPasses.CertificateStats stats,
      Supplier<JavaRDD<double[][]>> rays) {
    DenseMatrix dualMatrix = stats.dualMatrix();
    double dualNorm = 0.0;
    for (int j = 0; j < dualMatrix.cols(); j++) {
      dualNorm = Math.max(dualNorm, dualMatrix.columnNorm(j));
    }
    double objective = stats.loss() + regularizer(b);
    if (loss() instanceof SquaredLoss) {
      return Certificate.squaredLoss(objective, stats.lambdaDotY(), stats.lambdaNormSquared(),
          dualNorm, beta(), stats.violation());
    }
    double sMax = dualNorm > 0.0 ? beta() / dualNorm : Double.POSITIVE_INFINITY;
    sMax = Math.min(sMax, stats.maxDualScale());
    return DualRaySearch.certify(rays.get(), loss(), objective,
        Double.isFinite(sMax) ? sMax : 1.0, stats.violation());
  }
}
