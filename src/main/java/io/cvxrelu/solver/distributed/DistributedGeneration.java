package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.DualPatternSearch;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.generation.ColumnGeneration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Column generation ({@link ColumnGeneration}) on a cluster: each round's program is solved by
 * the distributed solver over cached row blocks (warm-started from the previous round), and the
 * dual search for violating gates (Pilanci and Ergen 2020: a gate u with
 * |lambda^T (X u)_+| &gt; beta names a pattern that lowers the objective) is a map over the row
 * blocks: each block keeps its lambda_b = -s grad L(prediction_b) next to its rows, and every
 * fixed-point step of {@link DualPatternSearch} is one pass summing the blocks'
 * {@link DualPatternSearch.Pass}es in partition order (two GEMMs per block for all starts).
 *
 * <p>The blocks are rebuilt when patterns are added (their masks are computed on the
 * executors from the broadcast gates); the previous blocks, the lambdas and every broadcast are
 * released as soon as the next round no longer needs them. Close it after the loop.
 */
public final class DistributedGeneration implements ColumnGeneration.Backend, AutoCloseable {
  private final JavaSparkContext sc;
  private final int partitions;
  private DistributedData data;
  private JavaRDD<double[]> lambdas;
  /** The weights lambdas were computed from: kept until lambdas go, for recomputation. */
  private Broadcast<DenseMatrix> lambdaWeights;

  public DistributedGeneration(SparkSession spark, int partitions) {
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.partitions = partitions;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    release();
    data = DistributedData.fromMatrix(sc, problem.x(), problem.y(), problem.patterns().gates(),
        partitions, DistributedData.blockRowsFor(problem.n(), partitions));
    DistributedProblem dp = new DistributedProblem(data, problem.loss(), problem.beta(),
        problem.formulation());
    return WarmStartedDistributedSolver.of(DistributedSolver.forFormulation(
        problem.formulation())).solve(dp, warmStart, options, listener, null, false);
  }

  @Override
  public DualPatternSearch.PassFunction passes(ConvexReluProblem problem, SolverResult result,
      double dualScale) {
    releaseLambdas();
    Loss loss = problem.loss();
    Formulation f = problem.formulation();
    Broadcast<DenseMatrix> weights = sc.broadcast(result.weights());
    sc.setJobDescription("cvxrelu: dual point for the pattern search");
    lambdas = data.blocks().map(blk -> {
      double[] lambda = new double[blk.rows()];
      blk.dualDirection(blk.forward(weights.value()), loss, f, lambda);
      for (int k = 0; k < lambda.length; k++) {
        lambda[k] *= dualScale;
      }
      return lambda;
    });
    lambdas.persist(StorageLevel.MEMORY_AND_DISK());
    lambdas.count();
    lambdaWeights = weights;
    JavaRDD<double[]> lam = lambdas;
    int d = problem.d();
    return (u, sign) -> {
      Broadcast<DenseMatrix> gates = sc.broadcast(u);
      try {
        sc.setJobDescription("cvxrelu: pattern search step");
        DualPatternSearch.Pass zero = new DualPatternSearch.Pass(new double[u.cols()],
            new DenseMatrix(d, u.cols()));
        return OrderedAggregate.aggregate(data.blocks().zip(lam),
            zero, (acc, t) -> acc.add(DualPatternSearch.pass(t._1().x(), t._2(), sign,
                gates.value())), DualPatternSearch.Pass::add);
      } finally {
        gates.destroy();
      }
    };
  }

  private void releaseLambdas() {
    if (lambdas != null) {
      lambdas.unpersist(false);
      lambdas = null;
    }
    if (lambdaWeights != null) {
      lambdaWeights.destroy();
      lambdaWeights = null;
    }
  }

  private void release() {
    releaseLambdas();
    if (data != null) {
      data.close();
      data = null;
    }
  }

  @Override
  public void close() {
    release();
  }
}
