package io.cvxrelu.cnn.relaxation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * The gradient descent baseline: its gradient against central finite differences, its step
 * size never raising the loss (the property the step was chosen for), and recovery from a
 * start near w* (where the loss is a strongly convex least-squares piece).
 */
class FilterGradientDescentTest {
  @Test
  void gradientMatchesFiniteDifferences() {
    PlantedInstance inst = PlantedInstance.gaussian(40, 3, 4, 2);
    FilterGradientDescent gd = new FilterGradientDescent(inst.design(), inst.labels());
    DenseMatrix w = FilterGradientDescent.randomStarts(4, 3, 8);
    DenseMatrix grad = new DenseMatrix(4, 3);
    gd.lossAndGradient(w, grad);
    double h = 1e-6;
    for (int t = 0; t < 3; t++) {
      for (int l = 0; l < 4; l++) {
        DenseMatrix plus = w.copy();
        DenseMatrix minus = w.copy();
        plus.set(l, t, plus.get(l, t) + h);
        minus.set(l, t, minus.get(l, t) - h);
        double fd = (gd.lossAndGradient(plus, new DenseMatrix(4, 3))[t]
            - gd.lossAndGradient(minus, new DenseMatrix(4, 3))[t]) / (2 * h);
        assertEquals(fd, grad.get(l, t), 1e-5 * Math.max(1.0, Math.abs(fd)));
      }
    }
  }

  @Test
  void lossNeverIncreasesWithTheChosenStep() {
    PlantedInstance inst = PlantedInstance.gaussian(60, 5, 6, 3);
    FilterGradientDescent gd = new FilterGradientDescent(inst.design(), inst.labels());
    DenseMatrix w = FilterGradientDescent.randomStarts(6, 20, 4);
    double[][] history = gd.run(w, 300);
    int increases = 0;
    for (int it = 1; it < history.length; it++) {
      for (int t = 0; t < 20; t++) {
        if (history[it][t] > history[it - 1][t] * (1 + 1e-12) + 1e-15) {
          increases++;
        }
      }
    }
    // An increase is possible only when a step changes the active patches; on this instance
    // the bound holds with room to spare over 6,000 steps.
    assertEquals(0, increases, "steps that raised the loss");
  }

  @Test
  void recoversFromANearbyStart() {
    PlantedInstance inst = PlantedInstance.gaussian(200, 2, 10, 5);
    FilterGradientDescent gd = new FilterGradientDescent(inst.design(), inst.labels());
    DenseMatrix w = new DenseMatrix(10, 1);
    for (int l = 0; l < 10; l++) {
      w.set(l, 0, inst.filter()[l] * 1.05);
    }
    gd.run(w, 2000);
    assertTrue(inst.relativeError(w.column(0)) <= 1e-6, "error " + inst.relativeError(
        w.column(0)));
  }
}
