package io.cvxrelu.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.solver.distributed.DistributedSetup;
import io.cvxrelu.solver.distributed.DistributedTraining;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * One scale-out measurement (issue 15): a planted two-layer ReLU teacher generated on the
 * executors (Gaussian X, 10 neurons with weights N(0, I/d) and output weights N(0, 1); noise
 * 0.1 for the squared loss, labels sign(f(x) + 0.1 z) for the logistic loss), set up there as
 * train-convex sets up rows it read there ({@link DistributedSetup}: P sampled gates, beta =
 * 0.01 beta_max), and solved by the solver {@code --solver distributed} picks
 * ({@link DistributedTraining}). No row reaches the driver.
 *
 * <p>Records the seconds to the first certificate at relative gap 1e-4 and 1e-6 (solve only;
 * setup apart), the Spark jobs run by the solve (each a pass over the row blocks, or a smaller
 * job such as a checkpoint), seconds per job, the stop reason, and the driver's peak heap (the
 * sum of the heap pools' peak usage from before the data are made to the end). Run it with a
 * master whose executors are JVMs of their own ({@code local-cluster[...]},
 * {@code jobs/bench.sh --scale} does) so that the driver's heap is the driver's alone.
 *
 * <p>Usage: {@code ScaleOutBench n d P gated|relu squared|logistic tolerance maxSeconds
 * partitions [maxIterations] [out.jsonl]} (master from $CVXRELU_MASTER, else local[*]);
 * {@code ScaleOutBench --report runs.jsonl scale.md} writes the table of
 * {@link ScaleOutReport}.
 */
public final class ScaleOutBench {
  private static final int TEACHER_WIDTH = 10;
  /** Spark jobs between two samples of the driver's live heap (a full collection each). */
  static final int LIVE_SAMPLE_JOBS = 25;

