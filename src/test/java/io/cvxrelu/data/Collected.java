package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** Test helpers: the blocks of a data set brought to the driver (tests only), and comparisons. */
final class Collected {
  private Collected() {}

  /** One SparkSession per test class: local[2], no UI. */
  static SparkSession spark(String name) {
    return SparkSession.builder().master("local[2]").appName(name)
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  /** Loads the spec being built. */
  static DistributedInput.Loaded load(SparkSession spark, DataSpec.Builder spec) {
    return DistributedInput.load(spark, spec.build());
  }

  /** The rows of every block, in block id order, as one matrix. */
  static LabeledData rows(BlockedDataset data) {
    List<LabeledBlock> blocks = new ArrayList<>(data.blocks().collect());
    blocks.sort(Comparator.comparingLong(LabeledBlock::id));
    int n = blocks.stream().mapToInt(LabeledBlock::rows).sum();
    assertEquals(data.n(), n, "row count");
    DenseMatrix x = new DenseMatrix(n, data.d());
    double[] y = new double[n];
    int at = 0;
    for (LabeledBlock b : blocks) {
      assertEquals(data.d(), b.x().cols(), "block width");
      for (int j = 0; j < data.d(); j++) {
        System.arraycopy(b.x().data(), j * b.rows(), x.data(), j * n + at, b.rows());
      }
      System.arraycopy(b.y(), 0, y, at, b.rows());
      at += b.rows();
    }
    return new LabeledData(x, y);
  }

  /** Same shape, and every feature and label within {@code tol}. */
  static void assertClose(LabeledData expected, LabeledData actual, double tol) {
    assertEquals(expected.n(), actual.n(), "n");
    assertEquals(expected.d(), actual.d(), "d");
    double worst = 0.0;
    for (int k = 0; k < expected.x().data().length; k++) {
      worst = Math.max(worst, Math.abs(expected.x().data()[k] - actual.x().data()[k]));
    }
    for (int i = 0; i < expected.n(); i++) {
      worst = Math.max(worst, Math.abs(expected.y()[i] - actual.y()[i]));
    }
    assertTrue(worst <= tol, "largest difference " + worst + " > " + tol);
  }
}
