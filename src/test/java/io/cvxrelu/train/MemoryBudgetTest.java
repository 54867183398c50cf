package io.cvxrelu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.SolverOptions;
import org.junit.jupiter.api.Test;

/** Memory estimates for known sizes, and the refusals and caps of {@link ProblemSetup}. */
class MemoryBudgetTest {
  private static final long GB = 1L << 30;
  private static final MemoryBudget.Limits FOUR_GB = new MemoryBudget.Limits(4 * GB, GB);

  private static MemoryBudget.Request relu(long n, long d, long p) {
    return new MemoryBudget.Request(n, d, p, Formulation.RELU, new SquaredLoss(), 0);
  }

  @Test
  void setupCountsSamplingMaskGatesAndWeights() {
    // n P (8 + 2) + 3 d P 8 + 24 P for sampling, plus d 2P 8 for the ReLU weights.
    MemoryBudget.Request r = relu(300, 5, 1000);
    assertEquals(300 * 1000 * 10 + 3 * 5 * 1000 * 8 + 24 * 1000 + 5 * 2000 * 8,
        MemoryBudget.setup(r));
    MemoryBudget.Request gated = new MemoryBudget.Request(300, 5, 1000, Formulation.GATED,
        new SquaredLoss(), 0);
    assertEquals(MemoryBudget.setup(r) - 5 * 1000 * 8, MemoryBudget.setup(gated));
  }

  @Test
  void solverWorkingSets() {
    MemoryBudget.Request r = relu(1000, 10, 50);
    assertEquals(8L * (2 * 500 * 500 + 20 * 1000 * 100 + 1000 * 55),
        MemoryBudget.interiorPoint(r));
    assertEquals(8L * (3 * 1000 * 1000 + 5 * 1000 * 100 + 4 * 1000 * 50 + 4 * 10 * 100),
        MemoryBudget.admm(r));
    assertEquals(8L * (6 * 1000 * 100 + 5 * 10 * 100), MemoryBudget.augmentedLagrangian(r));
    // ADMM's n x n factor outweighs the augmented Lagrangian's n x 2P arrays here.
    assertEquals(MemoryBudget.augmentedLagrangian(r), MemoryBudget.localSolver(r));
    MemoryBudget.Request logistic = new MemoryBudget.Request(10, 10, 50, Formulation.RELU,
        new LogisticLoss(), 0);
    assertEquals(MemoryBudget.augmentedLagrangian(logistic), MemoryBudget.localSolver(logistic));
    MemoryBudget.Request gated = new MemoryBudget.Request(1000, 10, 50, Formulation.GATED,
        new SquaredLoss(), 4);
    assertEquals(8L * (1000 * 80 + 6 * 10 * 50), MemoryBudget.ssnal(gated));
    assertEquals(8L * 5 * 10 * 50, MemoryBudget.localSolver(gated));
    assertEquals(6 * 8L * 10 * 50, MemoryBudget.distributedDriver(gated));
    // 250 rows a block: d + 1 doubles, P mask bytes, two n_b x P doubles; broadcast 3 d x P.
    assertEquals(3 * 8L * 10 * 50 + 250L * (11 * 8 + 50 + 2 * 50 * 8),
        MemoryBudget.perExecutor(gated));
    assertEquals(0, MemoryBudget.perExecutor(relu(1000, 10, 50)), "partitions unknown");
  }

