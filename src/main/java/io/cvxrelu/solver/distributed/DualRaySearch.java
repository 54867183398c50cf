package io.cvxrelu.solver.distributed;

import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.Certificate;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * The best scale s in [0, sMax] of the dual direction lambda for a loss without a closed form
 * (logistic): maximises the concave F(s) = -L*(-s lambda) = sum over blocks of the loss's dual
 * objective. The per-block directions are cached once; each round evaluates F on a grid of
 * {@value #GRID} points in one pass and keeps the two cells around the best point, which by
 * concavity contain the maximiser, so the bracket shrinks {@value #GRID}/2-fold per round.
 */
public final class DualRaySearch {
  static final int GRID = 33;
  static final int ROUNDS = 8;

  private DualRaySearch() {}

  /**
   * @param rays per row block {lambda_b, y_b}, not yet persisted (persisted here for the rounds
   *     and released before returning)
   */
  static Certificate certify(JavaRDD<double[][]> rays, Loss loss, double objective, double sMax,
      double violation) {
    rays.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      double lo = 0.0;
      double hi = sMax;
      for (int round = 0; round < ROUNDS && hi > lo; round++) {
        double[] s = new double[GRID];
        for (int i = 0; i < GRID; i++) {
          s[i] = lo + (hi - lo) * i / (GRID - 1);
        }
        double[] values = evaluate(rays, loss, s);
        int best = 0;
        for (int i = 1; i < GRID; i++) {
          if (values[i] > values[best]) {
            best = i;
          }
        }
        lo = s[Math.max(best - 1, 0)];
        hi = s[Math.min(best + 1, GRID - 1)];
      }
      double mid = 0.5 * (lo + hi);
      double[] last = evaluate(rays, loss, new double[] {mid, sMax});
      // As on a single node, the end point is often optimal (the dual constraint binds).
      return last[1] >= last[0] ? Certificate.atScale(objective, sMax, last[1], violation)
          : Certificate.atScale(objective, mid, last[0], violation);
    } finally {
      rays.unpersist(false);
    }
  }

  /** F at each scale, one pass. */
  private static double[] evaluate(JavaRDD<double[][]> rays, Loss loss, double[] scales) {
    problemContext(rays).setJobDescription("cvxrelu: certificate (dual scale search)");
    return OrderedAggregate.aggregate(rays, new double[scales.length], (acc, ray) -> {
      double[] lambda = ray[0];
      double[] scaled = new double[lambda.length];
      for (int i = 0; i < scales.length; i++) {
        for (int k = 0; k < lambda.length; k++) {
          scaled[k] = scales[i] * lambda[k];
        }
        acc[i] += loss.dualObjective(scaled, ray[1]);
      }
      return acc;
    }, OrderedAggregate::addInto);
  }

  private static org.apache.spark.api.java.JavaSparkContext problemContext(JavaRDD<?> rdd) {
    return org.apache.spark.api.java.JavaSparkContext.fromSparkContext(rdd.context());
  }
}
