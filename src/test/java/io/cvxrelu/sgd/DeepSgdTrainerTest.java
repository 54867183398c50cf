package io.cvxrelu.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.deep.ClosedForm;
import io.cvxrelu.deep.DeepNetwork;
import io.cvxrelu.deep.RankOneClosedForm;
import io.cvxrelu.deep.WhitenedClosedForm;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The L-layer trainer against the closed forms of {@code io.cvxrelu.deep}: its gradient against
 * finite differences, and on small whitened and rank-one instances no run goes below the
 * closed-form optimum while the best of 10 initialisations reaches it.
 */
class DeepSgdTrainerTest {

  private static DenseMatrix gaussian(int n, int d, SplittableRandom r) {
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    return x;
  }

  private static DenseMatrix whitened(int n, int d, long seed) {
    DenseMatrix x = gaussian(n, d, new SplittableRandom(seed));
    DenseMatrix w = new DenseMatrix(n, d);
    Blas.gemm(false, false, 1.0, x, WhitenedClosedForm.whiteningMap(x), 0.0, w);
    return w;
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(1);
    DenseMatrix x = gaussian(7, 4, r);
    DenseMatrix y = gaussian(7, 2, r);
    DeepNetwork net = DeepSgdTrainer.initialise(4, new int[] {5, 3}, 2, r);
    List<DenseMatrix> w = net.layers();
    List<DenseMatrix> g = DeepSgdTrainer.gradient(w, x, y);
    double h = 1e-6;
    for (int l = 0; l < w.size(); l++) {
      for (int k = 0; k < w.get(l).data().length; k++) {
        double keep = w.get(l).data()[k];
        w.get(l).data()[k] = keep + h;
        double up = new DeepNetwork(w, DeepNetwork.Activation.RELU).objective(x, y, 0.0);
        w.get(l).data()[k] = keep - h;
        double down = new DeepNetwork(w, DeepNetwork.Activation.RELU).objective(x, y, 0.0);
        w.get(l).data()[k] = keep;
        assertEquals((up - down) / (2 * h), g.get(l).data()[k], 1e-6, "layer " + (l + 1));
      }
    }
  }

  /** 10 full-batch Adam runs with a decaying step; returns their final objectives. */
  private static List<Double> runs(DenseMatrix x, DenseMatrix y, double beta, int depth,
      int epochs) {
    DeepSgdTrainer trainer = new DeepSgdTrainer(x, y, null, null, beta);
    int[] widths = new int[depth - 1];
    java.util.Arrays.fill(widths, 8);
    List<Double> out = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      DeepSgdOptions o = new DeepSgdOptions(widths, epochs, x.rows(), 0.02, Optimizer.ADAM, 0.0,
          true, 100 + k);
      out.add(trainer.train(o, rec -> { }).last().objective());
    }
    return out;
  }

  private static void assertNoneBelowAndBestReaches(ClosedForm cf, List<Double> objectives,
      String what) {
    double best = Double.POSITIVE_INFINITY;
    for (double v : objectives) {
      assertTrue(v >= cf.value() * (1.0 - 1e-9), what + ": a run reached " + v
          + " below the closed form " + cf.value());
      best = Math.min(best, v);
    }
    assertTrue(best <= cf.value() * (1.0 + 1e-5), what + ": best run " + best
        + ", closed form " + cf.value());
  }

  @Test
  void noRunGoesBelowTheWhitenedClosedFormAndTheBestReachesIt() {
    DenseMatrix x = whitened(6, 8, 2);
    SplittableRandom r = new SplittableRandom(3);
    double[] y = new double[6];
    for (int i = 0; i < 6; i++) {
      y[i] = r.nextGaussian();
    }
    for (int depth = 2; depth <= 4; depth++) {
      // Both signed parts well above the threshold: a path that starts small sits near the
      // saddle at zero weights, which a first-order method leaves slowly for L >= 4.
      double beta = 0.05;
      ClosedForm cf = WhitenedClosedForm.scalar(x, y, beta, depth);
      assertNoneBelowAndBestReaches(cf, runs(x, DeepNetwork.column(y), beta, depth, 4000),
          "whitened L = " + depth);
    }
  }

  @Test
  void noRunGoesBelowTheRankOneClosedFormAndTheBestReachesIt() {
    SplittableRandom r = new SplittableRandom(4);
    DenseMatrix x = new DenseMatrix(8, 3);
    double[] y = new double[8];
    for (int i = 0; i < 8; i++) {
      double c = r.nextDouble(0.2, 1.5);
      x.set(i, 0, c);
      x.set(i, 1, -0.5 * c);
      x.set(i, 2, 2.0 * c);
      y[i] = r.nextGaussian() + 1.0;
    }
    for (int depth = 2; depth <= 4; depth++) {
      ClosedForm cf = RankOneClosedForm.solve(x, DeepNetwork.column(y), 0.2, depth);
      assertNoneBelowAndBestReaches(cf, runs(x, DeepNetwork.column(y), 0.2, depth, 1500),
          "rank-one L = " + depth);
    }
  }

  @Test
  void badWidthsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> DeepSgdOptions.parseWidths("5,5", 1));
    assertThrows(IllegalArgumentException.class, () -> DeepSgdOptions.parseWidths("5,5", 4));
    assertEquals(3, DeepSgdOptions.parseWidths("7", 4).length);
    assertThrows(IllegalArgumentException.class, () -> DeepSgdOptions.parseWidths("a", 3));
  }
}
