package io.cvxrelu.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.AugmentedLagrangianSolver;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.GatedFistaSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.Fixtures;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The distributed solvers give the single-node answer: on every reference instance and on a
 * synthetic n = 100,000 problem, for 1, 2, 7 and 16 partitions, the same objective (1e-8
 * relative) and the same certificate. Local mode, one SparkSession for the class.
 */
class DistributedSolverTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[2]").appName("DistributedSolverTest")
        .config("spark.ui.enabled", "false").getOrCreate();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** Rows per block so that each partition holds about two blocks. */
  static int blockRows(int n, int partitions) {
    return Math.max(1, (n + 2 * partitions - 1) / (2 * partitions));
  }

  static DistributedProblem distribute(ConvexReluProblem p, int partitions) {
    DistributedData data = DistributedData.fromMatrix(sc, p.x(), p.y(), p.patterns().gates(),
        partitions, blockRows(p.n(), partitions));
    return new DistributedProblem(data, p.loss(), p.beta(), p.formulation());
  }

  static SolverResult solveDistributed(DistributedProblem dp, SolverOptions o) {
    return dp.formulation() == Formulation.GATED
        ? new DistributedGatedSolver().solve(dp, o, IterationListener.NONE, null, false)
        : new DistributedReluSolver().solve(dp, o, IterationListener.NONE, null, false);
  }

  static void assertSameAnswer(SolverResult local, SolverResult dist, double rel) {
    Certificate a = local.certificate();
    Certificate b = dist.certificate();
    assertEquals(local.stopReason(), dist.stopReason());
    assertEquals(a.objective(), b.objective(), rel * Math.abs(a.objective()), "objective");
    assertEquals(a.lowerBound(), b.lowerBound(), rel * Math.abs(a.objective()), "lower bound");
    assertEquals(a.relativeGap(), b.relativeGap(), rel, "relative gap");
    assertEquals(a.constraintViolation(), b.constraintViolation(), 1e-9, "violation");
  }

  static ConvexReluProblem fixtureProblem(Fixtures.Instance f, Formulation form) {
    return new ConvexReluProblem(f.x(), f.y(), SignPatterns.fromGates(f.x(), f.gates()),
        new SquaredLoss(), f.beta(), form);
  }

  static SolverResult solveLocal(ConvexReluProblem p, SolverOptions o) {
    return p.formulation() == Formulation.GATED
        ? new GatedFistaSolver().solve(p, null, o, IterationListener.NONE)
        : new AugmentedLagrangianSolver().solve(p, null, o, IterationListener.NONE);
  }

  /** Runs both solvers with the same budget and checks they end at the same point. */
  static void assertStepForStep(ConvexReluProblem p, int partitions, long steps) {
    SolverOptions o = SolverOptions.DEFAULTS.withMaxIterations(steps);
    SolverResult local = solveLocal(p, o);
    DistributedProblem dp = distribute(p, partitions);
    try {
      assertEquals(p.n(), dp.n());
      SolverResult dist = solveDistributed(dp, o);
      assertEquals(local.iterations(), dist.iterations());
      assertSameAnswer(local, dist, 1e-8);
      double scale = 0.0;
      for (double v : local.weights().data()) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertArrayEquals(local.weights().data(), dist.weights().data(), 1e-8 * scale + 1e-300);
    } finally {
      dp.data().close();
    }
  }

  static Stream<Arguments> fixtureCases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Fixtures.Instance f : Fixtures.all()) {
      for (int partitions : new int[] {1, 2, 7, 16}) {
        b.add(Arguments.of(f, partitions));
      }
    }
    return b.build();
  }

  /**
   * The distributed iteration is the single-node one (same step-size estimate, momentum,
   * restart and backtracking), so after the same number of steps both stand at the same point
   * with the same certificate, however the rows are partitioned.
   */
  @ParameterizedTest(name = "{0}, {1} partitions", allowZeroInvocations = true)
  @MethodSource("fixtureCases")
  void followsTheSingleNodeIterationOnFixtures(Fixtures.Instance f, int partitions) {
    assumeTrue(Fixtures.root() != null, "fixtures absent");
    assertStepForStep(fixtureProblem(f, Formulation.GATED), partitions, 15);
    if (partitions == 7) {
      assertStepForStep(fixtureProblem(f, Formulation.RELU), partitions, 15);
    }
  }

  /** The masks computed on the executors are the single-node masks (ties inactive). */
  @Test
  void blockMasksAreTheSingleNodeMasks() {
    ConvexReluProblem p = synthetic(2_000, 4, 8, Formulation.GATED, new SquaredLoss(), 0.05);
    DistributedProblem dp = distribute(p, 7);
    try {
      java.util.List<io.cvxrelu.problem.RowBlock> blocks = dp.data().blocks().collect();
      double[] mask = p.maskValues();
      int n = p.n();
      for (io.cvxrelu.problem.RowBlock b : blocks) {
        int from = (int) b.id();
        for (int i = 0; i < p.patternCount(); i++) {
          for (int r = 0; r < b.rows(); r++) {
            assertEquals(mask[i * n + from + r], b.mask()[i * b.rows() + r], 0.0);
          }
        }
      }
    } finally {
      dp.data().close();
    }
  }

  @Test
  void gatedReachesTheCertifiedReferenceOptimum() {
    assumeTrue(Fixtures.root() != null, "fixtures absent");
    Fixtures.Instance f = Fixtures.load(Fixtures.root().resolve("toy_n5"));
    ConvexReluProblem p = fixtureProblem(f, Formulation.GATED);
    SolverResult local = solveLocal(p, SolverOptions.DEFAULTS);
    DistributedProblem dp = distribute(p, 7);
    try {
      SolverResult dist = solveDistributed(dp, SolverOptions.DEFAULTS);
      assertEquals(StopReason.CONVERGED, dist.stopReason());
      assertSameAnswer(local, dist, 1e-8);
      assertEquals(f.gatedOptimum(), dist.certificate().objective(), 1e-6 * f.gatedOptimum());
      assertTrue(dist.certificate().lowerBound() <= f.gatedOptimum() * (1 + 1e-8));
    } finally {
      dp.data().close();
    }
  }

  static ConvexReluProblem synthetic(int n, int d, int patterns, Formulation form, Loss loss,
      double betaFrac) {
    SplittableRandom r = new SplittableRandom(11);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    double[] u = new double[d];
    for (int k = 0; k < d; k++) {
      u[k] = r.nextGaussian();
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double z = 0.0;
      for (int k = 0; k < d; k++) {
        z += x.get(i, k) * u[k];
      }
      double t = Math.max(z, 0.0) - 0.5 * Math.max(-z, 0.0) + 0.3 * r.nextGaussian();
      y[i] = loss.isClassification() ? (t > 0.2 ? 1.0 : 0.0) : t;
    }
    SignPatterns sp = SignPatterns.sample(x, patterns, 5, 10_000);
    double beta = betaFrac * ConvexReluProblem.betaMax(x, y, sp, loss);
    return new ConvexReluProblem(x, y, sp, loss, beta, form);
  }

  static Stream<Arguments> syntheticCases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Formulation form : Formulation.values()) {
      for (int partitions : new int[] {1, 2, 7, 16}) {
        b.add(Arguments.of(form, partitions));
      }
    }
    return b.build();
  }

  /** n = 100,000, d = 10, P = 16: the same point and certificate as on a single node. */
  @ParameterizedTest(name = "{0}, {1} partitions")
  @MethodSource("syntheticCases")
  void followsTheSingleNodeIterationAtScale(Formulation form, int partitions) {
    assertStepForStep(largeProblem(form), partitions, 3);
  }

  private static final java.util.Map<Formulation, ConvexReluProblem> LARGE =
      new java.util.EnumMap<>(Formulation.class);

  static synchronized ConvexReluProblem largeProblem(Formulation form) {
    return LARGE.computeIfAbsent(form,
        f -> synthetic(100_000, 10, 16, f, new SquaredLoss(), 0.05));
  }

  /** Logistic loss: the dual scale has no closed form and is searched over the blocks. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Formulation.class)
  void logisticCertificateMatchesTheSingleNodeOne(Formulation form) {
    assertStepForStep(synthetic(300, 3, 8, form, new LogisticLoss(), 0.05), 3, 20);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Formulation.class)
  void resumesFromTheCheckpointToTheSameOptimum(Formulation form,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    ConvexReluProblem p = synthetic(400, 3, 10, form, new SquaredLoss(), 0.05);
    long total = form == Formulation.GATED ? 90 : 60;
    SolverOptions full = SolverOptions.DEFAULTS.withMaxIterations(total);
    DistributedProblem dp = distribute(p, 3);
    try {
      SolverResult straight = solveDistributed(dp, full);
      SolverCheckpoint ck = new SolverCheckpoint(sc.hadoopConfiguration(),
          tmp.resolve("out/checkpoint").toUri().toString(), 7);
      SolverResult first = form == Formulation.GATED
          ? new DistributedGatedSolver().solve(dp, full.withMaxIterations(total / 3),
              IterationListener.NONE, ck, false)
          : new DistributedReluSolver().solve(dp, full.withMaxIterations(total / 3),
              IterationListener.NONE, ck, false);
      assertEquals(StopReason.MAX_ITERATIONS, first.stopReason());
      assertTrue(ck.exists());
      SolverResult resumed = form == Formulation.GATED
          ? new DistributedGatedSolver().solve(dp, full, IterationListener.NONE, ck, true)
          : new DistributedReluSolver().solve(dp, full, IterationListener.NONE, ck, true);
      assertEquals(straight.stopReason(), resumed.stopReason());
      assertEquals(straight.iterations(), resumed.iterations());
      assertEquals(straight.certificate().objective(), resumed.certificate().objective(),
          1e-9 * straight.certificate().objective());
      assertEquals(straight.certificate().lowerBound(), resumed.certificate().lowerBound(),
          1e-9 * straight.certificate().objective());
    } finally {
      dp.data().close();
    }
  }

  /**
   * Rows as Spark ML gives them (label, feature vector), with 0/1 labels and the bias appended
   * on the executors, make the same program: same certificate at a given point.
   */
  @Test
  void blocksFromAnRddOfRowsMakeTheSameProblem() {
    ConvexReluProblem base = synthetic(500, 3, 6, Formulation.GATED, new LogisticLoss(), 0.05);
    DenseMatrix x = base.x().withOnesColumn();
    SignPatterns sp = SignPatterns.sample(x, 6, 9, 10_000);
    double[] labels01 = new double[base.n()];
    java.util.List<org.apache.spark.ml.feature.LabeledPoint> rows = new java.util.ArrayList<>();
    for (int i = 0; i < base.n(); i++) {
      labels01[i] = base.y()[i] > 0 ? 1.0 : 0.0;
      rows.add(new org.apache.spark.ml.feature.LabeledPoint(labels01[i],
          org.apache.spark.ml.linalg.Vectors.dense(base.x().row(i))));
    }
    ConvexReluProblem p = new ConvexReluProblem(x, labels01, sp, new LogisticLoss(),
        base.beta(), Formulation.GATED);
    DenseMatrix b = new DenseMatrix(p.d(), p.blockCount());
    SplittableRandom r = new SplittableRandom(4);
    for (int k = 0; k < b.data().length; k++) {
      b.data()[k] = 0.1 * r.nextGaussian();
    }
    Certificate local = Certificate.compute(p, b, p.forward(b), null);
    try (DistributedData data = DistributedData.fromRows(sc.parallelize(rows, 2), sp.gates(),
        new LogisticLoss(), true, 5, 37)) {
      assertEquals(500, data.n());
      assertEquals(5, data.partitions());
      Certificate dist = new DistributedProblem(data, new LogisticLoss(), p.beta(),
          Formulation.GATED).certificate(b, null);
      assertEquals(local.objective(), dist.objective(), 1e-10 * local.objective());
      assertEquals(local.lowerBound(), dist.lowerBound(), 1e-8 * local.objective());
    }
  }
}
