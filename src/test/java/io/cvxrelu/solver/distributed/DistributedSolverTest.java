package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.AugmentedLagrangianSolver;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.SparkTestSession;
import io.cvxrelu.train.SolverChoice;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
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
 * synthetic n = 100,000 problem, for 1, 2, 7 and 16 partitions and 1 or 3 pattern blocks, the
 * same objective (1e-8 relative) and the same certificate. Local mode, one SparkSession for the
 * class.
 */
class DistributedSolverTest {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  /** Rows per block so that each partition holds about two blocks. */
  static int blockRows(int n, int partitions) {
    return Math.max(1, (n + 2 * partitions - 1) / (2 * partitions));
  }

  static DistributedProblem distribute(ConvexReluProblem p, int partitions) {
    return distribute(p, partitions, 1);
  }

  static DistributedProblem distribute(ConvexReluProblem p, int partitions, int patternBlocks) {
    return distribute(sc, p, partitions, patternBlocks);
  }

  /** {@code p}'s rows as row blocks over {@code partitions} (about two blocks each) on sc. */
  static DistributedProblem distribute(JavaSparkContext sc, ConvexReluProblem p, int partitions,
      int patternBlocks) {
    DistributedData data = DistributedData.fromMatrix(sc, p.x(), p.y(), p.patterns().gates(),
        partitions, blockRows(p.n(), partitions));
    return new DistributedProblem(data, p.loss(), p.beta(), p.formulation(), patternBlocks);
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
    return f.squaredProblem(form);
  }

  static SolverResult solveLocal(ConvexReluProblem p, SolverOptions o) {
    return p.formulation() == Formulation.GATED
        ? new GatedFistaSolver().solve(p, null, o, IterationListener.NONE)
        : new AugmentedLagrangianSolver().solve(p, null, o, IterationListener.NONE);
  }

  /** Runs both solvers with the same budget and checks they end at the same point. */
  static void assertStepForStep(ConvexReluProblem p, int partitions, long steps) {
    assertStepForStep(p, partitions, 1, steps);
  }