  @Test
  void refusalNamesEstimateAndLimit() {
    MemoryBudget.Request r = relu(300, 5, 100_000_000);
    String why = MemoryBudget.shortfall(r, null, FOUR_GB);
    assertTrue(why.startsWith("--patterns 100000000 needs about 300.3 GB for the n x P mask and"
        + " the weights (n = 300, d = 5, P = 100000000); the driver's heap is 4.0 GB: lower"
        + " --patterns or raise CVXRELU_DRIVER_MEMORY"), why);
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> MemoryBudget.requireFits(r, false, FOUR_GB));
    assertEquals(why, e.getMessage());
    assertNull(MemoryBudget.shortfall(relu(300, 5, 100), false, FOUR_GB));
  }

  @Test
  void executorShareIsCheckedOnlyWhenDistributed() {
    MemoryBudget.Request r = new MemoryBudget.Request(2_000_000, 20, 100, Formulation.RELU,
        new SquaredLoss(), 1);
    MemoryBudget.Limits big = new MemoryBudget.Limits(64 * GB, GB);
    String why = MemoryBudget.shortfall(r, true, big);
    assertTrue(why.contains("one executor's row block") && why.contains("spark.executor.memory"
        + " is 1.0 GB"), why);
    assertNull(MemoryBudget.shortfall(r, false, new MemoryBudget.Limits(64 * GB, GB)));
  }

  /**
   * The distributed interior point's per-row cone state (its slacks and duals, twice while a
   * step replaces them, and a block's signs and Khatri-Rao products) is counted: 10^6 rows of
   * d = 20, P = 100 on four partitions fit a 7 GB executor, four times as many do not and are
   * refused before the run starts; the gated solver has no such state.
   */
  @Test
  void interiorPointConeRowsCountPerExecutor() {
    MemoryBudget.Request fits = new MemoryBudget.Request(1_000_000, 20, 100, Formulation.RELU,
        new SquaredLoss(), 4);
    MemoryBudget.Request relu = new MemoryBudget.Request(4_000_000, 20, 100, Formulation.RELU,
        new SquaredLoss(), 4);
    MemoryBudget.Request gated = new MemoryBudget.Request(4_000_000, 20, 100,
        Formulation.GATED, new SquaredLoss(), 4);
    long rows = 1_000_000;
    long perRowCones = 8L * (10 * 100 + 20 * 21 / 2 + 21);
    assertEquals(rows * perRowCones, MemoryBudget.perExecutor(relu)
        - MemoryBudget.perExecutor(gated) - rows * 2 * 100 * 8 - 20 * 100 * 8 * 2);
    assertTrue(MemoryBudget.perExecutor(fits) < 7 * GB);
    assertTrue(MemoryBudget.perExecutor(relu) > 7 * GB);
    String why = MemoryBudget.shortfall(relu, true, new MemoryBudget.Limits(64 * GB, 7 * GB));
    assertTrue(why != null && why.contains("spark.executor.memory"), why);
    assertNull(MemoryBudget.shortfall(gated, true, new MemoryBudget.Limits(64 * GB, 7 * GB)));
    // The driver holds the P d x P d normal matrix and its factor.
    assertEquals(6 * MemoryBudget.weights(relu) + 2L * 2000 * 2000 * 8,
        MemoryBudget.distributedDriver(relu));
  }

  @Test
  void cellBoundIsCoversCount() {
    assertEquals(8, MemoryBudget.cellBound(3, 5, Integer.MAX_VALUE), "2^3 for n <= d");
    // 2 (C(9,0) + C(9,1) + C(9,2)) = 2 (1 + 9 + 36)
    assertEquals(92, MemoryBudget.cellBound(10, 3, Integer.MAX_VALUE));
    assertEquals(Integer.MAX_VALUE, MemoryBudget.cellBound(1_000_000, 100, Integer.MAX_VALUE));
    assertEquals(50, MemoryBudget.cellBound(10, 3, 50));
  }

  @Test
  void sizesInSparkSyntax() {
    assertEquals(GB, MemoryBudget.parseSize("1g"));
    assertEquals(512L << 20, MemoryBudget.parseSize("512m"));
    assertEquals(2 * GB, MemoryBudget.parseSize("2gb"));
    assertEquals(1234, MemoryBudget.parseSize("1234"));
    assertThrows(InvalidSpecException.class, () -> MemoryBudget.parseSize("lots"));
    assertEquals("4.0 GB", MemoryBudget.format(4 * GB));
    assertEquals("512 B", MemoryBudget.format(512));
  }

  private static LabeledData rows(int n, int d) {
    DenseMatrix x = new DenseMatrix(n, d);
    double[] y = new double[n];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x.set(i, j, rng.nextGaussian());
      }
      y[i] = rng.nextGaussian();
    }
    return new LabeledData(x, y);
  }

  private static TrainingSpec spec(int patterns) {
    return TrainingSpec.onDriver(Formulation.RELU, new SquaredLoss(), null, 0.01,
        TrainingSpec.Patterns.sampled(patterns), 0, false, SolverOptions.DEFAULTS);
  }

  @Test
  void setupRefusesBeforeSampling() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ProblemSetup.of(
        spec(100_000_000), rows(300, 5), null, ProblemSetup.PatternFiles.NONE, FOUR_GB));
    assertTrue(e.getMessage().startsWith("--patterns 100000000 needs about"), e.getMessage());
    assertTrue(e.getMessage().contains("the driver's heap is 4.0 GB"), e.getMessage());
  }

  @Test
  void setupLowersAnUnaffordableCountToTheCellBound() {
    ProblemSetup.Setup s = ProblemSetup.of(spec(100_000_000), rows(3, 5), null,
        ProblemSetup.PatternFiles.NONE, FOUR_GB);
    assertTrue(s.patterns().count() <= 8, "at most 2^3 patterns: " + s.patterns().count());
    // A count that fits is sampled as asked, even beyond the cells (its draws are unchanged).
    LabeledData three = rows(3, 5);
    ProblemSetup.Setup asked = ProblemSetup.of(spec(100), three, null,
        ProblemSetup.PatternFiles.NONE, FOUR_GB);
    assertArrayEquals(ProblemSetup.sampled(three.x(), 100, 0).gates().data(),
        asked.patterns().gates().data());
  }
}
