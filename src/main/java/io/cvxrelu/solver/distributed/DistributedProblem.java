package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import java.io.Serializable;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The convex program of Pilanci and Ergen (ICML 2020, eq. (8)) over distributed row blocks:
 * the distributed counterpart of {@link ConvexReluProblem}, with the same block layout of the
 * weights. Every method is one pass over the cached blocks in the pattern of Spark MLlib's
 * {@code RDDLossFunction}: the d x q weights are broadcast, each task adds its blocks'
 * contributions with level-3 BLAS ({@link RowBlock}), {@link OrderedAggregate} merges them
 * in partition order (deterministic bits), the
 * driver adds the regulariser, and the broadcast is destroyed before returning.
 *
 * <p>When P d is large the patterns are split into pattern blocks ({@link PatternBlocks}): the
 * loss couples the patterns only through the prediction sum_i D_i X (v_i - w_i), a sum over
 * pattern blocks, so each pass runs tasks over (row block, pattern block) pairs that hold one
 * pattern block's slice of the weights, and sums the partial predictions per row block before
 * the adjoint products are formed per pattern block ({@link PatternBlockPasses}). With one
 * pattern block (the default) a pass is a single aggregation over the row blocks.
 *
 * <p>Cone multipliers of the ReLU program live with the rows: an RDD of n_b x 2P matrices
 * aligned element by element with the blocks (built by mapping the blocks, so it zips with
 * them).
 */
public final class DistributedProblem {
  private final DistributedData data;
  private final JavaSparkContext sc;
  private final Loss loss;
  private final double beta;
  private final Formulation formulation;
  private final PatternBlocks patternBlocks;

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
    if (!(beta > 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be a positive finite number, got " + beta);
    }
    this.data = data;
    this.sc = JavaSparkContext.fromSparkContext(data.blocks().context());
    this.loss = loss;
    this.beta = beta;
    this.formulation = formulation;
    this.patternBlocks = PatternBlocks.split(data.patternCount(), patternBlocks, formulation);
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
    return patternBlocks.count();
  }

  public DistributedData data() {
    return data;
  }

  public Loss loss() {
    return loss;
  }

  public double beta() {
    return beta;
  }

  public Formulation formulation() {
    return formulation;
  }

  public long n() {
    return data.n();
  }

  public int d() {
    return data.d();
  }

  public int patternCount() {
    return data.patternCount();
  }

  /** Number of weight blocks q: 2P for ReLU, P for gated. */
  public int blockCount() {
    return formulation.blockCount(patternCount());
  }

  JavaSparkContext context() {
    return sc;
  }

  /** beta sum_j ||B_j||, evaluated on the driver. */
  public double regularizer(DenseMatrix b) {
    return beta * ConvexReluProblem.groupNormSum(b);
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
    if (patternBlocks.count() > 1) {
      return PatternBlockPasses.evaluate(this, patternBlocks, candidate, point, mu, rho);
    }
    Broadcast<DenseMatrix[]> bw = sc.broadcast(new DenseMatrix[] {candidate, point});
    Loss l = loss;
    Formulation f = formulation;
    try {
      StepSums zero = new StepSums(d(), blockCount());
      StepSums sums;
      if (mu == null) {
        sums = OrderedAggregate.aggregate(data.blocks(), zero,
            (acc, b) -> acc.add(b, null, bw.value(), l, f, rho), StepSums::merge);
      } else {
        sums = OrderedAggregate.aggregate(zipped(mu), zero,
            (acc, t) -> acc.add(t._1(), t._2(), bw.value(), l, f, rho), StepSums::merge);
      }
      return new Evaluation(candidate == null ? Double.NaN : sums.atCandidate, sums.atPoint,
          sums.gradient);
    } finally {
      bw.destroy();
    }
  }

  /** A^T A B for the data-fit operator A: B -&gt; sum_i D_i X B_i (power iteration). */
  DenseMatrix normalOperator(DenseMatrix b) {
    if (patternBlocks.count() > 1) {
      return PatternBlockPasses.normalOperator(this, patternBlocks, b);
    }
    Broadcast<DenseMatrix> bb = sc.broadcast(b);
    Formulation f = formulation;
    try {
      return OrderedAggregate.aggregate(data.blocks(), new DenseMatrix(d(), b.cols()),
          (acc, blk) -> {
        DenseMatrix z = blk.forward(bb.value());
        double[] p = new double[blk.rows()];
        blk.predict(z, f, p);
        blk.maskedResidual(p, f, z);
        blk.addAdjoint(z, acc);
        return acc;
      }, DistributedProblem::addInto);
    } finally {
      bb.destroy();
    }
  }

  /** The d x d Gram matrix X^T X. */
  DenseMatrix gram() {
    return OrderedAggregate.aggregate(data.blocks(), new DenseMatrix(d(), d()), (acc, blk) -> {
      blk.addAdjoint(blk.x(), acc);
      return acc;
    }, DistributedProblem::addInto);
  }

