package io.cvxrelu.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Standardisation with training statistics, PCA and random projection. */
class FeatureTransformTest {

  private static DenseMatrix random(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = rng.nextGaussian() * (1 + k / n) + k / n;
    }
    return x;
  }

  @Test
  void standardisesWithTrainingStatisticsAndKeepsConstantColumnsFinite() {
    DenseMatrix x = random(50, 4, 1);
    for (int i = 0; i < 50; i++) {
      x.set(i, 2, 7.0);
    }
    FeatureTransform t = FeatureTransform.fit(x, true, FeatureTransform.Reduction.NONE, 0, 0);
    DenseMatrix z = t.apply(x);
    for (int j = 0; j < 4; j++) {
      double s = 0;
      double ss = 0;
      for (int i = 0; i < 50; i++) {
        s += z.get(i, j);
        ss += z.get(i, j) * z.get(i, j);
      }
      assertEquals(0.0, s / 50, 1e-12);
      assertEquals(j == 2 ? 0.0 : 1.0, ss / 50, 1e-12);
    }
    // Test rows use the training mean and scale, not their own.
    DenseMatrix test = new DenseMatrix(1, 4, new double[] {t.mean()[0], 0, 8.0, 0});
    DenseMatrix zt = t.apply(test);
    assertEquals(0.0, zt.get(0, 0), 1e-12);
    assertEquals(1.0, zt.get(0, 2), 0.0);
    assertEquals(-t.mean()[1] / t.scale()[1], zt.get(0, 1), 1e-12);
    assertTrue(zt.isFinite());
  }

  @Test
  void pcaKeepsTheLeadingDirections() {
    // Rank-2 data in 5 dimensions plus tiny noise: two components carry nearly everything.
    int n = 200;
    SplittableRandom rng = new SplittableRandom(3);
    DenseMatrix x = new DenseMatrix(n, 5);
    for (int i = 0; i < n; i++) {
      double a = rng.nextGaussian() * 3;
      double b = rng.nextGaussian();
      double[] row = {a + b, a - b, 2 * a, b, 0};
      for (int j = 0; j < 5; j++) {
        x.set(i, j, row[j] + 1e-6 * rng.nextGaussian());
      }
    }
    FeatureTransform t = FeatureTransform.fit(x, false, FeatureTransform.Reduction.PCA, 2, 0);
    DenseMatrix z = t.apply(x);
    assertEquals(2, z.cols());
    double total = 0;
    for (double v : x.data()) {
      total += v * v;
    }
    double kept = 0;
    for (double v : z.data()) {
      kept += v * v;
    }
    assertEquals(total, kept, 1e-8 * total);
    // Orthonormal components, the first carrying the most energy.
    DenseMatrix p = t.projection();
    assertEquals(1.0, p.columnNorm(0), 1e-12);
    assertEquals(0.0, io.cvxrelu.linalg.Blas.dot(5, p.column(0), p.column(1)), 1e-12);
    assertTrue(z.columnNorm(0) >= z.columnNorm(1));
  }

  @Test
  void randomProjectionIsSeededAndShaped() {
    DenseMatrix x = random(20, 30, 5);
    FeatureTransform a = FeatureTransform.fit(x, true, FeatureTransform.Reduction.RANDOM, 7, 11);
    FeatureTransform b = FeatureTransform.fit(x, true, FeatureTransform.Reduction.RANDOM, 7, 11);
    assertArrayEquals(a.apply(x).data(), b.apply(x).data(), 0.0);
    assertEquals(7, a.apply(x).cols());
    assertThrows(IllegalArgumentException.class,
        () -> FeatureTransform.fit(x, false, FeatureTransform.Reduction.PCA, 31, 0));
  }
}
