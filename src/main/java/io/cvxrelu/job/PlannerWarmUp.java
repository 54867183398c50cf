package io.cvxrelu.job;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Plans a DataFrame of the prediction schema on a driver thread while the executors read the
 * data. The first DataFrame of a JVM builds Spark SQL's session state (parser, analyser,
 * optimiser rules), the row encoder and the generated code of the plan: in a predict run that
 * read its rows through Hadoop (not SQL) this was 1.9 to 2.5 s of driver time between the
 * scoring job and the write job on the shared 2-core machine (up to 19 s at a higher load),
 * the same at 10^5 and 10^6 rows, with the executors idle (docs/pipelines.md, "Against a
 * training pass"). Planning runs no Spark job and touches no file; the write then finds the
 * session state built, and that gap measured 0.4 to 1.0 s. In local mode the planning shares
 * the cores with the read, which takes as much longer.
 */
final class PlannerWarmUp {
  private static final Logger LOG = LogManager.getLogger(PlannerWarmUp.class);
  private final Thread thread;

  private PlannerWarmUp(Thread thread) {
    this.thread = thread;
  }

  /** Starts planning a DataFrame of {@code schema} over no rows, on a daemon thread. */
  static PlannerWarmUp start(SparkSession spark, StructType schema) {
    Thread t = new Thread(() -> {
      try {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // toRdd also compiles the plan's generated code on the driver, as the write's planning
        // does (the same code for the same schema), but runs no job.
        spark.createDataFrame(sc.<Row>emptyRDD(), schema).queryExecution().toRdd();
      } catch (Exception e) {
        // Only a head start: the write plans the same DataFrame itself and reports any error
        // (Exception: Scala code may throw Spark's checked exceptions undeclared).
        LOG.debug("planner warm-up failed", e);
      }
    }, "cvxrelu-planner-warm-up");
    t.setDaemon(true);
    t.start();
    return new PlannerWarmUp(t);
  }

  /**
   * Waits for the planning to end (at once after a write, which needed the same session
   * state), so that no thread of a job that succeeded outlives it. A job that fails does not
   * call this and exits without waiting: the daemon thread ends by itself, and an error it
   * meets once the session is stopped is only logged at debug level.
   */
  void await() {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
