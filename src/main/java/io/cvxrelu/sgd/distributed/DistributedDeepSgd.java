package io.cvxrelu.sgd.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.sgd.DeepSgdOptions;
import io.cvxrelu.sgd.DeepSgdResult;
import io.cvxrelu.sgd.DeepSgdTrainer;
import io.cvxrelu.sgd.EpochRecord;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * {@link DeepSgdTrainer} from many initialisations at once, one Spark task per initialisation,
 * as {@link DistributedSgd} does for the two-layer network: the training set is broadcast once
 * and each task returns its history and its final L-layer network (as
 * {@link io.cvxrelu.deep.DeepNetwork#toCsv}) in a {@link DistributedSgd.InitRun}.
 */
public final class DistributedDeepSgd {
  private static final Logger LOG = LogManager.getLogger(DistributedDeepSgd.class);

  private DistributedDeepSgd() {}

  /** Runs initialisations 0 .. inits-1 (seed = base seed + k), in that order. */
  public static List<DistributedSgd.InitRun> run(SparkSession spark, DeepData data,
      DeepSgdOptions base, int inits) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<DeepData> shared = jsc.broadcast(data);
    List<Integer> ks = java.util.stream.IntStream.range(0, inits).boxed().toList();
    try {
      return jsc.parallelize(ks, Math.max(1, inits)).map(k -> runInit(shared.value(),
          base.withSeed(base.seed() + k), k)).collect();
    } finally {
      shared.destroy();
    }
  }

  /** One initialisation, run inside a Spark task. */
  public static DistributedSgd.InitRun runInit(DeepData data, DeepSgdOptions o, int k) {
    DeepSgdTrainer trainer = new DeepSgdTrainer(data.x(), data.y(), data.testX(), data.yTest(),
        data.beta());
    long start = System.nanoTime();
    double[] lastLog = {-1.0};
    DeepSgdResult r = trainer.train(o, rec -> {
      if (rec.epoch() == 0 || rec.epoch() == o.epochs() || rec.seconds() - lastLog[0] >= 2.0) {
        lastLog[0] = rec.seconds();
        LOG.info(String.format(Locale.ROOT, "init %d epoch %d: objective %.8g, train acc %.4f, "
            + "test acc %.4f, %.1fs", k, rec.epoch(), rec.objective(), rec.trainAccuracy(),
            rec.testAccuracy(), rec.seconds()));
      }
    });
    double wall = (System.nanoTime() - start) * 1e-9;
    // The row layout of DistributedSgd.InitRun, so train-sgd writes both kinds alike.
    double[][] rows = r.history().stream().map(DistributedDeepSgd::row)
        .toArray(double[][]::new);
    return new DistributedSgd.InitRun(k, o.seed(), r.stopReason(), rows, wall,
        r.network().toCsv());
  }

  private static double[] row(EpochRecord e) {
    return new double[] {e.epoch(), e.samples(), e.objective(), e.trainAccuracy(),
        e.testAccuracy(), e.seconds()};
  }

  /** The broadcast training set: n x d features, n x K targets, optional test set, beta. */
  public record DeepData(DenseMatrix x, DenseMatrix y, DenseMatrix testX, DenseMatrix yTest,
      double beta) implements Serializable {
    private static final long serialVersionUID = 1L;
  }
}