  private ScaleOutBench() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("--report")) {
      ScaleOutReport.write(Path.of(args[1]), Path.of(args[2]));
      return;
    }
    long n = Long.parseLong(args[0]);
    int d = Integer.parseInt(args[1]);
    int p = Integer.parseInt(args[2]);
    Formulation form = Formulation.parse(args[3]);
    Loss loss = args[4].equals("logistic") ? new LogisticLoss() : new SquaredLoss();
    double tolerance = Double.parseDouble(args[5]);
    double maxSeconds = Double.parseDouble(args[6]);
    int partitions = Integer.parseInt(args[7]);
    long maxIterations = args.length > 8 ? Long.parseLong(args[8]) : 10_000_000L;
    Path out = args.length > 9 ? Path.of(args[9]) : null;
    String master = System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]");
    SparkSession spark = SparkSession.builder().appName("cvxrelu-scale-out").master(master)
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      ObjectNode row = run(spark, n, d, p, form, loss,
          new SolverOptions(tolerance, 1e-8, maxIterations, maxSeconds), partitions);
      row.put("master", master);
      String line = new ObjectMapper().writeValueAsString(row);
      System.out.println("SCALE " + line);
      if (out != null) {
        Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } finally {
      spark.stop();
    }
  }

  private static ObjectNode run(SparkSession spark, long n, int d, int p, Formulation form,
      Loss loss, SolverOptions options, int partitions) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    long t0 = System.nanoTime();
    TrainingSpec spec = new TrainingSpec(form, loss, null, 0.01,
        TrainingSpec.Patterns.sampled(p), 1L, false, options, SolverChoice.Placement.DISTRIBUTED,
        TrainingSpec.Distributed.DEFAULTS, TrainingSpec.Generation.NONE,
        TrainingSpec.CertifyAll.FALSE);
    ObjectNode row = new ObjectMapper().createObjectNode();
    try (BlockedDataset rows = BlockedDataset.of(planted(sc, n, d, partitions,
            loss instanceof LogisticLoss), d, "planted teacher");
        DistributedSetup.Setup setup = DistributedSetup.of(spec, rows, null)) {
      double setupSeconds = (System.nanoTime() - t0) * 1e-9;
      AtomicLong jobs = new AtomicLong();
      AtomicLong peakLive = new AtomicLong();
      // Each pass is one stage: its wall time from submission to completion (task launch,
      // the tasks' work and their results) separates the passes from the driver's work.
      List<Double> stageSeconds = java.util.Collections.synchronizedList(new ArrayList<>());
      // The tasks' own time per pass (run, of it JVM GC, and deserialisation), summed over a
      // stage's tasks: against the stage's wall time it separates Spark's scheduling from the
      // kernels, and one core's run time from two cores' (contention shows as longer runs).
      java.util.Map<Integer, double[]> taskSeconds = new java.util.concurrent.ConcurrentHashMap<>();
      // Wall seconds and count of the jobs per description (the solvers name their passes).
      java.util.Map<String, double[]> jobSeconds = new java.util.concurrent.ConcurrentHashMap<>();
      java.util.Map<Integer, String> jobDescription =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.Map<Integer, Long> jobStart = new java.util.concurrent.ConcurrentHashMap<>();
      SparkListener counter = new SparkListener() {
        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
          org.apache.spark.executor.TaskMetrics m = end.taskMetrics();
          if (m != null) {
            double[] t = taskSeconds.computeIfAbsent(end.stageId(), k -> new double[3]);
            synchronized (t) {
              t[0] += m.executorRunTime() * 1e-3;
              t[1] += m.jvmGCTime() * 1e-3;
              t[2] += (m.executorDeserializeTime() + m.resultSerializationTime()) * 1e-3;
            }
          }
        }

        @Override
        public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd end) {
          String what = jobDescription.remove(end.jobId());
          Long began = jobStart.remove(end.jobId());
          if (what != null && began != null) {
            double[] t = jobSeconds.computeIfAbsent(what, k -> new double[2]);
            synchronized (t) {
              t[0] += (end.time() - began) * 1e-3;
              t[1] += 1;
            }
          }
        }

        @Override
        public void onJobStart(SparkListenerJobStart start) {
          String what = start.properties() == null ? null
              : start.properties().getProperty("spark.job.description");
          // Numbers (FISTA's step, a round) are masked so that a pass's jobs group together.
          jobDescription.put(start.jobId(), what == null ? "(no description)"
              : what.replaceAll("[0-9]+", "#"));
          jobStart.put(start.jobId(), start.time());
          // Every LIVE_SAMPLE_JOBS jobs, the driver's live heap after a full collection: what
          // the driver holds, where the pools' peaks also count garbage awaiting collection
          // (and so vary with the collector's timing, not with n).
          if (jobs.incrementAndGet() % LIVE_SAMPLE_JOBS == 0) {
            peakLive.accumulateAndGet(liveHeapBytes(), Math::max);
          }
        }

        @Override
        public void onStageCompleted(
            org.apache.spark.scheduler.SparkListenerStageCompleted done) {
          org.apache.spark.scheduler.StageInfo info = done.stageInfo();
          if (info.submissionTime().isDefined() && info.completionTime().isDefined()) {
            stageSeconds.add(((Long) info.completionTime().get()
                - (Long) info.submissionTime().get()) * 1e-3);
          }
        }
      };
      sc.sc().addSparkListener(counter);
      DistributedProblem problem = new DistributedProblem(setup.data(), loss, setup.beta(),
          form, DistributedProblem.autoPatternBlocks(d, setup.patternCount(), form));
      List<IterationRecord> records = new ArrayList<>();
      DistributedTraining.Outcome o = DistributedTraining.solve(problem, options,
          rec -> records.add(rec), null, false);
      sc.sc().removeSparkListener(counter);
      // Spark's floor per pass: a stage over the same cached blocks whose tasks do nothing.
      List<Double> empty = new ArrayList<>();
      for (int k = 0; k < 20; k++) {
        long e0 = System.nanoTime();
        setup.data().blocks().foreachPartition(it -> { });
        empty.add((System.nanoTime() - e0) * 1e-9);
      }
      SolverResult r = o.result();
      // Resident passes (ResidentPasses) run every step's pass in one long stage, so a
      // stage is no longer a pass: a step (one pass, with the driver's work) is measured.
      boolean resident = jobSeconds.keySet().stream().anyMatch(k -> k.contains("resident"));
      row.put("n", n).put("d", d).put("P", setup.patternCount()).put("model", form.id())
          .put("loss", loss.name()).put("partitions", partitions)
          .put("solver", o.solverName()).put("blas", Blas.backend())
          .put("setupSeconds", setupSeconds).put("solveSeconds", r.seconds())
          .put("secondsTo1e-4", firstAt(records, r, 1e-4))
          .put("secondsTo1e-6", firstAt(records, r, 1e-6))
          .put("iterations", r.iterations()).put("sparkJobs", jobs.get())
          .put("secondsPerJob", r.seconds() / Math.max(1, jobs.get()))
          .put("secondsPerStep", secondsPerStep(records))
          .put("secondsPerPass", resident ? secondsPerStep(records)
              : secondHalfMedian(stageSeconds))
          .put("passMeasure", resident ? "wall seconds per step: resident passes, one per step"
              : "median stage wall time")
          .put("emptyPassSeconds", secondHalfMedian(empty))
          .put("taskRunSecondsPerPass", secondHalfMedian(taskColumn(taskSeconds, 0)))
          .put("taskGcSecondsPerPass", secondHalfMedian(taskColumn(taskSeconds, 1)))
          .put("taskSerdeSecondsPerPass", secondHalfMedian(taskColumn(taskSeconds, 2)))
          .put("relativeGap", r.certificate().relativeGap())
          .put("violation", r.certificate().constraintViolation())
          .put("objective", r.certificate().objective())
          .put("stopReason", r.stopReason().name())
          .put("certified", r.stopReason().name().equals("CONVERGED"))
          .put("driverPeakHeapMiB", peakHeapBytes() / (double) (1 << 20))
          .put("driverPeakLiveHeapMiB", Math.max(peakLive.get(), liveHeapBytes())
              / (double) (1 << 20));
      row.set("jobsByDescription", byDescription(jobSeconds));
    }
    return row;
  }

  /** {description: {seconds, jobs}} in descending seconds. */
  private static ObjectNode byDescription(java.util.Map<String, double[]> jobSeconds) {
    ObjectNode out = new ObjectMapper().createObjectNode();
    jobSeconds.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> out.putObject(e.getKey()).put("seconds", e.getValue()[0])
            .put("jobs", (long) e.getValue()[1]));
    return out;
  }

  /** Column k of the per-stage task sums, in stage order. */
  private static List<Double> taskColumn(java.util.Map<Integer, double[]> sums, int k) {
    List<Double> out = new ArrayList<>();
    new java.util.TreeMap<>(sums).values().forEach(t -> out.add(t[k]));
    return out;
  }

  /**
   * Seconds per solver step between the first and the last record of the second half of the
   * run (certificate passes included, JIT warm-up and the step-size estimate left out); NaN
   * with fewer than four records.
   */
  static double secondsPerStep(List<IterationRecord> records) {
    if (records.size() < 4) {
      return Double.NaN;
    }
    IterationRecord first = records.get(records.size() / 2);
    IterationRecord last = records.get(records.size() - 1);
    return (last.seconds() - first.seconds())
        / Math.max(1, last.innerIterations() - first.innerIterations());
  }

  /** Median of the second half of the stages' wall seconds (NaN when there are none). */
  static double secondHalfMedian(List<Double> seconds) {
    List<Double> half;
    synchronized (seconds) {
      half = new ArrayList<>(seconds.subList(seconds.size() / 2, seconds.size()));
    }
    if (half.isEmpty()) {
      return Double.NaN;
    }
    java.util.Collections.sort(half);
    return half.get(half.size() / 2);
  }

  /** Seconds at the first record at or below {@code gap} (NaN when never reached). */
  private static double firstAt(List<IterationRecord> records, SolverResult r, double gap) {
    for (IterationRecord rec : records) {
      if (rec.relativeGap() <= gap) {
        return rec.seconds();
      }
    }
    return r.certificate().relativeGap() <= gap ? r.seconds() : Double.NaN;
  }

  /** The heap in use right after a full collection (System.gc()). */
  private static long liveHeapBytes() {
    System.gc();
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getUsage().getUsed();
      }
    }
    return sum;
  }

  private static long peakHeapBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /**
   * n planted-teacher rows made on the executors, about n / partitions per partition in blocks
   * of at most 4,096 rows, each partition from its own seed; the teacher is drawn on the driver
   * (d x 10).
   */
  static JavaRDD<LabeledBlock> planted(JavaSparkContext sc, long n, int d, int partitions,
      boolean classify) {
    SplittableRandom rng = new SplittableRandom(2026);
    double[] u = new double[d * TEACHER_WIDTH];
    for (int k = 0; k < u.length; k++) {
      u[k] = rng.nextGaussian() / Math.sqrt(d);
    }
    double[] a = new double[TEACHER_WIDTH];
    for (int j = 0; j < a.length; j++) {
      a[j] = rng.nextGaussian();
    }
    List<Integer> parts = IntStream.range(0, partitions).boxed().toList();
    return sc.parallelize(parts, partitions).flatMap(part -> {
      long from = n * part / partitions;
      long to = n * (part + 1) / partitions;
      SplittableRandom r = new SplittableRandom(7919L * part + 17);
      DenseMatrix teacher = new DenseMatrix(d, TEACHER_WIDTH, u.clone());
      List<LabeledBlock> blocks = new ArrayList<>();
      for (long r0 = from; r0 < to; r0 += 4096) {
        int len = (int) Math.min(4096, to - r0);
        DenseMatrix x = new DenseMatrix(len, d);
        double[] xd = x.data();
        for (int k = 0; k < xd.length; k++) {
          xd[k] = r.nextGaussian();
        }
        DenseMatrix z = new DenseMatrix(len, TEACHER_WIDTH);
        Blas.gemm(false, false, 1.0, x, teacher, 0.0, z);
        double[] y = new double[len];
        for (int i = 0; i < len; i++) {
          double f = 0.0;
          for (int j = 0; j < TEACHER_WIDTH; j++) {
            f += Math.max(z.get(i, j), 0.0) * a[j];
          }
          f += 0.1 * r.nextGaussian();
          y[i] = classify ? (f >= 0.0 ? 1.0 : -1.0) : f;
        }
        blocks.add(new LabeledBlock(r0, x, y));
      }
      return blocks.iterator();
    });
  }
}
