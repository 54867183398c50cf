package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * The passes over the cached row blocks that a {@link DistributedProblem} makes, in one of two
 * strategies chosen once per problem: {@link OneBlockPasses}, one task per row block over all
 * the patterns, and {@link PatternBlockPasses}, tasks over (row block, pattern block) pairs for
 * weights too large for one task. Both follow Spark MLlib's {@code RDDLossFunction}: broadcast
 * the weights (the one-block step and normal-operator passes ship weights up to 1 MB in the
 * task closure instead, {@link PassInput}), sum the blocks' contributions in partition order
 * ({@link OrderedAggregate}), and destroy the broadcasts before returning.
 */
interface RowBlockPasses {

  /**
   * The smooth part phi (the loss, plus the augmented-Lagrangian penalty when {@code mu} is
   * given) at the candidate C (may be null: NaN) and its value and gradient X^T dphi/dZ at Y.
   */
  DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point,
      JavaRDD<DenseMatrix> mu, double rho);

  /** A^T A B for the data-fit operator A: B -&gt; sum_i D_i X B_i. */
  DenseMatrix normalOperator(DenseMatrix b);

  /**
   * mu+ = (mu - rho S .* X B)_+ as a new RDD aligned with the blocks, made by
   * {@link #checkpointed} (the broadcast of B may be destroyed once it returns).
   */
  JavaRDD<DenseMatrix> updatedMultipliers(DenseMatrix b, JavaRDD<DenseMatrix> mu, double rho,
      String description);

  /**
   * The certificate statistics at B (the cone multipliers {@code mu}, or null), handed to
   * {@code certify} with the per-block dual rays {lambda_b, y_b} it may ask for.
   */
  Certificate certificate(DenseMatrix b, JavaRDD<DenseMatrix> mu, Certifier certify);

  /**
   * The sums of a certificate pass: the loss, the dual direction's moments lambda^T y and
   * ||lambda||^2, the cone violation, the largest dual scale the loss allows and the dual matrix
   * X^T (M .* lambda (+ S .* mu)).
   */
  record CertificateStats(double loss, double lambdaDotY, double lambdaNormSquared,
      double violation, double maxDualScale, DenseMatrix dualMatrix) {}

  /** Turns the statistics (and, on demand, the per-block dual rays) into a certificate. */
  interface Certifier {
    Certificate certify(CertificateStats stats, Supplier<JavaRDD<double[][]>> rays);
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
}
