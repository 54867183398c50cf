package io.cvxrelu.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradient, objective and determinism of the non-convex SGD trainer. */
class SgdTrainerTest {

  /** n x d Gaussian features with labels sign of a planted two-neuron network. */
  static DenseMatrix features(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = rng.nextGaussian();
    }
    return x;
  }

  static double[] plantedLabels(DenseMatrix x) {
    double[] y = new double[x.rows()];
    for (int i = 0; i < y.length; i++) {
      double a = Math.max(0, x.get(i, 0) + x.get(i, 1));
      double b = Math.max(0, x.get(i, 0) - x.get(i, 1));
      y[i] = a - b + 0.1 > 0 ? 1.0 : -1.0;
    }
    return y;
  }

  @ParameterizedTest
  @ValueSource(strings = {"squared", "logistic"})
  void gradientMatchesFiniteDifferences(String lossName) {
    Loss loss = Loss.forName(lossName);
    DenseMatrix x = features(25, 4, 1);
    double[] y = plantedLabels(x);
    double beta = 0.3;
    SgdTrainer t = SgdTrainer.forDesign(x, y, null, null, loss, beta);
    ReluNetwork net = SgdTrainer.initialise(4, 3, new SplittableRandom(2));
    DenseMatrix gu = new DenseMatrix(4, 3);
    double[] ga = new double[3];
    double f = t.objectiveAndGradient(net, gu, ga);
    assertEquals(t.objective(net), f, 1e-12 * Math.abs(f));
    double h = 1e-6;
    double[] w = net.hidden().data();
    for (int k = 0; k < w.length; k++) {
      double keep = w[k];
      w[k] = keep + h;
      double fp = t.objective(net);
      w[k] = keep - h;
      double fm = t.objective(net);
      w[k] = keep;
      assertEquals((fp - fm) / (2 * h), gu.data()[k], 1e-6 * Math.max(1, Math.abs(f)),
          "dF/du[" + k + "]");
    }
    double[] a = net.alpha();
    for (int j = 0; j < a.length; j++) {
      double keep = a[j];
      a[j] = keep + h;
      double fp = t.objective(net);
      a[j] = keep - h;
      double fm = t.objective(net);
      a[j] = keep;
      assertEquals((fp - fm) / (2 * h), ga[j], 1e-6 * Math.max(1, Math.abs(f)),
          "dF/dalpha[" + j + "]");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"squared", "logistic"})
  void objectiveIsTheConvexModelsNonconvexObjective(String lossName) {
    Loss loss = Loss.forName(lossName);
    DenseMatrix x = features(30, 3, 3);
    double[] y = plantedLabels(x);
    double beta = 0.05;
    // Weights of a ReLU convex model with 2 patterns: [v1 v2 w1 w2].
    DenseMatrix gates = features(3, 2, 4);
    DenseMatrix blocks = features(3, 4, 5);
    ConvexReluModel model = new ConvexReluModel(Formulation.RELU, lossName, beta, false, gates,
        blocks);
    ReluNetwork net = model.network();
    SgdTrainer t = SgdTrainer.forDesign(x, y, null, null, loss, beta);
    double expected = model.nonconvexObjective(x, y, loss);
    assertEquals(expected, t.objective(net), 1e-12 * Math.abs(expected));
    assertEquals(net.objective(x, y, loss, beta), t.objective(net),
        1e-12 * Math.abs(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void trainingIsDeterministicAndLowersTheObjective(String optimizer) {
    DenseMatrix x = features(203, 5, 6);
    double[] y = plantedLabels(x);
    DenseMatrix xt = features(50, 5, 7);
    SgdTrainer t = SgdTrainer.forDesign(x, y, xt, plantedLabels(xt), Loss.forName("squared"),
        0.01);
    SgdOptions o = new SgdOptions(8, 30, 16, optimizer.equals("sgd") ? 0.02 : 0.01,
        Optimizer.parse(optimizer), 0.9, 42);
    List<EpochRecord> seen = new ArrayList<>();
    SgdResult a = t.train(o, seen::add);
    SgdResult b = t.train(o, r -> { });
    assertEquals("EPOCHS", a.stopReason());
    assertEquals(31, a.history().size());
    assertEquals(a.history(), seen);
    for (int k = 0; k < a.history().size(); k++) {
      assertEquals(a.history().get(k).objective(), b.history().get(k).objective(), 0.0);
    }
    assertEquals(203L * 30, a.last().samples());
    double first = a.history().get(0).objective();
    assertTrue(a.last().objective() < 0.5 * first, first + " -> " + a.last().objective());
    assertTrue(a.last().trainAccuracy() > 0.9, "train accuracy " + a.last().trainAccuracy());
    assertTrue(a.last().testAccuracy() > 0.8, "test accuracy " + a.last().testAccuracy());
    assertEquals(t.objective(a.network()), a.last().objective(), 0.0);
    SgdResult c = t.train(o.withSeed(43), r -> { });
    assertTrue(c.last().objective() != a.last().objective(), "another seed, another run");
  }
}
