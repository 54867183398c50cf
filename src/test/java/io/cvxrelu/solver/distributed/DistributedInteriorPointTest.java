package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.RandomMatrices;
import io.cvxrelu.testutil.SparkTestSession;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The distributed interior point reaches the single-node certificate: on an instance generated
 * like the fixtures (Gaussian X, planted ReLU teacher of width 10, noise 0.1, beta = 0.01
 * beta_max) with n = 1,200, d = 15, P = 80, with 1 and 7 partitions, a certified relative gap
 * of 1e-6, cone violation within 1e-8 max|y| and the local IPM's objective to 1e-7; and the
 * reference optimum of syn_n200_d5_P30. Local mode, one SparkSession for the class.
 */
class DistributedInteriorPointTest {
  private static final SolverOptions OPTIONS = new SolverOptions(1e-6, 1e-8, 500, 60.0);
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

  /** Gaussian X, y from a planted two-layer ReLU teacher of width 10 plus noise 0.1. */
  static ConvexReluProblem planted(int n, int d, int p, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    DenseMatrix w = RandomMatrices.gaussian(d, 10, rng);
    double[] y = new double[n];
    for (int k = 0; k < 10; k++) {
      double a = rng.nextBoolean() ? 1.0 : -1.0;
      for (int i = 0; i < n; i++) {
        double z = 0.0;
        for (int c = 0; c < d; c++) {
          z += x.get(i, c) * w.get(c, k);
        }
        y[i] += a * Math.max(0.0, z);
      }
    }
    for (int i = 0; i < n; i++) {
      y[i] += 0.1 * gaussian(rng);
    }
    SignPatterns patterns = SignPatterns.sample(x, p, seed + 1, 100_000);
    double beta = 0.01 * ConvexReluProblem.betaMax(x, y, patterns, new SquaredLoss());
    return new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta, Formulation.RELU);
  }

  private static double gaussian(SplittableRandom rng) {
    double u = rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(1.0 - u)) * Math.cos(2.0 * Math.PI * v);
  }

  private static SolverResult solve(ConvexReluProblem p, int partitions) {
    try (DistributedData data = DistributedData.fromMatrix(sc, p.x(), p.y(), p.patterns().gates(),
        partitions, DistributedSolverTest.blockRows(p.n(), partitions))) {
      DistributedProblem dp = new DistributedProblem(data, p.loss(), p.beta(), p.formulation());
      return new DistributedInteriorPointSolver().solve(dp, OPTIONS, IterationListener.NONE,
          null, false);
    }
  }

  private static double maxAbs(double[] y) {
    double m = 1.0;
    for (double v : y) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static void assertCertified(ConvexReluProblem p, double optimum, SolverResult r,
      double rel, String where) {
    Certificate c = r.certificate();
    assertEquals(StopReason.CONVERGED, r.stopReason(), where);
    assertTrue(c.relativeGap() <= 1e-6, where + " gap " + c.relativeGap());
    assertTrue(c.constraintViolation() <= 1e-8 * maxAbs(p.y()),
        where + " violation " + c.constraintViolation());
    assertEquals(optimum, c.objective(), rel * Math.abs(optimum), where);
  }

  @Test
  void reachesTheLocalCertificateWithOneAndSevenPartitions() {
    ConvexReluProblem p = planted(1200, 15, 80, 0);
    SolverResult local = new InteriorPointReluSolver().solve(p, null, OPTIONS,
        IterationListener.NONE);
    System.out.printf("local IPM: %d iterations, %.2f s, gap %.2e, violation %.2e, obj %.12e%n",
        local.iterations(), local.seconds(), local.certificate().relativeGap(),
        local.certificate().constraintViolation(), local.certificate().objective());
    assertCertified(p, local.certificate().objective(), local, 1e-7, "local");
    for (int partitions : new int[] {1, 7}) {
      SolverResult r = solve(p, partitions);
      System.out.printf("distributed IPM, %d partitions: %d iterations, %.2f s, gap %.2e, "
          + "violation %.2e, obj %.12e%n", partitions, r.iterations(), r.seconds(),
          r.certificate().relativeGap(), r.certificate().constraintViolation(),
          r.certificate().objective());
      assertCertified(p, local.certificate().objective(), r, 1e-7, partitions + " partitions");
      assertTrue(r.seconds() <= 60.0, partitions + " partitions took " + r.seconds() + " s");
    }
  }

  @Test
  void reachesTheReferenceOptimumOfTheSmallFixture() {
    Fixtures.Instance f = Fixtures.named("syn_n200_d5_P30");
    ConvexReluProblem p = f.squaredProblem(Formulation.RELU);
    assertCertified(p, f.reluOptimum(), solve(p, 3), 1e-6, "syn_n200_d5_P30, 3 partitions");
  }
}
