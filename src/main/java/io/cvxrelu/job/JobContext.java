package io.cvxrelu.job;

import io.cvxrelu.solver.distributed.CvxreluKryoRegistrator;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session and the file system a job runs with: the one place a job's session is
 * built. Every job takes its master by one rule ({@link #master}) and leaves every other Spark
 * setting (the UI among them) to the user's configuration: spark-submit's {@code --conf},
 * {@code spark-defaults.conf} or an existing session's; the project's Kryo registrator is
 * registered for a user who picks Kryo ({@link #kryo}).
 *
 * <p>A session that already exists (a notebook's, a test class's, spark-submit's) is reused and
 * left running; one made here is stopped by {@link #close}.
 */
final class JobContext implements AutoCloseable {
  private final SparkSession spark;
  private final boolean ownSession;
  private final HadoopIo io;

  private JobContext(SparkSession spark, boolean ownSession) {
    this.spark = spark;
    this.ownSession = ownSession;
    this.io = new HadoopIo(spark.sparkContext().hadoopConfiguration());
  }

  /** Declares {@code --master} (with the rule of {@link #master} as its help). */
  static JobOptions declareMaster(JobOptions opts) {
    return opts.option("master", null, "Spark master when not run by spark-submit (whose "
        + "--master wins); default $CVXRELU_MASTER, else local[*]");
  }

  /**
   * The master a job runs on: spark-submit's (it passes it as the {@code spark.master} system
   * property), else {@code --master}, else {@code $CVXRELU_MASTER}, else {@code local[*]}.
   */
  static String master(String option) {
    String submitted = System.getProperty("spark.master");
    if (submitted != null) {
      return submitted;
    }
    if (option != null) {
      return option;
    }
    return System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]");
  }

  /** Opens (or joins) the session of job {@code name} with the master from {@code opts}. */
  static JobContext open(String name, JobOptions opts) {
    boolean own = SparkSession.getActiveSession().isEmpty()
        && SparkSession.getDefaultSession().isEmpty();
    java.time.Instant started = java.time.Instant.now();
    SparkSession.Builder builder = SparkSession.builder().appName("cvxrelu-" + name)
        .master(master(opts.get("master")));
    JobContext job = new JobContext(kryo(builder).getOrCreate(), own);
    job.io.recordRuns(new RunRecord(name, started, opts.resolved(), job.master(),
        job.spark.version()));
    return job;
  }

  /**
   * Registers {@link CvxreluKryoRegistrator} unless the user named a registrator of their own,
   * so a user who picks Kryo ({@code --conf spark.serializer=...KryoSerializer}) gets the row
   * blocks written as class ids. The serializer itself stays the user's choice: Kryo by
   * default failed a job launched by plain {@code java} on Java 17 (Kryo cannot open
   * {@code java.nio.HeapByteBuffer} without the {@code --add-opens} flags spark-submit adds).
   * spark-submit passes {@code --conf} and {@code spark-defaults.conf} as system properties,
   * which is where a user's choice is seen; an existing session keeps its own settings.
   */
  static SparkSession.Builder kryo(SparkSession.Builder builder) {
    if (System.getProperty("spark.kryo.registrator") == null) {
      builder.config("spark.kryo.registrator", CvxreluKryoRegistrator.class.getName());
    }
    return builder;
  }

  SparkSession spark() {
    return spark;
  }

  HadoopIo io() {
    return io;
  }

  /** The master the session runs on (an existing session's may differ from the rule's). */
  String master() {
    return spark.sparkContext().master();
  }

  /** Spark's default parallelism, the partition count when none is given. */
  int defaultParallelism() {
    return spark.sparkContext().defaultParallelism();
  }

  /** Names the Spark jobs that follow in the UI and the logs. */
  void describe(String what) {
    spark.sparkContext().setJobDescription(what);
  }

  @Override
  public void close() {
    if (ownSession) {
      spark.stop();
    }
  }
}
