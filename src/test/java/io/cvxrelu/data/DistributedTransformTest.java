package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.FeatureTransform.Reduction;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.TextDataReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standardisation, PCA and random projection fitted by aggregations over blocks equal {@link
 * FeatureTransform} fitted on the collected matrix (the driver-side loader's path), on training
 * and test data, to 1e-10.
 */
class DistributedTransformTest {
  private static final int D = 6;
  private static SparkSession spark;

  @TempDir
  Path tmp;
  private Path train;
  private Path test;
  private LabeledData trainRows;
  private LabeledData testRows;

  @BeforeAll
  static void start() {
    spark = Collected.spark("DistributedTransformTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * Correlated features with offsets up to 1e4 (a variance computed carelessly loses digits
   * there) and one constant column (scaled by 1, not by its zero deviation).
   */
  private static String rows(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double a = rng.nextGaussian();
      double b = rng.nextGaussian();
      double c = rng.nextGaussian();
      double[] x = {1e4 + 3 * a, 2 * a + b, 5.0, -a + 0.5 * b + 0.2 * c, 0.1 * c - 7, b - c};
      sb.append(a + b > 0 ? 1 : -1);
      for (double v : x) {
        sb.append(',').append(v);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  @BeforeEach
  void write() throws IOException {
    train = tmp.resolve("train.csv");
    test = tmp.resolve("test.csv");
    Files.writeString(train, rows(700, 1));
    Files.writeString(test, rows(90, 2));
    try (var r = Files.newBufferedReader(train)) {
      trainRows = TextDataReader.readCsv(r, "train");
    }
    try (var r = Files.newBufferedReader(test)) {
      testRows = TextDataReader.readCsv(r, "test");
    }
  }

  /** Loads with the options and checks both parts against the single-node fit. */
  private void assertMatchesTheDriverPath(boolean standardise, Reduction reduction, int k) {
    FeatureTransform expected = FeatureTransform.fit(trainRows.x(), standardise, reduction, k,
        42L);
    DataSpec.Builder spec = DataSpec.builder(DataFormat.AUTO, train.toString(), test.toString())
        .standardise(standardise ? DataSpec.Standardise.TRUE : DataSpec.Standardise.FALSE)
        .reduction(reduction, k, 42L).layout(4, 7);
    try (DistributedInput.Loaded loaded = Collected.load(spark, spec)) {
      String what = standardise + " " + reduction;
      Collected.assertClose(expected.apply(trainRows), Collected.rows(loaded.train()), 1e-10);
      Collected.assertClose(expected.apply(testRows),
          Collected.rows(loaded.test().orElseThrow()), 1e-10);
      if (standardise) {
        for (int j = 0; j < D; j++) {
          assertEquals(expected.mean()[j], loaded.transform().mean()[j],
              1e-12 * Math.abs(expected.mean()[j]), what);
          assertEquals(expected.scale()[j], loaded.transform().scale()[j], 1e-10, what);
        }
        assertEquals(1.0, loaded.transform().scale()[2], 0.0, "constant column");
      }
    }
  }

  @Test
  void standardisationEqualsTheDriverFit() {
    assertMatchesTheDriverPath(true, Reduction.NONE, 0);
  }

  @Test
  void pcaOfStandardisedAndOfRawFeaturesEqualsTheDriverFit() {
    assertMatchesTheDriverPath(true, Reduction.PCA, 3);
    assertMatchesTheDriverPath(false, Reduction.PCA, 2);
  }

  @Test
  void randomProjectionEqualsTheDriverFit() {
    assertMatchesTheDriverPath(true, Reduction.RANDOM, 4);
    assertMatchesTheDriverPath(false, Reduction.RANDOM, 6);
  }

  @Test
  void aReductionBeyondTheDimensionIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Collected.load(spark, DataSpec.builder(DataFormat.AUTO, train.toString(), null)
            .reduction(Reduction.PCA, 7, 0L)));
    assertTrue(e.getMessage().contains("cannot reduce 6 features to 7 dimensions"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Collected.load(spark,
        DataSpec.builder(DataFormat.AUTO, train.toString(), null).classes("0,1")));
    assertTrue(e.getMessage().contains("--classes applies to"), e.getMessage());
  }
}
