package io.cvxrelu.cnn.relaxation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Amplification on the sizes (n = 20 f, f = 10 and 20, k = 1, 2, 5): 30 draws recover
 * w*, and the single-draw success rate measured by the NNLS cone test of eq. (14) is neither
 * near 0 nor near 1 (about 30%, the figure), with every draw's solver outcome equal to
 * the cone test's.
 */
class AmplificationTest {
  @ParameterizedTest
  @CsvSource({"1,10", "2,10", "5,10", "1,20", "2,20", "5,20"})
  void thirtyDrawsRecoverThePlantedFilter(int k, int f) {
    PlantedInstance inst = PlantedInstance.gaussian(20 * f, k, f, 100L * k + f);
    RelaxationSolver solver = new RelaxationSolver();
    RecoveryCone cone = new RecoveryCone(inst.design(), inst.filter());
    List<Amplification.Draw> draws = new ArrayList<>();
    int inCone = 0;
    for (int t = 0; t < 30; t++) {
      Amplification.Draw d = Amplification.solve(solver, inst.design(), inst.labels(), 0.0, 5,
          t);
      draws.add(d);
      boolean predicted = cone.contains(d.direction());
      inCone += predicted ? 1 : 0;
      assertTrue(d.result().certified(), "draw " + t + ": " + d.result());
      assertEquals(predicted, inst.relativeError(d.result().filter()) <= 1e-6, "draw " + t);
    }
    Amplification.Draw best = Amplification.best(draws);
    assertTrue(inst.relativeError(best.result().filter()) <= 1e-6, "k=" + k + " f=" + f
        + ": best of 30 draws has error " + inst.relativeError(best.result().filter()));
    assertTrue(best.trainLoss() <= 1e-12 * inst.design().meanSquaredError(new double[f],
        inst.labels()));
    double rate = inCone / 30.0;
    assertTrue(rate >= 0.05 && rate <= 0.8, "single-draw success rate " + rate);
  }

  /** A draw's direction depends only on (seed, index): tasks may run in any order. */
  @Test
  void drawsAreReproducible() {
    assertArrayEquals(Amplification.direction(9, 4, 7), Amplification.direction(9, 4, 7));
    assertTrue(Amplification.direction(9, 4, 7)[0] != Amplification.direction(9, 5, 7)[0]);
    assertArrayEquals(new double[7], Amplification.direction(9, -1, 7));
  }
}
