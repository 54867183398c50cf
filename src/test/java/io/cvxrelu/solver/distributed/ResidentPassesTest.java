package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.SparkTestSession;
import java.time.Duration;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resident passes ({@link ResidentPasses}) give the sums of one Spark job per pass to the bit,
 * make way for other Spark jobs without a deadlock, fall back to one job per pass when their
 * tasks are killed, and leave the gated solve's iterates unchanged. Local mode (two task
 * slots), one SparkSession for the class.
 */
class ResidentPassesTest {
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

  private static ConvexReluProblem problem(Formulation form) {
    Fixtures.Instance f = Fixtures.named("syn_n200_d5_P30");
    return f.squaredProblem(form);
  }

  private static DistributedProblem distribute(ConvexReluProblem p, int partitions) {
    return DistributedSolverTest.distribute(sc, p, partitions, 1);
  }

  private static DenseMatrix random(int rows, int cols, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int k = 0; k < m.data().length; k++) {
      m.data()[k] = r.nextGaussian();
    }
    return m;
  }

  private static void assertSame(DistributedProblem.Evaluation want,
      DistributedProblem.Evaluation got) {
    assertEquals(Double.doubleToLongBits(want.atCandidate()),
        Double.doubleToLongBits(got.atCandidate()), "phi at the candidate");
    assertEquals(Double.doubleToLongBits(want.atPoint()), Double.doubleToLongBits(got.atPoint()),
        "phi at the point");
    assertArrayEquals(want.gradient().data(), got.gradient().data(), 0.0, "gradient");
  }

  /**
   * Each pass equals the one-job pass to the bit, with and without a candidate; a Spark job in
   * between (a certificate pass) ends the stage instead of waiting for its slots, and the next
   * pass starts a new one; killed tasks send the passes back to one job each, still exact.
   */
  @Test
  void passesAreExactAndMakeWayForOtherJobs() {
    ConvexReluProblem p = problem(Formulation.GATED);
    DistributedProblem dp = distribute(p, 2);
    int q = Formulation.GATED.blockCount(p.patternCount());
    DenseMatrix c = random(p.d(), q, 1);
    DenseMatrix y = random(p.d(), q, 2);
    assertTrue(ResidentPasses.supports(dp), "two partitions on two slots");
    try (ResidentPasses resident = new ResidentPasses(dp)) {
      DistributedProblem.Evaluation atCY = dp.evaluate(c, y, null, 0.0);
      DistributedProblem.Evaluation atY = dp.evaluate(null, y, null, 0.0);
      DistributedProblem.Evaluation atC = dp.evaluate(null, c, null, 0.0);
      assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
        assertSame(atCY, resident.evaluate(c, y));
        assertSame(atY, resident.evaluate(null, y));
        assertEquals(1, resident.stagesStarted());
        dp.certificate(y, null); // needs the slots the resident stage holds
        assertSame(atCY, resident.evaluate(c, y));
        assertEquals(2, resident.stagesStarted(), "the certificate pass ended the stage");
        assertEquals(3, resident.residentPasses());
        assertFalse(resident.failed());
        sc.cancelAllJobs(); // kills the resident tasks, which notice it within a second
        Thread.sleep(3000);
        assertSame(atCY, resident.evaluate(c, y));
        assertTrue(resident.failed(), "the passes went back to one Spark job each");
        assertSame(atC, resident.evaluate(null, c));
      });
    } finally {
      dp.data().close();
    }
  }

  /**
   * The driver's merge of gathered partials ({@link OrderedAggregate#mergeInOrder}) is
   * {@link OrderedAggregate#aggregate}'s tree to the bit, also beyond one level of 16 partials
   * (40 partitions of sums whose rounding depends on the order).
   */
  @Test
  void mergeInOrderIsTheAggregatesTree() {
    java.util.List<Double> values = new java.util.ArrayList<>();
    SplittableRandom r = new SplittableRandom(5);
    for (int k = 0; k < 4000; k++) {
      values.add(Math.exp(30 * r.nextDouble() - 15) * (r.nextBoolean() ? 1 : -1));
    }
    org.apache.spark.api.java.JavaRDD<Double> rdd = sc.parallelize(values, 40);
    double[] tree = OrderedAggregate.aggregate(rdd, new double[1], (acc, v) -> {
      acc[0] += v;
      return acc;
    }, OrderedAggregate::addInto);
    java.util.List<double[]> partials = new java.util.ArrayList<>();
    for (java.util.List<Double> part : rdd.glom().collect()) {
      double[] acc = new double[1];
      for (double v : part) {
        acc[0] += v;
      }
      partials.add(acc);
    }
    double[] merged = OrderedAggregate.mergeInOrder(partials, OrderedAggregate::addInto);
    assertEquals(Double.doubleToLongBits(tree[0]), Double.doubleToLongBits(merged[0]));
    double sequential = 0.0;
    for (double[] part : partials) {
      sequential += part[0];
    }
    assertTrue(sequential != merged[0] || partials.size() <= 16,
        "the data should tell the tree from a sequential merge");
  }

  /**
   * The gated solve with resident passes follows the one-job-per-pass solve step for step to
   * the same bits (150 steps), and certifies 1e-6.
   */
  @Test
  void gatedSolveIsTheSameIteration() {
    ConvexReluProblem p = problem(Formulation.GATED);
    DistributedProblem dp = distribute(p, 2);
    try {
      SolverOptions budget = new SolverOptions(1e-12, 1e-8, 150, 120.0);
      SolverResult resident = assertTimeoutPreemptively(Duration.ofSeconds(120),
          () -> new DistributedGatedSolver(5, true).solve(dp, budget, IterationListener.NONE,
              null, false));
      SolverResult jobs = new DistributedGatedSolver(5, false).solve(dp, budget,
          IterationListener.NONE, null, false);
      assertEquals(150, resident.iterations());
      assertEquals(jobs.iterations(), resident.iterations());
      assertArrayEquals(jobs.weights().data(), resident.weights().data(), 0.0);
      assertEquals(jobs.certificate().relativeGap(), resident.certificate().relativeGap(), 0.0);
      SolverResult certified = assertTimeoutPreemptively(Duration.ofSeconds(120),
          () -> new DistributedGatedSolver(5, true).solve(dp,
              new SolverOptions(1e-6, 1e-8, 100_000, 120.0), IterationListener.NONE, null,
              false));
      assertEquals(StopReason.CONVERGED, certified.stopReason());
    } finally {
      dp.data().close();
    }
  }

  /**
   * Not supported: more partitions than task slots (a barrier stage could not start), the
   * ReLU program, and the logistic loss (its certificates are passes between steps).
   */
  @Test
  void supportsOnlyWhatABarrierStageServes() {
    ConvexReluProblem gated = problem(Formulation.GATED);
    DistributedProblem three = distribute(gated, 3);
    DistributedProblem relu = distribute(problem(Formulation.RELU), 2);
    DistributedProblem logistic = new DistributedProblem(distribute(gated, 2).data(),
        new LogisticLoss(), gated.beta(), Formulation.GATED);
    try {
      assertEquals(2, ResidentPasses.taskSlots(sc.sc()));
      assertFalse(ResidentPasses.supports(three));
      assertFalse(ResidentPasses.supports(relu));
      assertFalse(ResidentPasses.supports(logistic));
    } finally {
      three.data().close();
      relu.data().close();
      logistic.data().close();
    }
  }
}