  private static DenseMatrix addInto(DenseMatrix a, DenseMatrix b) {
    double[] ad = a.data();
    double[] bd = b.data();
    for (int k = 0; k < ad.length; k++) {
      ad[k] += bd[k];
    }
    return a;
  }

  private JavaPairRDD<RowBlock, DenseMatrix> zipped(JavaRDD<DenseMatrix> mu) {
    return data.blocks().zip(mu);
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
   * unpersists the old RDD once the new one is materialised. B is broadcast, and the broadcast
   * is destroyed only once the new RDD is materialised and checkpointed: from then on its
   * partitions are read from the checkpoint and never recomputed from the closure that reads
   * B. (Before that point a failed task is retried with the broadcast still alive.)
   */
  JavaRDD<DenseMatrix> updatedMultipliers(DenseMatrix b, JavaRDD<DenseMatrix> mu, double rho) {
    String description = "cvxrelu: update cone multipliers";
    if (patternBlocks.count() > 1) {
      return PatternBlockPasses.updatedMultipliers(this, patternBlocks, b, mu, rho, description);
    }
    Broadcast<DenseMatrix> bb = sc.broadcast(b);
    try {
      return checkpointed(zipped(mu).map(t -> {
        RowBlock blk = t._1();
        DenseMatrix out = new DenseMatrix(blk.rows(), t._2().cols());
        blk.updatedMultipliers(blk.forward(bb.value()), t._2(), rho, out);
        return out;
      }), description);
    } finally {
      bb.destroy();
    }
  }

  /**
   * {@code rdd}'s elements as a persisted, locally checkpointed and materialised RDD that no
   * longer refers to {@code rdd}: what {@code rdd}'s closures read (a broadcast) may be
   * destroyed afterwards. The checkpointed RDD is an identity map of {@code rdd} because a
   * checkpoint clears an RDD's dependencies but not its own closure, and every later task that
   * reads the RDD serializes that closure (a destroyed broadcast fails to serialize); the
   * identity closure reads nothing. Fails if Spark did not checkpoint it.
   */
  static <T> JavaRDD<T> checkpointed(JavaRDD<T> rdd, String description) {
    JavaRDD<T> cut = rdd.map(e -> e);
    cut.persist(StorageLevel.MEMORY_AND_DISK());
    cut.rdd().localCheckpoint();
    JavaSparkContext.fromSparkContext(rdd.context()).setJobDescription(description);
    cut.count();
    if (!cut.rdd().isCheckpointed()) {
      cut.unpersist(false);
      throw new IllegalStateException("Spark did not checkpoint the RDD of " + description);
    }
    return cut;
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
    JavaRDD<DenseMatrix> multipliers = formulation == Formulation.GATED ? null : mu;
    sc.setJobDescription("cvxrelu: certificate");
    if (patternBlocks.count() > 1) {
      JavaRDD<RowBlock> blocks = data.blocks();
      return PatternBlockPasses.certificate(this, patternBlocks, b, multipliers,
          (st, states) -> certify(b, st.loss(), st.lambdaDotY(), st.lambdaNormSquared(),
              st.violation(), st.maxDualScale(), st.dualMatrix(),
              () -> blocks.zip(states).map(t -> new double[][] {t._2().g, t._1().y()})));
    }
    Broadcast<DenseMatrix> bb = sc.broadcast(b);
    Loss l = loss;
    Formulation f = formulation;
    try {
      CertificateSums zero = new CertificateSums(d(), blockCount());
      CertificateSums sums;
      if (multipliers == null) {
        sums = OrderedAggregate.aggregate(data.blocks(), zero,
            (acc, blk) -> acc.add(blk, null, bb, l, f),
            CertificateSums::merge);
      } else {
        sums = OrderedAggregate.aggregate(zipped(multipliers), zero,
            (acc, t) -> acc.add(t._1(), t._2(), bb, l, f),
            CertificateSums::merge);
      }
      return certify(b, sums.loss, sums.lambdaDotY, sums.lambdaNormSquared, sums.violation,
          sums.maxDualScale, sums.dualMatrix, () -> data.blocks().map(blk -> {
            double[] lambda = new double[blk.rows()];
            lossAndDualDirection(blk, blk.forward(bb.value()), l, f, lambda);
            return new double[][] {lambda, blk.y()};
          }));
    } finally {
      bb.destroy();
    }
  }

  /**
   * The certificate from the summed statistics: the dual direction scaled into the
   * dual-feasible set, in closed form for the squared loss, else by {@link DualRaySearch} over
   * the per-block directions {@code rays} gives (built only then).
   */
  private Certificate certify(DenseMatrix b, double lossValue, double lambdaDotY,
      double lambdaNormSquared, double violation, double maxDualScale, DenseMatrix dualMatrix,
      java.util.function.Supplier<JavaRDD<double[][]>> rays) {
    double dualNorm = 0.0;
    for (int j = 0; j < dualMatrix.cols(); j++) {
      dualNorm = Math.max(dualNorm, dualMatrix.columnNorm(j));
    }
    double objective = lossValue + regularizer(b);
    double sMax = dualNorm > 0.0 ? beta / dualNorm : Double.POSITIVE_INFINITY;
    sMax = Math.min(sMax, maxDualScale);
    if (loss instanceof SquaredLoss) {
      double s = Certificate.squaredLossScale(lambdaDotY, lambdaNormSquared, sMax);
      double lower = s * lambdaDotY - 0.5 * s * s * lambdaNormSquared;
      return Certificate.atScale(objective, s, lower, violation);
    }
    return DualRaySearch.certify(rays.get(), loss, objective,
        Double.isFinite(sMax) ? sMax : 1.0, violation);
  }

  /** Per-task sums of one FISTA pass. */
  static final class StepSums implements Serializable {
    private static final long serialVersionUID = 1L;
    double atCandidate;
    double atPoint;
    final DenseMatrix gradient;

    StepSums(int d, int q) {
      gradient = new DenseMatrix(d, q);
    }

    /** @param weights the candidate C (or null) and the point Y */
    StepSums add(RowBlock blk, DenseMatrix mu, DenseMatrix[] weights, Loss loss, Formulation f,
        double rho) {
      int n = blk.rows();
      double[] pred = new double[n];
      if (weights[0] != null) {
        DenseMatrix zc = blk.forward(weights[0]);
        blk.predict(zc, f, pred);
        atCandidate += loss.value(pred, blk.y());
        if (mu != null) {
          atCandidate += blk.augmentedPenalty(zc, mu, rho, null);
        }
      }
      DenseMatrix z = blk.forward(weights[1]);
      blk.predict(z, f, pred);
      double[] g = new double[n];
      atPoint += loss.valueAndGradient(pred, blk.y(), g);
      // z is consumed: reuse it for the masked residual dphi/dZ.
      DenseMatrix zy = mu != null ? z.copy() : null;
      blk.maskedResidual(g, f, z);
      if (mu != null) {
        atPoint += blk.augmentedPenalty(zy, mu, rho, z);
      }
      blk.addAdjoint(z, gradient);
      return this;
    }

    StepSums merge(StepSums o) {
      atCandidate += o.atCandidate;
      atPoint += o.atPoint;
      addInto(gradient, o.gradient);
      return this;
    }
  }

  /** Per-task sums of a certificate pass. */
  static final class CertificateSums implements Serializable {
    private static final long serialVersionUID = 1L;
    double loss;
    double lambdaDotY;
    double lambdaNormSquared;
    double violation;
    double maxDualScale = Double.POSITIVE_INFINITY;
    final DenseMatrix dualMatrix;

    CertificateSums(int d, int q) {
      dualMatrix = new DenseMatrix(d, q);
    }

    CertificateSums add(RowBlock blk, DenseMatrix mu, Broadcast<DenseMatrix> b, Loss l,
        Formulation f) {
      int n = blk.rows();
      DenseMatrix z = blk.forward(b.value());
      if (f == Formulation.RELU) {
        violation = Math.max(violation, blk.constraintViolation(z));
      }
      double[] lambda = new double[n];
      loss += lossAndDualDirection(blk, z, l, f, lambda);
      double[] y = blk.y();
      for (int k = 0; k < n; k++) {
        lambdaDotY += lambda[k] * y[k];
        lambdaNormSquared += lambda[k] * lambda[k];
      }
      maxDualScale = Math.min(maxDualScale, l.maxDualScale(lambda, y));
      blk.maskedResidual(lambda, f, z);
      if (mu != null) {
        blk.addConeTerm(mu, z);
      }
      blk.addAdjoint(z, dualMatrix);
      return this;
    }

    CertificateSums merge(CertificateSums o) {
      loss += o.loss;
      lambdaDotY += o.lambdaDotY;
      lambdaNormSquared += o.lambdaNormSquared;
      violation = Math.max(violation, o.violation);
      maxDualScale = Math.min(maxDualScale, o.maxDualScale);
      addInto(dualMatrix, o.dualMatrix);
      return this;
    }
  }

  /** Writes lambda = -grad L(prediction) of one block into {@code lambda}; returns L. */
  static double lossAndDualDirection(RowBlock blk, DenseMatrix z, Loss l, Formulation f,
      double[] lambda) {
    double[] pred = new double[blk.rows()];
    blk.predict(z, f, pred);
    double value = l.valueAndGradient(pred, blk.y(), lambda);
    for (int k = 0; k < lambda.length; k++) {
      lambda[k] = -lambda[k];
    }
    return value;
  }
}
