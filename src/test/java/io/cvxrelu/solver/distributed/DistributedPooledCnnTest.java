package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnn;
import io.cvxrelu.cnn.PooledGatedCnn;
import io.cvxrelu.cnn.PooledInteriorPointSolver;
import io.cvxrelu.cnn.PooledReluCnn;
import io.cvxrelu.cnn.ProximalGradientSolver;
import io.cvxrelu.cnn.StackedPatches;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.RandomMatrices;
import io.cvxrelu.testutil.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pooled gated CNN program over examples held in row blocks on the executors against the
 * single-node program ({@link PooledGatedCnn} with the Gram-based {@link ProximalGradientSolver},
 * the independent answer): the same gates and beta_max from the same seed, the same certified
 * optimum, and the same recovered network, for one and for three partitions; and the pooled
 * ReLU program over the same blocks ({@link DistributedPooledReluCnn}) against the single-node
 * {@link PooledInteriorPointSolver}.
 */
class DistributedPooledCnnTest {
  private static final PatchGeometry GEOMETRY = PatchGeometry.windows(1, 5, 6, 2, 2);
  private static final int N = 45;
  private static final int PATTERNS = 6;
  private static final long SEED = 5;
  private static SparkSession spark;
  private static DenseMatrix x;
  private static double[] y;
  private static PooledGatedCnn local;
  private static SolverResult localOptimum;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
    SplittableRandom rng = new SplittableRandom(3);
    x = RandomMatrices.gaussian(N, GEOMETRY.inputSize(), rng);
    y = new double[N];
    for (int r = 0; r < N; r++) {
      // +-1 labels of a pooled ReLU teacher, so that the fit has an accuracy too.
      double f = 0.0;
      for (int k = 0; k < GEOMETRY.patchCount(); k++) {
        f += Math.max(x.get(r, GEOMETRY.pixel(k, 0)) - x.get(r, GEOMETRY.pixel(k, 3)), 0.0);
      }
      y[r] = f + 0.3 * rng.nextGaussian() > 2.5 ? 1.0 : -1.0;
    }
    PooledGatedCnn atOne = PooledGatedCnn.of(x, y, GEOMETRY, PATTERNS, SEED, 1.0);
    local = atOne.withBeta(0.4 * atOne.betaMax());
    localOptimum = new ProximalGradientSolver(1).solve(local.problem(),
        new SolverOptions(1e-12, 1e-9, 1_000_000, 60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, localOptimum.stopReason());
  }

  @AfterAll
  static void stop() {
    SparkTestSession.stop(spark);
  }

  /** The rows in blocks of 7 (the last one shorter) over {@code partitions} partitions. */
  private static JavaRDD<LabeledBlock> blocks(int partitions) {
    List<LabeledBlock> out = new ArrayList<>();
    for (int from = 0; from < N; from += 7) {
      int to = Math.min(N, from + 7);
      DenseMatrix xb = new DenseMatrix(to - from, x.cols());
      for (int r = from; r < to; r++) {
        for (int j = 0; j < x.cols(); j++) {
          xb.set(r - from, j, x.get(r, j));
        }
      }
      out.add(new LabeledBlock(from, xb, Arrays.copyOfRange(y, from, to)));
    }
    return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(out, partitions);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void reachesTheSingleNodeCertifiedOptimum(int partitions) {
    try (DistributedPooledCnn program = DistributedPooledCnn.of(blocks(partitions), GEOMETRY,
        PATTERNS, SEED, partitions)) {
      assertEquals(N, program.n());
      assertArrayEquals(local.patterns().gates().data(), program.gates().data(), 0.0,
          "the same gates from the same seed");
      double betaMax = local.withBeta(1.0).betaMax();
      assertEquals(betaMax, program.betaMax(), 1e-12 * betaMax);
      double beta = local.problem().beta();
      SolverResult result = program.solve(beta, new SolverOptions(1e-7, 1e-9, 100_000, 60.0),
          IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, result.stopReason());
      assertTrue(result.certificate().relativeGap() <= 1e-7);
      double optimum = localOptimum.certificate().objective();
      assertEquals(optimum, result.certificate().objective(), 1e-6 * optimum);
      // Each certificate bounds the other's optimum: the lower bounds lie below both values.
      assertTrue(result.certificate().lowerBound() <= optimum * (1 + 1e-12));
      assertTrue(localOptimum.certificate().lowerBound()
          <= result.certificate().objective() * (1 + 1e-12));
      // The certificate from the pass equals the single-node one at the same weights.
      double[] w = result.weights().data();
      assertEquals(local.problem().certificate(w).objective(),
          program.certificate(result.weights(), beta).objective(), 1e-10 * optimum);
      // The recovered network, evaluated from the patches, has the convex value; its fit summed
      // over the blocks equals the fit on the driver.
      PooledCnn network = program.network(result);
      assertEquals(result.certificate().objective(), network.objective(x, y, beta),
          1e-9 * optimum);
      double[] fit = DistributedPooledCnn.fit(blocks(partitions), network);
      double[] f = network.predict(x);
      double sse = 0.0;
      int correct = 0;
      for (int r = 0; r < N; r++) {
        sse += (f[r] - y[r]) * (f[r] - y[r]);
        correct += (f[r] > 0 ? 1.0 : -1.0) == y[r] ? 1 : 0;
      }
      assertEquals(N, fit[0]);
      assertEquals(sse, fit[1], 1e-9 * sse);
      assertEquals(correct, fit[2]);
      assertEquals(0.0, fit[3]);
    }
  }

  /**
   * The pooled ReLU program over the same blocks and patterns: the distributed interior point
   * (cone rows on the executors) reaches the single-node interior point's certified optimum.
   */
  @Test
  void reluProgramReachesTheSingleNodeInteriorPointOptimum() {
    // Three partitions only: an interior-point iteration is four passes, and the gated test
    // already checks that the partitioning leaves the program unchanged.
    int partitions = 3;
    double beta = local.problem().beta();
    PooledReluCnn relu = new PooledReluCnn(StackedPatches.of(x, GEOMETRY), local.patterns(), y,
        GEOMETRY, beta);
    SolverOptions options = new SolverOptions(1e-9, 1e-9, 500, 60.0);
    SolverResult expected = new PooledInteriorPointSolver().solve(relu, options,
        IterationListener.NONE).orElseThrow();
    assertEquals(StopReason.CONVERGED, expected.stopReason());
    try (DistributedPooledCnn program = DistributedPooledCnn.of(blocks(partitions), GEOMETRY,
        PATTERNS, SEED, partitions);
        DistributedPooledReluCnn reluProgram = new DistributedPooledReluCnn(program)) {
      SolverResult result = reluProgram.solve(beta, options, IterationListener.NONE)
          .orElseThrow();
      assertEquals(StopReason.CONVERGED, result.stopReason());
      assertTrue(result.certificate().constraintViolation() <= 1e-9);
      double optimum = expected.certificate().objective();
      assertEquals(optimum, result.certificate().objective(), 1e-6 * optimum);
      assertTrue(result.certificate().lowerBound() <= optimum * (1 + 1e-12));
      assertTrue(expected.certificate().lowerBound()
          <= result.certificate().objective() * (1 + 1e-12));
      PooledCnn network = reluProgram.network(result);
      assertEquals(result.certificate().objective(), network.objective(x, y, beta),
          1e-8 * optimum);
    }
  }
}
