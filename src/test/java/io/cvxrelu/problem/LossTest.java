package io.cvxrelu.problem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LossTest {

  private static double[] labels(Loss loss, int n, SplittableRandom r) {
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = loss.isClassification() ? (r.nextBoolean() ? 1 : -1) : r.nextGaussian();
    }
    return y;
  }

  @ParameterizedTest
  @ValueSource(strings = {"squared", "logistic"})
  void gradientMatchesFiniteDifferences(String name) {
    Loss loss = Loss.forName(name);
    SplittableRandom r = new SplittableRandom(3);
    double[] y = labels(loss, 7, r);
    double[] z = new double[7];
    for (int i = 0; i < z.length; i++) {
      z[i] = 2 * r.nextGaussian();
    }
    double[] g = new double[7];
    loss.valueAndGradient(z, y, g);
    for (int i = 0; i < z.length; i++) {
      double h = 1e-6;
      double[] zp = z.clone();
      double[] zm = z.clone();
      zp[i] += h;
      zm[i] -= h;
      assertEquals((loss.value(zp, y) - loss.value(zm, y)) / (2 * h), g[i], 1e-6);
    }
  }

  /** Fenchel-Young: -L*(-lambda) &lt;= L(z) + lambda^T z, with equality at lambda = -grad L(z). */
  @ParameterizedTest
  @ValueSource(strings = {"squared", "logistic"})
  void dualObjectiveSatisfiesFenchelYoung(String name) {
    Loss loss = Loss.forName(name);
    SplittableRandom r = new SplittableRandom(5);
    double[] y = labels(loss, 9, r);
    for (int trial = 0; trial < 20; trial++) {
      double[] z = new double[9];
      for (int i = 0; i < z.length; i++) {
        z[i] = 3 * r.nextGaussian();
      }
      double[] g = new double[9];
      double value = loss.valueAndGradient(z, y, g);
      double[] lambda = new double[9];
      double lz = 0.0;
      for (int i = 0; i < 9; i++) {
        lambda[i] = -g[i];
        lz += lambda[i] * z[i];
      }
      assertEquals(value + lz, loss.dualObjective(lambda, y), 1e-9 * (1 + Math.abs(value)));
      // Any other feasible lambda gives a smaller value.
      double[] other = new double[9];
      double oz = 0.0;
      for (int i = 0; i < 9; i++) {
        other[i] = loss.isClassification() ? y[i] * r.nextDouble() : r.nextGaussian();
        oz += other[i] * z[i];
      }
      assertTrue(loss.dualObjective(other, y) <= value + oz + 1e-12);
    }
  }

  @Test
  void logisticMapsZeroOneLabelsAndRejectsOthers() {
    Loss loss = new LogisticLoss();
    assertArrayEquals(new double[] {-1, 1, 1}, loss.canonicalLabels(new double[] {0, 1, 1}));
    assertArrayEquals(new double[] {-1, 1}, loss.canonicalLabels(new double[] {-1, 1}));
    assertThrows(IllegalArgumentException.class,
        () -> loss.canonicalLabels(new double[] {0, 2}));
    assertEquals(Double.NEGATIVE_INFINITY,
        loss.dualObjective(new double[] {-0.5}, new double[] {1}));
  }

  @Test
  void logisticIsStableForLargeMargins() {
    Loss loss = new LogisticLoss();
    double[] g = new double[2];
    double v = loss.valueAndGradient(new double[] {800, -800}, new double[] {1, 1}, g);
    assertEquals(800.0, v, 1e-9);
    assertTrue(Double.isFinite(g[0]) && Double.isFinite(g[1]));
  }
}
