package io.cvxrelu.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnn;
import io.cvxrelu.cnn.PooledCnnTraining;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SGD trainer of the pooled CNN against independent answers: finite differences of its
 * own objective, the network evaluated by {@link PooledCnn} from the patches, the fully
 * connected {@link SgdTrainer} when the one patch is the whole image, and the certified optimum
 * of the exact convex program (every sign pattern of 1-D windows of 2), which no SGD iterate may
 * beat (Pilanci and Ergen 2020, Fig. 2; Ergen and Pilanci 2021).
 */
class PooledCnnSgdTrainerTest {

  private static double[] signs(int n, SplittableRandom rng) {
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextBoolean() ? 1.0 : -1.0;
    }
    return y;
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(1);
    // Two channels, 5 x 6 images, overlapping 3 x 3 patches at stride 2: h = 18, K = 4.
    PatchGeometry g = PatchGeometry.windows(2, 5, 6, 3, 2);
    DenseMatrix x = RandomMatrices.gaussian(7, g.inputSize(), rng);
    double[] y = signs(7, rng);
    for (Loss loss : List.of(new SquaredLoss(), new LogisticLoss())) {
      PooledCnnSgdTrainer t = PooledCnnSgdTrainer.of(g, x, y, null, null, loss, 0.3);
      int m = 3;
      DenseMatrix u = RandomMatrices.gaussian(g.patchSize(), m, rng);
      double[] alpha = {0.7, -1.1, 0.4};
      DenseMatrix gu = new DenseMatrix(g.patchSize(), m);
      double[] ga = new double[m];
      double value = t.objectiveAndGradient(u, alpha, gu, ga);
      assertEquals(t.objective(u, alpha), value, 1e-12 * Math.abs(value));
      double eps = 1e-6;
      for (int q = 0; q < u.data().length; q++) {
        double saved = u.data()[q];
        u.data()[q] = saved + eps;
        double up = t.objective(u, alpha);
        u.data()[q] = saved - eps;
        double down = t.objective(u, alpha);
        u.data()[q] = saved;
        assertEquals((up - down) / (2 * eps), gu.data()[q], 1e-5 * (1 + Math.abs(gu.data()[q])),
            loss.name() + " filter entry " + q);
      }
      for (int j = 0; j < m; j++) {
        double saved = alpha[j];
        alpha[j] = saved + eps;
        double up = t.objective(u, alpha);
        alpha[j] = saved - eps;
        double down = t.objective(u, alpha);
        alpha[j] = saved;
        assertEquals((up - down) / (2 * eps), ga[j], 1e-5 * (1 + Math.abs(ga[j])),
            loss.name() + " output weight " + j);
      }
    }
  }

  /** The objective SGD reports is the network's own, as {@link PooledCnn} evaluates it. */
  @Test
  void reportedObjectiveIsThePooledNetworksObjective() {
    SplittableRandom rng = new SplittableRandom(2);
    PatchGeometry g = PatchGeometry.windows(1, 6, 6, 2, 2);
    DenseMatrix x = RandomMatrices.gaussian(40, g.inputSize(), rng);
    double[] y = signs(40, rng);
    double beta = 0.05;
    PooledCnnSgdTrainer t = PooledCnnSgdTrainer.of(g, x, y, null, null, new SquaredLoss(), beta);
    PooledCnnSgdResult r = t.train(new SgdOptions(5, 3, 8, 0.01, Optimizer.ADAM, 0.0, 4),
        rec -> { });
    PooledCnn net = new PooledCnn(g, r.filters(), r.outputWeights(), null);
    double independent = net.objective(x, y, beta);
    assertEquals(independent, r.last().objective(), 1e-10 * independent);
    assertEquals(independent, t.objective(r.filters(), r.outputWeights()), 1e-10 * independent);
    assertTrue(r.last().objective() < r.history().get(0).objective(), "SGD did not descend");
  }

  /**
   * With one patch (the whole image) the CNN is the fully connected network on the same
   * design: the same objective and gradient, and from the same seed the same run, epoch by
   * epoch.
   */
  @Test
  void onePatchIsTheFullyConnectedNetwork() {
    SplittableRandom rng = new SplittableRandom(3);
    PatchGeometry g = PatchGeometry.windows(1, 3, 3, 3, 1);
    assertEquals(1, g.patchCount());
    DenseMatrix x = RandomMatrices.gaussian(30, 9, rng);
    double[] y = signs(30, rng);
    double beta = 0.2;
    PooledCnnSgdTrainer cnn = PooledCnnSgdTrainer.of(g, x, y, x, y, new SquaredLoss(), beta);
    SgdTrainer fc = SgdTrainer.forDesign(x, y, x, y, new SquaredLoss(), beta);
    DenseMatrix u = RandomMatrices.gaussian(9, 4, rng);
    double[] alpha = {0.3, -0.8, 1.2, -0.1};
    DenseMatrix gu = new DenseMatrix(9, 4);
    double[] ga = new double[4];
    DenseMatrix fu = new DenseMatrix(9, 4);
    double[] fa = new double[4];
    double cnnValue = cnn.objectiveAndGradient(u, alpha, gu, ga);
    double fcValue = fc.objectiveAndGradient(new ReluNetwork(u, alpha), fu, fa);
    assertEquals(fcValue, cnnValue, 1e-12 * fcValue);
    for (int q = 0; q < gu.data().length; q++) {
      assertEquals(fu.data()[q], gu.data()[q], 1e-12 * (1 + Math.abs(fu.data()[q])));
    }
    for (int j = 0; j < 4; j++) {
      assertEquals(fa[j], ga[j], 1e-12 * (1 + Math.abs(fa[j])));
    }
    SgdOptions o = new SgdOptions(4, 5, 7, 0.01, Optimizer.SGD, 0.9, 11);
    List<EpochRecord> a = cnn.train(o, rec -> { }).history();
    List<EpochRecord> b = fc.train(o, rec -> { }).history();
    assertEquals(b.size(), a.size());
    for (int e = 0; e < a.size(); e++) {
      assertEquals(b.get(e).objective(), a.get(e).objective(), 1e-10 * b.get(e).objective(),
          "epoch " + e);
      assertEquals(b.get(e).testAccuracy(), a.get(e).testAccuracy(), 0.0);
    }
  }

  /**
   * 1-D signals and windows of h = 2: every sign pattern of the stacked patches is enumerated,
   * so the certified convex optimum is the global minimum of the non-convex CNN objective for
   * any number of filters, and no SGD iterate, at any epoch and from any start, goes below its
   * lower bound (the certified optimum minus the certified gap).
   */
  @Test
  void sgdNeverBeatsTheExactCertificate() {
    SplittableRandom rng = new SplittableRandom(10);
    PatchGeometry g = PatchGeometry.windows(1, 1, 5, 2, 1);
    DenseMatrix x = RandomMatrices.gaussian(15, g.inputSize(), rng);
    double[] y = new double[15];
    for (int r = 0; r < y.length; r++) {
      for (int k = 0; k < g.patchCount(); k++) {
        y[r] += Math.max(x.get(r, g.pixel(k, 0)) + x.get(r, g.pixel(k, 1)), 0.0)
            - 0.5 * Math.max(x.get(r, g.pixel(k, 1)), 0.0);
      }
      y[r] += 0.1 * rng.nextGaussian();
    }
    PooledCnnTraining.Trained convex = PooledCnnTraining.train(new PooledCnnTraining.Spec(true,
        g, 0, true, 0, Double.NaN, 0.05, new SolverOptions(1e-10, 1e-9, 500_000, 60.0)), x, y,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, convex.result().stopReason());
    double optimum = convex.result().certificate().objective();
    double lower = convex.result().certificate().lowerBound();
    assertTrue(optimum - lower <= 1e-9 * optimum);
    PooledCnnSgdTrainer t = PooledCnnSgdTrainer.of(g, x, y, null, null, new SquaredLoss(),
        convex.beta());
    double bestSgd = Double.POSITIVE_INFINITY;
    for (int m : new int[] {2, convex.network().width(), 20}) {
      for (long seed = 0; seed < 4; seed++) {
        Optimizer opt = seed % 2 == 0 ? Optimizer.ADAM : Optimizer.SGD;
        double lr = opt == Optimizer.ADAM ? 0.02 : 0.01;
        PooledCnnSgdResult r = t.train(new SgdOptions(m, 400, 5, lr, opt, 0.9, seed),
            rec -> { });
        for (EpochRecord e : r.history()) {
          assertTrue(e.objective() >= lower, "m = " + m + ", seed " + seed + ", epoch "
              + e.epoch() + ": " + e.objective() + " below the certified bound " + lower);
        }
        bestSgd = Math.min(bestSgd, r.last().objective());
      }
    }
    // SGD does train: its best run ends within 10% of the global optimum.
    assertTrue(bestSgd <= 1.1 * optimum, bestSgd + " against the optimum " + optimum);
  }
}
