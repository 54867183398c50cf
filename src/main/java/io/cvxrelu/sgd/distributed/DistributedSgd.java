package io.cvxrelu.sgd.distributed;

import io.cvxrelu.io.NetworkCsv;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.EpochRecord;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.SgdResult;
import io.cvxrelu.sgd.SgdTrainer;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Mini-batch SGD on the non-convex two-layer ReLU objective from many initialisations at once,
 * one Spark task per initialisation (the baselines of Pilanci and Ergen 2020, Figs. 2 and 5).
 * The training set is broadcast once; each task trains one network with {@link SgdTrainer}
 * and returns its per-epoch history and its final network. Each task runs single-threaded BLAS
 * when {@code OPENBLAS_NUM_THREADS=1} (the launch scripts' default), so k tasks use k cores
 * without oversubscribing them.
 */
public final class DistributedSgd {
  private static final Logger LOG = LogManager.getLogger(DistributedSgd.class);

  private DistributedSgd() {}

  /**
   * One initialisation to run.
   *
   * @param neurons hidden width m
   * @param init initialisation index k; its seed is the base seed + k
   */
  public record Init(int neurons, int init) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Runs every initialisation as a Spark task from {@code base} (with the init's width and seed)
   * and returns the runs in the order of {@code inits}.
   */
  public static List<InitRun> run(SparkSession spark, SgdData data, SgdOptions base,
      List<Init> inits) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<SgdData> shared = jsc.broadcast(data);
    try {
      // collect() keeps the order of the tasks.
      return jsc.parallelize(inits, inits.size()).map(t -> runInit(shared.value(),
          base.withNeurons(t.neurons()).withSeed(base.seed() + t.init()), t.init())).collect();
    } finally {
      shared.destroy();
    }
  }

  /** One initialisation, run inside a Spark task. */
  public static InitRun runInit(SgdData data, SgdOptions o, int k) {
    SgdTrainer trainer = new SgdTrainer(data.features(), data.y(), data.testFeatures(),
        data.yTest(), Loss.forName(data.loss()), data.beta());
    long start = System.nanoTime();
    double[] lastLog = {-1.0};
    SgdResult r = trainer.train(o, rec -> {
      // At most one line per 2 s of training per task, plus the first and the last epoch.
      if (rec.epoch() == 0 || rec.epoch() == o.epochs() || rec.seconds() - lastLog[0] >= 2.0) {
        lastLog[0] = rec.seconds();
        LOG.info(String.format(Locale.ROOT,
            "init %d epoch %d: objective %.8g, train acc %.4f, test acc %.4f, %.1fs", k,
            rec.epoch(), rec.objective(), rec.trainAccuracy(), rec.testAccuracy(),
            rec.seconds()));
      }
    });
    double wall = (System.nanoTime() - start) * 1e-9;
    List<EpochRecord> h = r.history();
    double[][] rows = new double[h.size()][];
    for (int i = 0; i < h.size(); i++) {
      EpochRecord e = h.get(i);
      rows[i] = new double[] {e.epoch(), e.samples(), e.objective(), e.trainAccuracy(),
          e.testAccuracy(), e.seconds()};
    }
    return new InitRun(k, o.seed(), r.stopReason(), rows, wall,
        NetworkCsv.write(r.network()));
  }

  /**
   * The broadcast training set: features transposed (d x n, one row per column), labels,
   * optional test set, loss and beta. Plain arrays so Java serialisation ships it.
   */
  public record SgdData(int d, int n, double[] xT, double[] y, int nTest, double[] testXT,
      double[] yTest, String loss, double beta) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * @param x n x d training design; {@code xTest} the test design (null when none)
     */
    public static SgdData of(DenseMatrix x, double[] y, DenseMatrix xTest, double[] yTest,
        Loss loss, double beta) {
      DenseMatrix xT = x.transpose();
      DenseMatrix testXT = xTest == null ? null : xTest.transpose();
      return new SgdData(xT.rows(), xT.cols(), xT.data(), y,
          testXT == null ? 0 : testXT.cols(), testXT == null ? null : testXT.data(), yTest,
          loss.name(), beta);
    }

    DenseMatrix features() {
      return new DenseMatrix(d, n, xT);
    }

    DenseMatrix testFeatures() {
      return testXT == null ? null : new DenseMatrix(d, nTest, testXT);
    }
  }

  /**
   * One initialisation's history and its final network.
   *
   * @param rows per epoch: epoch, samples, objective, trainAccuracy, testAccuracy, seconds
   * @param networkCsv the final network as {@link NetworkCsv}
   */
  public record InitRun(int init, long seed, String stopReason, double[][] rows,
      double wallSeconds, String networkCsv) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The last epoch's row. */
    public double[] last() {
      return rows[rows.length - 1];
    }

    /** The objective after the last epoch. */
    public double finalObjective() {
      return last()[2];
    }

    /** The history as {@link EpochRecord#CSV_HEADER} rows. */
    public String historyCsv() {
      StringBuilder sb = new StringBuilder(EpochRecord.CSV_HEADER).append('\n');
      for (double[] r : rows) {
        sb.append(new EpochRecord((int) r[0], r[2], r[3], r[4], r[5], (long) r[1]).toCsv())
            .append('\n');
      }
      return sb.toString();
    }
  }
}