  /** As above with the patterns split into {@code patternBlocks} pattern blocks. */
  static void assertStepForStep(ConvexReluProblem p, int partitions, int patternBlocks,
      long steps) {
    SolverOptions o = SolverOptions.DEFAULTS.withMaxIterations(steps);
    SolverResult local = solveLocal(p, o);
    DistributedProblem dp = distribute(p, partitions, patternBlocks);
    try {
      assertEquals(Math.min(patternBlocks, p.patternCount()), dp.patternBlockCount());
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
        b.add(Arguments.of(f, partitions, 1));
      }
      // Pattern blocks on few partitions here (every pair is a task, and these problems are
      // tiny); many partitions with pattern blocks are covered at n = 100,000 below.
      for (int partitions : new int[] {1, 2}) {
        b.add(Arguments.of(f, partitions, 3));
      }
    }
    return b.build();
  }

  /**
   * The distributed iteration is the single-node one (same step-size estimate, momentum,
   * restart and backtracking), so after the same number of steps both stand at the same point
   * with the same certificate, however the rows are partitioned and the patterns blocked.
   */
  @ParameterizedTest(name = "{0}, {1} partitions, {2} pattern blocks")
  @MethodSource("fixtureCases")
  void followsTheSingleNodeIterationOnFixtures(Fixtures.Instance f, int partitions,
      int patternBlocks) {
    assertStepForStep(fixtureProblem(f, Formulation.GATED), partitions, patternBlocks, 15);
    // ReLU once per pattern-block count (pair tasks are many small tasks on these fixtures).
    if (partitions == (patternBlocks == 1 ? 7 : 2)) {
      assertStepForStep(fixtureProblem(f, Formulation.RELU), partitions, patternBlocks, 15);
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

  /**
   * The certificate the gated squared-loss FISTA assembles on the driver from phi and grad phi
   * at B and at 0 is the certificate of a full pass, at a point far from the optimum (where
   * the gap is large) and at a random one.
   */
  @Test
  void passFreeCertificateIsTheCertificateOfAPass() {
    ConvexReluProblem p = synthetic(3_000, 5, 12, Formulation.GATED, new SquaredLoss(), 0.05);
    DistributedProblem dp = distribute(p, 3);
    try {
      SplittableRandom r = new SplittableRandom(4);
      DenseMatrix b = p.zeroWeights();
      for (int k = 0; k < b.data().length; k++) {
        b.data()[k] = 0.1 * r.nextGaussian();
      }
      DistributedProblem.Evaluation atZero = dp.evaluate(null, p.zeroWeights(), null, 0.0);
      for (DenseMatrix point : new DenseMatrix[] {p.zeroWeights(), b}) {
        Certificate fast = dp.squaredLossCertificate(point,
            dp.evaluate(null, point, null, 0.0), atZero);
        Certificate pass = dp.certificate(point, null);
        assertEquals(pass.objective(), fast.objective(), 1e-10 * pass.objective());
        assertEquals(pass.lowerBound(), fast.lowerBound(), 1e-10 * pass.objective());
        assertEquals(pass.relativeGap(), fast.relativeGap(), 1e-9);
      }
    } finally {
      dp.data().close();
    }
  }

  @Test
  void gatedReachesTheCertifiedReferenceOptimum() {
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

  /**
   * The warm-start guarantees over row blocks: the gated optimum as the start returns at once,
   * certified; a budget of one step from 0.9 x the optimum (feasible for both programs, the
   * cones being homogeneous) never returns a higher objective than the start's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("formulations")
  void warmStartIsCertifiedAndNeverLostToABudget(Formulation form) {
    ConvexReluProblem p = fixtureProblem(Fixtures.named("syn_n200_d5_P30"), form);
    SolverResult optimum = SolverChoice.local(p).solve(p, null,
        new SolverOptions(1e-9, 1e-10, 400_000, 120.0), IterationListener.NONE);
    DistributedProblem dp = distribute(p, 3);
    try {
      DistributedSolver solver = DistributedTraining.solverFor(dp);
      if (form == Formulation.GATED) {
        SolverResult warm = solver.solve(dp, optimum.weights(), SolverOptions.DEFAULTS,
            IterationListener.NONE, null, false);
        assertEquals(StopReason.CONVERGED, warm.stopReason());
        assertEquals(0, warm.iterations());
      }
      DenseMatrix start = optimum.weights().copy();
      for (int k = 0; k < start.data().length; k++) {
        start.data()[k] *= 0.9;
      }
      double startObjective = p.objective(start);
      SolverResult r = solver.solve(dp, start, new SolverOptions(1e-14, 1e-9, 1, 120.0),
          IterationListener.NONE, null, false);
      assertTrue(r.certificate().objective() <= startObjective * (1.0 + 1e-12),
          r.certificate().objective() + " > start " + startObjective);
      assertEquals(p.objective(r.weights()), r.certificate().objective(),
          1e-9 * startObjective, "the certificate belongs to the returned weights");
    } finally {
      dp.data().close();
    }
  }

  static Stream<Formulation> formulations() {
    return Stream.of(Formulation.GATED, Formulation.RELU);
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
        b.add(Arguments.of(form, partitions, 1));
      }
    }
    b.add(Arguments.of(Formulation.GATED, 7, 3));
    b.add(Arguments.of(Formulation.RELU, 2, 3));
    return b.build();
  }

  /** n = 100,000, d = 10, P = 16: the same point and certificate as on a single node. */
  @ParameterizedTest(name = "{0}, {1} partitions, {2} pattern blocks")
  @MethodSource("syntheticCases")
  void followsTheSingleNodeIterationAtScale(Formulation form, int partitions,
      int patternBlocks) {
    assertStepForStep(largeProblem(form), partitions, patternBlocks, 3);
  }

  static DenseMatrix randomMatrix(int rows, int cols, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int k = 0; k < m.data().length; k++) {
      m.data()[k] = scale * r.nextGaussian();
    }
    return m;
  }

  static void assertClose(DenseMatrix expected, DenseMatrix actual, double rel, String what) {
    double scale = 0.0;
    for (double v : expected.data()) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertArrayEquals(expected.data(), actual.data(), rel * scale + 1e-300, what);
  }

  static Stream<Arguments> passCases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Formulation form : Formulation.values()) {
      b.add(Arguments.of(form, new SquaredLoss()));
    }
    b.add(Arguments.of(Formulation.RELU, new LogisticLoss()));
    return b.build();
  }

  /**
   * Every pass split into pattern blocks (uneven ones: P = 8 into 3 and 5, and one pattern per
   * block) gives what the one-block pass gives at an arbitrary point: phi and its gradient (with
   * the augmented-Lagrangian penalty at nonzero multipliers), the power-iteration operator, the
   * certificate (closed-form and searched dual scale) and the multiplier update.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("passCases")
  void patternBlockPassesMatchTheOneBlockPasses(Formulation form, Loss loss) {
    ConvexReluProblem p = synthetic(600, 4, 8, form, loss, 0.05);
    DistributedProblem one = distribute(p, 3, 1);
    try {
      int q = one.blockCount();
      DenseMatrix b = randomMatrix(p.d(), q, 0.1, 7);
      DenseMatrix c = randomMatrix(p.d(), q, 0.1, 8);
      JavaRDD<DenseMatrix> mu = form == Formulation.RELU
          ? one.data().blocks().map(blk -> {
            DenseMatrix m = randomMatrix(blk.rows(), q, 0.2, blk.id());
            for (int k = 0; k < m.data().length; k++) {
              m.data()[k] = Math.abs(m.data()[k]);
            }
            return m;
          }) : null;
      if (mu != null) {
        mu.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
      }
      double rho = 0.7;
      DistributedProblem.Evaluation e1 = one.evaluate(c, b, mu, rho);
      DenseMatrix n1 = one.normalOperator(b);
      Certificate c1 = one.certificate(b, mu);
      List<DenseMatrix> m1 = null;
      if (mu != null) {
        JavaRDD<DenseMatrix> next1 = one.updatedMultipliers(b, mu, rho);
        m1 = next1.collect();
        next1.unpersist(false);
      }
      for (int patternBlocks : new int[] {3, 8}) {
        DistributedProblem split = new DistributedProblem(one.data(), loss, p.beta(), form,
            patternBlocks);
        assertEquals(patternBlocks, split.patternBlockCount());
        DistributedProblem.Evaluation e = split.evaluate(c, b, mu, rho);
        assertEquals(e1.atCandidate(), e.atCandidate(), 1e-12 * Math.abs(e1.atCandidate()));
        assertEquals(e1.atPoint(), e.atPoint(), 1e-12 * Math.abs(e1.atPoint()));
        assertClose(e1.gradient(), e.gradient(), 1e-12, "gradient");
        assertTrue(Double.isNaN(split.evaluate(null, b, mu, rho).atCandidate()));
        assertClose(n1, split.normalOperator(b), 1e-12, "normal operator");
        Certificate cert = split.certificate(b, mu);
        assertEquals(c1.objective(), cert.objective(), 1e-12 * c1.objective());
        assertEquals(c1.lowerBound(), cert.lowerBound(), 1e-9 * c1.objective());
        assertEquals(c1.constraintViolation(), cert.constraintViolation(), 1e-12);
        if (mu != null) {
          JavaRDD<DenseMatrix> next = split.updatedMultipliers(b, mu, rho);
          List<DenseMatrix> m = next.collect();
          assertEquals(m1.size(), m.size());
          for (int i = 0; i < m.size(); i++) {
            assertClose(m1.get(i), m.get(i), 1e-12, "multipliers of block " + i);
          }
          // The broadcast of B is gone: later passes read the checkpoint, not B's closure.
          assertTrue(next.rdd().isCheckpointed());
          assertEquals(cert.objective(), split.certificate(b, next).objective(),
              1e-12 * cert.objective());
          next.unpersist(false);
        }
      }
      if (mu != null) {
        mu.unpersist(false);
      }
    } finally {
      one.data().close();
    }
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

  /**
   * A pass's weights reach the tasks whole either way: in the closure up to 1 MB (nothing to
   * destroy), as a broadcast above it (destroyed after the pass).
   */
  @Test
  void passInputReachesTheTasksInTheClosureOrAsABroadcast() {
    JavaRDD<Integer> parts = sc.parallelize(List.of(0, 1, 2, 3), 4);
    for (int size : new int[] {1_000, 200_000}) {
      double[] value = new double[size];
      value[size - 1] = size;
      PassInput<double[]> in = PassInput.of(sc, value, 8L * size);
      assertEquals(size > PassInput.CLOSURE_BYTES / 8 ? "Broadcasted" : "InClosure",
          in.getClass().getSimpleName());
      List<Double> seen = parts.map(k -> in.value()[in.value().length - 1] + k).collect();
      assertEquals(List.of(size + 0.0, size + 1.0, size + 2.0, size + 3.0), seen);
      in.destroy();
    }
  }

}
