package io.cvxrelu.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.testutil.RandomMatrices;
import io.cvxrelu.theory.RelaxedNeuron.Objective;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The relaxed single-neuron loss (survey seed, section 2.2): its identity with the squared loss
 * for y &gt;= 0 and its convexity checked pointwise, both gradients against finite differences,
 * and recovery of w* to 1e-8 from every one of 20 starts without noise (n = 200, d = 20).
 */
class RelaxedNeuronTest {

  private static DenseMatrix column(double[] w) {
    return new DenseMatrix(w.length, 1, w.clone());
  }

  @Test
  void relaxedLossIsTheSquaredLossPlusTheHingeOnInactiveRowsAndIsConvex() {
    SplittableRandom rng = new SplittableRandom(1);
    DenseMatrix x = RandomMatrices.gaussian(30, 4, rng);
    double[] y = new double[30];
    for (int i = 0; i < 30; i++) {
      y[i] = Math.abs(rng.nextGaussian());
    }
    for (int trial = 0; trial < 20; trial++) {
      double[] w = RandomMatrices.gaussian(4, 1, rng).data();
      double[] v = RandomMatrices.gaussian(4, 1, rng).data();
      double lr = RelaxedNeuron.values(Objective.RELAXED, x, y, column(w))[0];
      double l = RelaxedNeuron.values(Objective.SQUARED, x, y, column(w))[0];
      double hinge = 0.0;
      for (int i = 0; i < 30; i++) {
        double z = 0.0;
        for (int k = 0; k < 4; k++) {
          z += x.get(i, k) * w[k];
        }
        hinge += y[i] * Math.max(-z, 0.0);
      }
      assertEquals(l + 2 * hinge, lr, 1e-9 * Math.max(1.0, lr));
      // Midpoint convexity along the segment [w, v].
      double[] mid = new double[4];
      for (int k = 0; k < 4; k++) {
        mid[k] = 0.5 * (w[k] + v[k]);
      }
      double lv = RelaxedNeuron.values(Objective.RELAXED, x, y, column(v))[0];
      double lm = RelaxedNeuron.values(Objective.RELAXED, x, y, column(mid))[0];
      assertTrue(lm <= 0.5 * (lr + lv) + 1e-9);
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(2);
    DenseMatrix x = RandomMatrices.gaussian(25, 3, rng);
    double[] y = new double[25];
    for (int i = 0; i < 25; i++) {
      y[i] = Math.abs(rng.nextGaussian());
    }
    double[] w = RandomMatrices.gaussian(3, 1, rng).data();
    for (Objective o : Objective.values()) {
      DenseMatrix g = RelaxedNeuron.gradients(o, x, y, column(w));
      for (int k = 0; k < 3; k++) {
        double h = 1e-6;
        double[] up = w.clone();
        double[] down = w.clone();
        up[k] += h;
        down[k] -= h;
        double fd = (RelaxedNeuron.values(o, x, y, column(up))[0]
            - RelaxedNeuron.values(o, x, y, column(down))[0]) / (2 * h);
        assertEquals(fd, g.get(k, 0), 1e-5 * Math.max(1.0, Math.abs(fd)), o + " coordinate " + k);
      }
    }
  }

  @Test
  void withoutNoiseTheRelaxedLossRecoversTheNeuronFromEveryStart() {
    RelaxedNeuronStudy.Settings s = new RelaxedNeuronStudy.Settings(200, 20, 100,
        new double[] {0.0}, 20, 3000, 100, 4);
    List<RelaxedNeuronStudy.Curves> curves = RelaxedNeuronStudy.run(s);
    RelaxedNeuronStudy.Curves relaxed = curves.stream()
        .filter(c -> c.objective() == Objective.RELAXED).findFirst().orElseThrow();
    assertEquals(20, relaxed.recovered(1e-8), "worst ||w - w*|| " + relaxed.worstFinalDistance());
    double[] test = relaxed.test().get(relaxed.test().size() - 1);
    for (double v : test) {
      assertTrue(v < 1e-14, "test loss " + v);
    }
  }

  @Test
  void negativeLabelsAreRefused() {
    DenseMatrix x = RandomMatrices.gaussian(5, 2, new SplittableRandom(3));
    double[] y = {1, 0, -0.5, 2, 1};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RelaxedNeuron.descend(Objective.RELAXED, x, y, new DenseMatrix(2, 1), 10, 1,
            (it, w) -> { }));
    assertTrue(e.getMessage().contains("label 3"), e.getMessage());
  }
}
