package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * The FISTA passes of the gated program served by resident tasks: one Spark barrier stage
 * (Spark's barrier execution mode, SPARK-24374) whose tasks stay up across passes, each holding
 * its partition's cached row blocks, instead of one Spark job per pass.
 *
 * <p><b>Why.</b> Every Spark job costs a fixed 25-50 ms here (each executor fetches the
 * stage's task binary, the driver runs its closure cleaner and launches the tasks;
 * docs/distributed.md), the same with one executor core as with two, so one job per pass caps
 * what more cores gain when a pass is short. Spark's own {@link BarrierTaskContext#allGather}
 * does not serve: a task waiting for it polls in steps of one second.
 *
 * <p><b>How.</b> The driver opens a server socket, submits the barrier stage and accepts one
 * connection per partition, authenticated by a random token that travels in the task closure
 * (so with Spark's authentication on, only a party that can read the closure can connect). A
 * pass sends the candidate (or nothing) and the point to every task; each task sums its blocks'
 * {@link OneBlockPasses.StepSums} exactly as a pass's task does and returns them; the driver
 * merges the partitions' sums in partition order by {@link OrderedAggregate}'s tree
 * ({@link OrderedAggregate#mergeInOrder}). The sums, and so the iterates, are those of
 * {@link OneBlockPasses} bit for bit. The FISTA iteration, the certificates, the progress log
 * and the checkpoints stay on the driver, unchanged.
 *
 * <p><b>Other jobs.</b> While the stage is up it holds every task slot, so a listener ends it
 * as soon as any other Spark job starts (a certificate pass, a listener's evaluation, a
 * checkpoint); the next pass starts it again. A failure (a task lost, a connection refused or
 * cut, a stage that does not start within {@link #CONNECT_SECONDS}) ends it for the rest of the
 * solve, and the passes continue as one Spark job each from the same iterate.
 *
 * <p><b>When.</b> {@link #supports}: the gated program with the squared loss (its certificates
 * need no pass between steps), one pattern block, no more partitions than the cluster's task
 * slots (a barrier stage starts all its tasks at once), no dynamic allocation, no encryption
 * of Spark's network traffic (the sockets are plain TCP), and at most {@link #MAX_PASS_BYTES}
 * of partial sums per pass reaching the driver. {@code spark.cvxrelu.residentPasses=false}
 * turns it off.
 */
final class ResidentPasses implements DistributedFista.Smooth, AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ResidentPasses.class);
  /** Spark setting that turns resident passes off ("false"). */
  static final String SETTING = "spark.cvxrelu.residentPasses";
  /** Largest partial sums per pass, over all partitions, that reach the driver. */
  static final long MAX_PASS_BYTES = 64L << 20;
  /** Seconds for the stage's tasks to start and connect. */
  static final int CONNECT_SECONDS = 60;
  /** Local property marking the resident stage's own job. */
  private static final String MARK = "cvxrelu.residentPasses";
  private static final byte EVALUATE = 1;
  private static final byte STOP = 0;

  private final DistributedProblem problem;
  private final JavaSparkContext sc;
  private final int partitions;
  private final int d;
  private final int q;
  private final SparkListener watcher;
  private final SecureRandom random = new SecureRandom();
  private ServerSocket server;
  private Socket[] sockets;
  private DataInputStream[] in;
  private DataOutputStream[] out;
  private JavaFutureAction<List<Object>> job;
  private byte[] wire;
  private boolean failed;
  private int stages;
  private long passes;

  ResidentPasses(DistributedProblem problem) {
    this.problem = problem;
    this.sc = problem.context();
    this.partitions = problem.data().blocks().getNumPartitions();
    this.d = problem.d();
    this.q = problem.formulation().blockCount(problem.patternCount());
    this.watcher = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        java.util.Properties p = start.properties();
        if (p == null || p.getProperty(MARK) == null) {
          // Another job needs the slots: end the stage off the listener bus's thread.
          Thread t = new Thread(ResidentPasses.this::suspend, "cvxrelu-resident-suspend");
          t.setDaemon(true);
          t.start();
        }
      }
    };
    sc.sc().addSparkListener(watcher);
  }

  /**
   * Whether the passes of {@code problem} can be resident (see the class comment): gated,
   * squared loss, one pattern block, partitions at most the task slots, no dynamic allocation,
   * no network encryption, partial sums per pass at most {@link #MAX_PASS_BYTES}, and not
   * switched off by {@link #SETTING}.
   */
  static boolean supports(DistributedProblem problem) {
    if (problem.formulation() != Formulation.GATED || !(problem.loss() instanceof SquaredLoss)
        || problem.patternBlockCount() != 1) {
      return false;
    }
    SparkContext sc = problem.context().sc();
    SparkConf conf = sc.getConf();
    if (!conf.getBoolean(SETTING, true)
        || conf.getBoolean("spark.dynamicAllocation.enabled", false)
        || conf.getBoolean("spark.network.crypto.enabled", false)
        || conf.getBoolean("spark.ssl.enabled", false)
        || !conf.contains("spark.driver.host")) {
      return false;
    }
    int parts = problem.data().blocks().getNumPartitions();
    long q = problem.formulation().blockCount(problem.patternCount());
    return (long) parts * 8L * problem.d() * q <= MAX_PASS_BYTES && parts <= taskSlots(sc);
  }

  /** Tasks the cluster can run at once now (0 if Spark cannot say). */
  static int taskSlots(SparkContext sc) {
    try {
      return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
    } catch (RuntimeException e) {
      LOG.debug("task slots unknown; resident passes off", e);
      return 0;
    }
  }

  /** Resident stages started so far (each ended by another job, a failure or close). */
  synchronized int stagesStarted() {
    return stages;
  }

  /** Passes served by resident tasks so far. */
  synchronized long residentPasses() {
    return passes;
  }

  /** Whether a failure has sent the passes back to one Spark job each. */
  synchronized boolean failed() {
    return failed;
  }

  @Override
  public synchronized DistributedProblem.Evaluation evaluate(DenseMatrix candidate,
      DenseMatrix point) {
    if (!failed) {
      try {
        if (sockets == null) {
          start();
        }
        DistributedProblem.Evaluation e = exchange(candidate, point);
        passes++;
        return e;
      } catch (IOException e) {
        failed = true;
        LOG.warn("resident passes stopped ({}); the passes continue as one Spark job each",
            e.toString());
        stop();
      }
    }
    return problem.evaluate(candidate, point, null, 0.0);
  }

  /** Submits the barrier stage and accepts its tasks' connections. */
  private void start() throws IOException {
    SparkConf conf = sc.getConf();
    String host = conf.get("spark.driver.host");
    String bind = conf.get("spark.driver.bindAddress", host);
    server = new ServerSocket(0, Math.max(50, 2 * partitions), InetAddress.getByName(bind));
    server.setSoTimeout(200);
    long token0 = random.nextLong();
    long token1 = random.nextLong();
    int port = server.getLocalPort();
    Loss loss = problem.loss();
    Formulation formulation = problem.formulation();
    int rows = d;
    int cols = q;
    scala.Function1<scala.collection.Iterator<RowBlock>, scala.collection.Iterator<Object>> task =
        (scala.Function1<scala.collection.Iterator<RowBlock>, scala.collection.Iterator<Object>>
            & Serializable) it -> CollectionConverters.asScala(serve(
                CollectionConverters.asJava(it), host, port, token0, token1, loss, formulation,
                rows, cols));
    sc.setLocalProperty(MARK, "true");
    sc.setJobDescription("cvxrelu: resident FISTA passes");
    try {
      job = problem.data().blocks().rdd().barrier()
          .mapPartitions(task, false, ClassTag$.MODULE$.apply(Object.class))
          .toJavaRDD().collectAsync();
    } finally {
      sc.setLocalProperty(MARK, null);
    }
    stages++;
    sockets = new Socket[partitions];
    in = new DataInputStream[partitions];
    out = new DataOutputStream[partitions];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONNECT_SECONDS);
    int connected = 0;
    while (connected < partitions) {
      Socket s;
      try {
        s = server.accept();
      } catch (SocketTimeoutException e) {
        if (job.isDone()) {
          throw new IOException("the resident stage ended before its tasks connected: "
              + outcome());
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("the resident stage's tasks did not connect within "
              + CONNECT_SECONDS + " s");
        }
        continue;
      }
      s.setTcpNoDelay(true);
      DataInputStream din = new DataInputStream(new BufferedInputStream(s.getInputStream(),
          1 << 16));
      s.setSoTimeout(CONNECT_SECONDS * 1000);
      long t0 = din.readLong();
      long t1 = din.readLong();
      int part = din.readInt();
      if (t0 != token0 || t1 != token1 || part < 0 || part >= partitions
          || sockets[part] != null) {
        s.close();
        continue;
      }
      s.setSoTimeout(0);
      sockets[part] = s;
      in[part] = din;
      out[part] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
      connected++;
    }
    LOG.info("resident FISTA passes: {} tasks connected", partitions);
  }

  /** The job's failure, or "finished". */
  private String outcome() {
    try {
      job.get();
      return "finished";
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
  }

  private DistributedProblem.Evaluation exchange(DenseMatrix candidate, DenseMatrix point)
      throws IOException {
    for (int k = 0; k < partitions; k++) {
      DataOutputStream o = out[k];
      o.writeByte(EVALUATE);
      o.writeBoolean(candidate != null);
      if (candidate != null) {
        wire = writeDoubles(o, candidate.data(), wire);
      }
      wire = writeDoubles(o, point.data(), wire);
      o.flush();
    }
    List<OneBlockPasses.StepSums> partials = new ArrayList<>(partitions);
    for (int k = 0; k < partitions; k++) {
      DataInputStream i = in[k];
      OneBlockPasses.StepSums sums = new OneBlockPasses.StepSums(d, q);
      sums.atCandidate = i.readDouble();
      sums.atPoint = i.readDouble();
      wire = readDoubles(i, sums.gradient.data(), wire);
      partials.add(sums);
    }
    OneBlockPasses.StepSums total = OrderedAggregate.mergeInOrder(partials,
        OneBlockPasses.StepSums::merge);
    return new DistributedProblem.Evaluation(candidate == null ? Double.NaN
        : total.atCandidate, total.atPoint, total.gradient);
  }

  /** Ends the stage if it is up (another job needs the slots); the next pass restarts it. */
  synchronized void suspend() {
    if (sockets != null || server != null) {
      stop();
    }
  }

  /** Tells the tasks to finish, closes the connections and waits for the stage to end. */
  private void stop() {
    if (out != null) {
      for (DataOutputStream o : out) {
        if (o != null) {
          try {
            o.writeByte(STOP);
            o.flush();
          } catch (IOException e) {
            LOG.debug("a resident task had gone", e);
          }
        }
      }
    }
    if (sockets != null) {
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
    closeQuietly(server);
    if (job != null) {
      try {
        job.get(CONNECT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("the resident stage ended with {}", e.toString());
        job.cancel(true);
      }
    }
    server = null;
    sockets = null;
    in = null;
    out = null;
    job = null;
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("close", e);
      }
    }
  }

  @Override
  public void close() {
    sc.sc().removeSparkListener(watcher);
    synchronized (this) {
      stop();
    }
  }

  /**
   * The task: connects to the driver and sums its blocks' StepSums for every pass the driver
   * sends, until told to stop or the connection ends.
   */
  private static Iterator<Object> serve(Iterator<RowBlock> it, String host, int port,
      long token0, long token1, Loss loss, Formulation formulation, int d, int q) {
    try {
      return serveOrThrow(it, host, port, token0, token1, loss, formulation, d, q);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("resident FISTA passes: " + e.getMessage(), e);
    }
  }

  private static Iterator<Object> serveOrThrow(Iterator<RowBlock> it, String host, int port,
      long token0, long token1, Loss loss, Formulation formulation, int d, int q)
      throws IOException {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    List<RowBlock> blocks = new ArrayList<>();
    it.forEachRemaining(blocks::add);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), CONNECT_SECONDS * 1000);
      s.setTcpNoDelay(true);
      DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(),
          1 << 16));
      DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream(),
          1 << 16));
      o.writeLong(token0);
      o.writeLong(token1);
      o.writeInt(ctx.partitionId());
      o.flush();
      DenseMatrix candidate = new DenseMatrix(d, q);
      DenseMatrix point = new DenseMatrix(d, q);
      byte[] wire = null;
      while (nextRequest(s, i, ctx) == EVALUATE) {
        boolean withCandidate = i.readBoolean();
        if (withCandidate) {
          wire = readDoubles(i, candidate.data(), wire);
        }
        wire = readDoubles(i, point.data(), wire);
        OneBlockPasses.StepSums sums = new OneBlockPasses.StepSums(d, q);
        DenseMatrix[] weights = {withCandidate ? candidate : null, point};
        for (RowBlock b : blocks) {
          sums = sums.add(b, null, weights, loss, formulation, 0.0);
        }
        o.writeDouble(sums.atCandidate);
        o.writeDouble(sums.atPoint);
        wire = writeDoubles(o, sums.gradient.data(), wire);
        o.flush();
      }
    }
    return Collections.emptyIterator();
  }

  /** The next request's code, waking every second to honour a kill of the task. */
  private static byte nextRequest(Socket s, DataInputStream i, BarrierTaskContext ctx)
      throws IOException {
    s.setSoTimeout(1000);
    try {
      while (true) {
        try {
          return i.readByte();
        } catch (SocketTimeoutException e) {
          if (ctx.isInterrupted()) {
            throw new TaskKilledException("resident passes interrupted");
          }
        }
      }
    } finally {
      s.setSoTimeout(0);
    }
  }

  private static byte[] writeDoubles(DataOutputStream o, double[] v, byte[] buf)
      throws IOException {
    byte[] b = buf != null && buf.length >= 8 * v.length ? buf : new byte[8 * v.length];
    ByteBuffer.wrap(b).asDoubleBuffer().put(v);
    o.write(b, 0, 8 * v.length);
    return b;
  }

  private static byte[] readDoubles(DataInputStream i, double[] v, byte[] buf)
      throws IOException {
    byte[] b = buf != null && buf.length >= 8 * v.length ? buf : new byte[8 * v.length];
    i.readFully(b, 0, 8 * v.length);
    ByteBuffer.wrap(b).asDoubleBuffer().get(v);
    return b;
  }
}
