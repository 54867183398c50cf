package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.data.DataFormat;
import io.cvxrelu.data.DataSpec;
import io.cvxrelu.data.DistributedInput;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.testutil.SparkTestSession;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.TrainingSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program set up over rows read on the executors equals {@link ProblemSetup}'s on the same
 * rows read on the driver: the same gates in the same order (duplicates and all-zero patterns
 * redrawn as there), the same beta_max and beta, the labels in canonical coding.
 */
class DistributedSetupTest {
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stop() {
    SparkTestSession.stop(spark);
  }

  /** n rows "label,x1..xd"; labels 0/1 when {@code classes}, else real. */
  private Path csv(int n, int d, boolean classes, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(classes ? (rng.nextBoolean() ? "1" : "0") : Double.toString(rng.nextGaussian()));
      for (int j = 0; j < d; j++) {
        sb.append(',').append(rng.nextGaussian());
      }
      sb.append('\n');
    }
    Path p = tmp.resolve("train-" + seed + ".csv");
    Files.writeString(p, sb.toString());
    return p;
  }

  private static TrainingSpec spec(Loss loss, TrainingSpec.Patterns patterns, boolean bias) {
    return TrainingSpec.onDriver(Formulation.RELU, loss, null, 0.05, patterns, 11, bias,
        SolverOptions.DEFAULTS);
  }

  /** Sets the problem up both ways and compares them; returns the distributed one's P. */
  private static int assertSame(Path file, TrainingSpec spec, ProblemSetup.PatternFiles files)
      throws IOException {
    LabeledData rows;
    try (BufferedReader r = Files.newBufferedReader(file)) {
      rows = TextDataReader.readCsv(r, file.toString());
    }
    ProblemSetup.Setup expected = ProblemSetup.of(spec, rows, null, files);
    DataSpec data = DataSpec.builder(DataFormat.CSV, file.toString(), null).layout(3, 37)
        .build();
    try (DistributedInput.Loaded loaded = DistributedInput.load(spark, data);
        DistributedSetup.Setup actual = DistributedSetup.of(spec, loaded.train(), files)) {
      assertTrue(loaded.train().partitions() >= 3);
      DenseMatrix g = expected.patterns().gates();
      assertEquals(g.rows(), actual.gates().rows());
      assertEquals(g.cols(), actual.patternCount());
      assertArrayEquals(g.data(), actual.gates().data(), "the same gates in the same order");
      assertEquals(expected.betaMax(), actual.betaMax(), 1e-12 * expected.betaMax());
      assertEquals(expected.beta(), actual.beta(), 1e-12 * expected.beta());
      assertEquals(expected.x().rows(), actual.data().n());
      double[] labels = actual.data().blocks().flatMap(b -> java.util.Arrays.stream(b.y())
          .boxed().iterator()).collect().stream().mapToDouble(Double::doubleValue).toArray();
      java.util.Arrays.sort(labels);
      double[] y = expected.y().clone();
      java.util.Arrays.sort(y);
      assertArrayEquals(y, labels, "canonical labels");
      int width = actual.data().blocks().map(RowBlock::d).first();
      assertEquals(expected.x().cols(), width, "bias column appended on the executors");
      return actual.patternCount();
    }
  }

  @Test
  void sampledPatternsAndBetaMaxEqualTheDriverSetup() throws IOException {
    assertSame(csv(500, 4, false, 1), spec(new SquaredLoss(),
        TrainingSpec.Patterns.sampled(40), true), ProblemSetup.PatternFiles.NONE);
    assertSame(csv(300, 3, true, 2), spec(new LogisticLoss(),
        TrainingSpec.Patterns.sampled(25), false), ProblemSetup.PatternFiles.NONE);
  }

  @Test
  void duplicatesAndEmptyPatternsAreRedrawnAsOnTheDriver() throws IOException {
    // 12 rows in 2 dimensions have at most 24 cells and no bias: most draws repeat a pattern,
    // and the budget runs out before 60 distinct ones are found.
    int p = assertSame(csv(12, 2, false, 3), spec(new SquaredLoss(),
        TrainingSpec.Patterns.sampled(60), false), ProblemSetup.PatternFiles.NONE);
    assertTrue(p < 60, "the budget ends the sampling: P = " + p);
  }

  @Test
  void givenGatesKeepTheFirstOfEachPattern() throws IOException {
    DenseMatrix byRow = new DenseMatrix(4, 3);
    double[][] rows = {{1, 0, 0}, {2, 0, 0}, {0, 0, 0}, {0, -1, 0.5}};
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        byRow.set(i, j, rows[i][j]);
      }
    }
    ProblemSetup.PatternFiles files = new ProblemSetup.PatternFiles() {
      @Override
      public DenseMatrix gates(String path) {
        return byRow;
      }

      @Override
      public ReluNetwork network(String path, int dimension) {
        throw new AssertionError();
      }
    };
    TrainingSpec spec = spec(new SquaredLoss(), new TrainingSpec.Patterns(1, false, "g.csv",
        null), true);
    assertEquals(2, assertSame(csv(200, 2, false, 4), spec, files));
  }

  @Test
  void oneClassIsTheDriverSetupsDataError() throws IOException {
    Path p = tmp.resolve("one.csv");
    Files.writeString(p, "1,0.5,2\n1,-1,3\n1,2,0.25\n");
    DataSpec data = DataSpec.builder(DataFormat.CSV, p.toString(), null).build();
    try (DistributedInput.Loaded loaded = DistributedInput.load(spark, data)) {
      DataFormatException e = assertThrows(DataFormatException.class,
          () -> DistributedSetup.of(spec(new LogisticLoss(), TrainingSpec.Patterns.sampled(3),
              false), loaded.train(), ProblemSetup.PatternFiles.NONE));
      DataFormatException driver = assertThrows(DataFormatException.class,
          () -> ProblemSetup.of(spec(new LogisticLoss(), TrainingSpec.Patterns.sampled(3),
              false), TextDataReader.readCsv(new BufferedReader(new StringReader(
                  Files.readString(p))), p.toString()), null, ProblemSetup.PatternFiles.NONE));
      assertEquals(driver.getMessage(), e.getMessage());
    }
  }
}
