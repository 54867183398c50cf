package io.cvxrelu.linalg;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits a large level-3 kernel into contiguous ranges run on the machine's cores, for when the
 * BLAS itself is single-threaded.
 *
 * <p>Spark's advice for native BLAS is one BLAS thread per task ({@code OPENBLAS_NUM_THREADS=1}),
 * since tasks already occupy the cores. A solver on the driver then needs its own parallelism:
 * on this project's 2-core machine one tiled kernel call reaches about 28 GFLOP/s single-threaded
 * and 40 GFLOP/s with a 2-threaded OpenBLAS (its threads split tile-sized GEMMs poorly), against
 * about 50 GFLOP/s when two Java threads each run half of the rows with one BLAS thread each.
 *
 * <p>The number of parts is {@link #threads()}: the system property {@code cvxrelu.threads} when
 * set, otherwise the available processors when {@code OPENBLAS_NUM_THREADS=1}, otherwise 1 (a
 * multi-threaded BLAS already uses the cores, and two levels of threads contend). A caller
 * always splits the same way, so results do not depend on the load; when the helper threads are
 * busy (another kernel, or a Spark task in local mode) the caller runs the remaining parts
 * itself instead of queueing.
 *
 * <p>Inside a Spark task nothing is split: an executor with c cores runs c tasks at once, one
 * per core, so a task that spread its kernels over the machine's cores would take its
 * neighbours' cores. Measured before this rule: local[2] ran a distributed gated pass at 0.75x
 * the speed of local[1], because a local[1] task already used both cores. Spark's executors
 * name their task threads "Executor task launch worker ..." ({@code Executor.scala}), which is
 * how a task thread is recognised without this Spark-free package depending on Spark.
 */
public final class Parallel {
  /** One contiguous range [from, to) of a split. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int part, int from, int to);
  }

  private static final int THREADS = resolveThreads();
  private static final Semaphore HELPERS = new Semaphore(Math.max(0, THREADS - 1));
  private static final ExecutorService POOL = THREADS > 1
      ? Executors.newFixedThreadPool(THREADS - 1, daemonFactory()) : null;

  private Parallel() {}

  /** The thread-name prefix of Spark's task threads ({@code Executor.scala}). */
  private static final String TASK_THREAD_PREFIX = "Executor task launch worker";

  /**
   * Parts a large kernel is split into on the calling thread (1: run on the calling thread);
   * always 1 in a Spark task, which owns one core.
   */
  public static int threads() {
    return inTaskSlot() ? 1 : THREADS;
  }

  /** Whether the calling thread runs a Spark task (one core of an executor). */
  public static boolean inTaskSlot() {
    return Thread.currentThread().getName().startsWith(TASK_THREAD_PREFIX);
  }

  /**
   * Parts for a kernel of {@code flops} over {@code n} splittable units: 1 below about 10^7
   * flops (the hand-off costs tens of microseconds) or when each part would get fewer than
   * {@code minUnits}.
   */
  public static int partsFor(long n, double flops, int minUnits) {
    int threads = threads();
    if (threads <= 1 || flops < 1e7) {
      return 1;
    }
    return (int) Math.max(1, Math.min(threads, n / Math.max(1, minUnits)));
  }

  /**
   * Runs {@code body} on {@code parts} contiguous ranges of [0, n) (part k gets
   * [k n / parts, (k + 1) n / parts)) and returns when all are done. Part 0 runs on the calling
   * thread; a failure in any part is rethrown.
   */
  public static void forRanges(int n, int parts, RangeBody body) {
    if (parts <= 1) {
      body.run(0, 0, n);
      return;
    }
    Future<?>[] futures = new Future<?>[parts];
    try {
      for (int k = 1; k < parts && POOL != null; k++) {
        if (!HELPERS.tryAcquire()) {
          break;
        }
        int part = k;
        futures[k] = POOL.submit(() -> {
          try {
            body.run(part, (int) ((long) part * n / parts), (int) ((long) (part + 1) * n / parts));
          } finally {
            HELPERS.release();
          }
        });
      }
      for (int k = 0; k < parts; k++) {
        if (futures[k] == null) {
          body.run(k, (int) ((long) k * n / parts), (int) ((long) (k + 1) * n / parts));
        }
      }
      for (int k = 1; k < parts; k++) {
        if (futures[k] != null) {
          futures[k].get();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in a parallel kernel", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  private static int resolveThreads() {
    String prop = System.getProperty("cvxrelu.threads");
    if (prop != null) {
      try {
        return Math.max(1, Integer.parseInt(prop.trim()));
      } catch (NumberFormatException e) {
        return 1;
      }
    }
    String blasThreads = System.getenv("OPENBLAS_NUM_THREADS");
    if (blasThreads != null && blasThreads.trim().equals("1")) {
      return Runtime.getRuntime().availableProcessors();
    }
    return 1;
  }

  private static java.util.concurrent.ThreadFactory daemonFactory() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "cvxrelu-kernel-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
