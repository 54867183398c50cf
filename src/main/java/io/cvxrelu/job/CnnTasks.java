package io.cvxrelu.job;

import io.cvxrelu.cnn.relaxation.Amplification;
import io.cvxrelu.cnn.relaxation.PatchDesign;
import io.cvxrelu.cnn.relaxation.PhaseTransitionCell;
import io.cvxrelu.cnn.relaxation.RelaxationSolver;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark side of the CNN relaxation (Bartan and Pilanci): each draw of the random direction
 * r, and each cell of the phase-transition grid, is one task. The data are broadcast once;
 * the work itself is {@link Amplification} and {@link PhaseTransitionCell}, which know no
 * Spark. {@code collect()} keeps the order of the tasks.
 */
final class CnnTasks {
  private CnnTasks() {}

  /** The broadcast training data of the draws. */
  record Shared(PatchDesign design, double[] labels) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Solves the draws with the given indices (-1: the naive r = 0) as tasks. */
  static List<Amplification.Draw> draws(SparkSession spark, PatchDesign design, double[] labels,
      double beta, long seed, List<Integer> indices) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<Shared> shared = jsc.broadcast(new Shared(design, labels));
    try {
      return jsc.parallelize(indices, Math.max(1, indices.size())).map(t -> Amplification.solve(
          new RelaxationSolver(), shared.value().design(), shared.value().labels(), beta, seed,
          t)).collect();
    } finally {
      shared.destroy();
    }
  }

  /** Runs the phase-transition cells as tasks. */
  static List<PhaseTransitionCell.Result> cells(SparkSession spark,
      List<PhaseTransitionCell.Spec> specs) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return jsc.parallelize(specs, Math.max(1, specs.size())).map(PhaseTransitionCell::run)
        .collect();
  }
}
