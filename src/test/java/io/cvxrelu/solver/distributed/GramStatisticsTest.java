package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.testutil.Fixtures;
import io.cvxrelu.testutil.SparkTestSession;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gated squared loss from its sufficient statistics ({@link GramStatistics}): phi and its
 * gradient equal a pass over the row blocks, and the distributed gated solve that steps on
 * them reaches the optimum the single-node SSNAL certifies, certified by a full pass. Local
 * mode, one SparkSession for the class.
 */
class GramStatisticsTest {
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

  private static ConvexReluProblem problem(String fixture) {
    Fixtures.Instance f = Fixtures.named(fixture);
    return f.squaredProblem(Formulation.GATED);
  }

  private static DistributedProblem distribute(ConvexReluProblem p, int partitions) {
    return DistributedSolverTest.distribute(sc, p, partitions, 1);
  }

  /** phi at a candidate and phi, grad phi at a point agree with one pass, to rounding. */
  @Test
  void statisticsGiveThePassesValues() {
    ConvexReluProblem p = problem("syn_n200_d5_P30");
    DistributedProblem dp = distribute(p, 3);
    try {
      GramStatistics g = GramStatistics.of(dp);
      SplittableRandom r = new SplittableRandom(3);
      DenseMatrix c = new DenseMatrix(p.d(), p.patternCount());
      DenseMatrix y = new DenseMatrix(p.d(), p.patternCount());
      for (int k = 0; k < c.data().length; k++) {
        c.data()[k] = r.nextGaussian();
        y.data()[k] = r.nextGaussian();
      }
      DistributedProblem.Evaluation want = dp.evaluate(c, y, null, 0.0);
      DistributedProblem.Evaluation got = g.evaluate(c, y);
      assertEquals(want.atCandidate(), got.atCandidate(), 1e-10 * want.atCandidate());
      assertEquals(want.atPoint(), got.atPoint(), 1e-10 * want.atPoint());
      double scale = 0.0;
      for (double v : want.gradient().data()) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertArrayEquals(want.gradient().data(), got.gradient().data(), 1e-10 * scale);
      assertArrayEquals(dp.normalOperator(y).data(), g.normal(y).data(), 1e-10 * scale);
    } finally {
      dp.data().close();
    }
  }

  /**
   * The solve from the statistics certifies 1e-8 (a full certificate pass confirms it) at the
   * objective the single-node SSNAL certifies, on a fixture and on a synthetic problem
   * (n = 5,000, d = 12, P = 60, beta = 0.01 beta_max), over 1 and 4 partitions.
   */
  @Test
  void solveFromTheStatisticsReachesTheLocalOptimum() {
    for (String name : new String[] {"syn_n200_d5_P30", "synthetic"}) {
      ConvexReluProblem p = name.equals("synthetic")
          ? DistributedSolverTest.synthetic(5_000, 12, 60, Formulation.GATED, new SquaredLoss(),
              0.01)
          : problem(name);
      SolverOptions o = new SolverOptions(1e-8, 1e-8, 1_000_000, 120.0);
      SolverResult local = new SsnalGatedSolver().solve(p, null, o, IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, local.stopReason(), name);
      for (int partitions : new int[] {1, 4}) {
        DistributedProblem dp = distribute(p, partitions);
        try {
          assertTrue(GramStatistics.supports(dp));
          DistributedSolver solver = DistributedTraining.solverFor(dp);
          SolverResult r = solver.solve(dp, o, IterationListener.NONE, null, false);
          assertEquals(StopReason.CONVERGED, r.stopReason(), name);
          assertTrue(r.certificate().relativeGap() <= 1e-8, name);
          double f = local.certificate().objective();
          assertEquals(f, r.certificate().objective(), 2e-8 * f, name + " objective");
          assertEquals(p.objective(r.weights()), r.certificate().objective(), 1e-10 * f,
              name + ": the certificate belongs to the weights");
        } finally {
          dp.data().close();
        }
      }
    }
  }

  /**
   * Warm starts and {@code --resume} from the statistics: a solve started at the optimum
   * returns at once, and a solve stopped by its budget with a checkpoint resumes to the
   * straight solve's certificate and objective.
   */
  @Test
  void warmStartAndResume(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    ConvexReluProblem p = problem("syn_n200_d5_P30");
    DistributedProblem dp = distribute(p, 2);
    try {
      SolverOptions o = new SolverOptions(1e-8, 1e-8, 1_000_000, 120.0);
      DistributedSolver solver = DistributedTraining.solverFor(dp);
      SolverResult straight = solver.solve(dp, o, IterationListener.NONE, null, false);
      assertEquals(StopReason.CONVERGED, straight.stopReason());
      SolverResult warm = solver.solve(dp, straight.weights(), o, IterationListener.NONE, null,
          false);
      assertEquals(StopReason.CONVERGED, warm.stopReason());
      assertEquals(0, warm.iterations());
      SolverCheckpoint ck = new SolverCheckpoint(sc.hadoopConfiguration(),
          tmp.resolve("checkpoint").toUri().toString(), 7);
      SolverResult first = solver.solve(dp, o.withMaxIterations(straight.iterations() / 3),
          IterationListener.NONE, ck, false);
      assertEquals(StopReason.MAX_ITERATIONS, first.stopReason());
      assertTrue(ck.exists());
      SolverResult resumed = solver.solve(dp, o, IterationListener.NONE, ck, true);
      assertEquals(StopReason.CONVERGED, resumed.stopReason());
      double f = straight.certificate().objective();
      assertEquals(f, resumed.certificate().objective(), 1e-8 * f);
    } finally {
      dp.data().close();
    }
  }

  /** Only the gated squared loss with P d at most the limit. */
  @Test
  void supportsModeratePdGatedSquaredLoss() {
    ConvexReluProblem p = problem("syn_n200_d5_P30");
    DistributedProblem gated = distribute(p, 2);
    DistributedProblem relu = new DistributedProblem(gated.data(), new SquaredLoss(), p.beta(),
        Formulation.RELU);
    DistributedProblem logistic = new DistributedProblem(gated.data(), new LogisticLoss(),
        p.beta(), Formulation.GATED);
    try {
      assertTrue(GramStatistics.supports(gated));
      assertFalse(GramStatistics.supports(relu));
      assertFalse(GramStatistics.supports(logistic));
    } finally {
      gated.data().close();
    }
  }
}
