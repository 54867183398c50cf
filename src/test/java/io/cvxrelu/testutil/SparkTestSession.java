package io.cvxrelu.testutil;

import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of a test class, the one place its settings live: local mode with two cores
 * (or a given master), no web UI, named after the test class, and quiet through the project's
 * log4j2 settings (Spark at WARN). House style: one session per test class, started in
 * {@code @BeforeAll} and stopped in {@code @AfterAll}, never one per test method; the first
 * session in a JVM costs seconds, later ones a fraction of a second.
 *
 * <p>A job run inside the test finds this session (active on the test thread) and reuses it
 * instead of starting and stopping its own.
 */
public final class SparkTestSession {
  /** Two cores: enough for the partitioned code paths to run tasks side by side. */
  public static final String MASTER = "local[2]";

  private static final StackWalker CALLER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private SparkTestSession() {}

  /** A session on {@link #MASTER} named after the calling test class. */
  public static SparkSession start() {
    return start(MASTER, CALLER.getCallerClass());
  }

  /** A session on the given master (e.g. {@code local[2,2]}: task retries) for the caller. */
  public static SparkSession start(String master) {
    return start(master, CALLER.getCallerClass());
  }

  private static SparkSession start(String master, Class<?> testClass) {
    return SparkSession.builder().master(master).appName(testClass.getSimpleName())
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  /**
   * Stops the session (null when the class's setup failed before starting it) and forgets it,
   * so the next test class, or a job it runs, starts from a JVM without a session.
   */
  public static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }
}
