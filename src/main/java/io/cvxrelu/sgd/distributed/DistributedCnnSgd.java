package io.cvxrelu.sgd.distributed;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.EpochRecord;
import io.cvxrelu.sgd.PooledCnnSgdResult;
import io.cvxrelu.sgd.PooledCnnSgdTrainer;
import io.cvxrelu.sgd.SgdOptions;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * SGD on the non-convex pooled CNN (shared filters, global pooling; Ergen and Pilanci 2021)
 * from many initialisations, one Spark task per initialisation: the CNN counterpart of
 * {@link DistributedSgd}. The patch matrices are broadcast once; each task trains one network
 * with {@link PooledCnnSgdTrainer} and returns its per-epoch history and its filters.
 */
public final class DistributedCnnSgd {
  private static final Logger LOG = LogManager.getLogger(DistributedCnnSgd.class);

  private DistributedCnnSgd() {}

  /**
   * Runs every initialisation as a Spark task from {@code base} (with the init's width and
   * seed) and returns the runs in the order of {@code inits}.
   */
  public static List<DistributedSgd.InitRun> run(SparkSession spark, CnnSgdData data,
      SgdOptions base, List<DistributedSgd.Init> inits) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<CnnSgdData> shared = jsc.broadcast(data);
    try {
      return jsc.parallelize(inits, inits.size()).map(t -> runInit(shared.value(),
          base.withNeurons(t.neurons()).withSeed(base.seed() + t.init()), t.init())).collect();
    } finally {
      shared.destroy();
    }
  }

  /** One initialisation, run inside a Spark task (or directly). */
  public static DistributedSgd.InitRun runInit(CnnSgdData data, SgdOptions o, int init) {
    PooledCnnSgdTrainer trainer = data.trainer();
    long start = System.nanoTime();
    double[] logged = {-1.0};
    PooledCnnSgdResult r = trainer.train(o, rec -> {
      // The first and last epoch, and at most one line per 2 s of training in between.
      boolean edge = rec.epoch() == 0 || rec.epoch() == o.epochs();
      if (edge || rec.seconds() - logged[0] >= 2.0) {
        logged[0] = rec.seconds();
        LOG.info(String.format(Locale.ROOT, "CNN init %d (m = %d) epoch %d: objective %.8g, "
            + "train acc %.4f, test acc %.4f, %.1fs", init, o.neurons(), rec.epoch(),
            rec.objective(), rec.trainAccuracy(), rec.testAccuracy(), rec.seconds()));
      }
    });
    double[][] rows = r.history().stream().map(CnnSgdData::row).toArray(double[][]::new);
    return new DistributedSgd.InitRun(init, o.seed(), r.stopReason(), rows,
        (System.nanoTime() - start) * 1e-9, r.networkCsv());
  }

  /**
   * The broadcast patches: training and test examples as hK x n patch matrices (column i is
   * example i's h x K patch matrix), labels, loss and beta, as plain arrays.
   */
  public record CnnSgdData(int h, int patches, int n, double[] patchesT, double[] y,
      int nTest, double[] testPatchesT, double[] yTest, String loss, double beta)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The patches of n x (C H W) images (and of the test images, null when none). */
    public static CnnSgdData of(PatchGeometry geometry, DenseMatrix x, double[] y,
        DenseMatrix xTest, double[] yTest, Loss loss, double beta) {
      DenseMatrix train = geometry.patchRows(x).transpose();
      DenseMatrix test = xTest == null ? null : geometry.patchRows(xTest).transpose();
      return new CnnSgdData(geometry.patchSize(), geometry.patchCount(), x.rows(),
          train.data(), y, test == null ? 0 : xTest.rows(), test == null ? null : test.data(),
          yTest, loss.name(), beta);
    }

    PooledCnnSgdTrainer trainer() {
      int rows = h * patches;
      return new PooledCnnSgdTrainer(h, patches, new DenseMatrix(rows, n, patchesT), y,
          testPatchesT == null ? null : new DenseMatrix(rows, nTest, testPatchesT), yTest,
          Loss.forName(loss), beta);
    }

    /** An epoch as {@link DistributedSgd.InitRun#rows()} holds it. */
    static double[] row(EpochRecord e) {
      return new double[] {e.epoch(), e.samples(), e.objective(), e.trainAccuracy(),
          e.testAccuracy(), e.seconds()};
    }
  }
}
