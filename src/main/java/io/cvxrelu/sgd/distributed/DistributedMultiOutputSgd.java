package io.cvxrelu.sgd.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.MultiOutputLoss;
import io.cvxrelu.sgd.EpochRecord;
import io.cvxrelu.sgd.MultiOutputSgdResult;
import io.cvxrelu.sgd.MultiOutputSgdTrainer;
import io.cvxrelu.sgd.SgdOptions;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@link MultiOutputSgdTrainer} (the vector-output ReLU network on the multi-class convex
 * program's objective) from several initialisations at once, one Spark task per
 * initialisation, as {@link DistributedSgd} does for one output: the training set is broadcast
 * once, and each task returns its history and its final network (as
 * {@link io.cvxrelu.multiclass.ReluVectorNetwork#toCsv}) in a {@link DistributedSgd.InitRun}
 * with the same row layout, so the comparison report reads both kinds alike.
 */
public final class DistributedMultiOutputSgd {
  private static final Logger LOG = LogManager.getLogger(DistributedMultiOutputSgd.class);

  private DistributedMultiOutputSgd() {}

  /** Runs initialisations 0 .. inits-1 (seed = base seed + k) and returns them in that order. */
  public static List<DistributedSgd.InitRun> run(SparkSession spark, MultiOutputData data,
      SgdOptions base, int inits) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<MultiOutputData> shared = jsc.broadcast(data);
    List<Integer> ks = IntStream.range(0, inits).boxed().toList();
    try {
      return jsc.parallelize(ks, Math.max(1, inits)).map(k -> runInit(shared.value(),
          base.withSeed(base.seed() + k), k)).collect();
    } finally {
      shared.destroy();
    }
  }

  /** One initialisation, run inside a Spark task (or directly, in tests). */
  public static DistributedSgd.InitRun runInit(MultiOutputData data, SgdOptions o, int k) {
    MultiOutputSgdTrainer trainer = new MultiOutputSgdTrainer(data.x(), data.y(), data.testX(),
        data.testLabels(), MultiOutputLoss.forName(data.loss()), data.beta());
    long start = System.nanoTime();
    double[] lastLog = {-1.0};
    MultiOutputSgdResult r = trainer.train(o, rec -> {
      // At most one line per 5 s of training per task, plus the first and the last epoch.
      if (rec.epoch() == 0 || rec.epoch() == o.epochs() || rec.seconds() - lastLog[0] >= 5.0) {
        lastLog[0] = rec.seconds();
        LOG.info(String.format(Locale.ROOT, "multi-output init %d epoch %d: objective %.8g, "
            + "accuracy train %.4f test %.4f, %.1fs", k, rec.epoch(), rec.objective(),
            rec.trainAccuracy(), rec.testAccuracy(), rec.seconds()));
      }
    });
    double[][] rows = new double[r.history().size()][];
    for (int i = 0; i < rows.length; i++) {
      EpochRecord e = r.history().get(i);
      rows[i] = new double[] {e.epoch(), e.samples(), e.objective(), e.trainAccuracy(),
          e.testAccuracy(), e.seconds()};
    }
    return new DistributedSgd.InitRun(k, o.seed(), r.stopReason(), rows,
        (System.nanoTime() - start) * 1e-9, r.network().toCsv());
  }

  /**
   * The broadcast training set: n x d design, n x c targets, the test design and its classes
   * (both null when none), the loss by name and beta.
   */
  public record MultiOutputData(DenseMatrix x, DenseMatrix y, DenseMatrix testX,
      int[] testLabels, String loss, double beta) implements Serializable {
    private static final long serialVersionUID = 1L;
  }
}
