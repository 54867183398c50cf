package io.cvxrelu.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.MultiOutputFista;
import io.cvxrelu.multiclass.MultiOutputLoss;
import io.cvxrelu.multiclass.MultiOutputProblem;
import io.cvxrelu.multiclass.MultiOutputResult;
import io.cvxrelu.multiclass.MulticlassTargets;
import io.cvxrelu.multiclass.ReluVectorNetwork;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.train.ProblemSetup;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector-output SGD trainer: its gradient against central finite differences, and its
 * objective against the certified optimum of the multi-class convex program over every sign
 * pattern, which bounds the weight-decay objective of every ReLU network from below
 * ({@link ReluVectorNetwork#convexPoint}).
 */
class MultiOutputSgdTrainerTest {

  /** n x (d + 1) Gaussian features with a bias column, and three classes from a planted rule. */
  private static DenseMatrix features(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = rng.nextGaussian();
    }
    return x.withOnesColumn();
  }

  private static int[] classes(DenseMatrix x) {
    int[] c = new int[x.rows()];
    for (int i = 0; i < c.length; i++) {
      double a = x.get(i, 0);
      double b = x.get(i, 1);
      c[i] = a + b > 0.5 ? 0 : a - b > 0 ? 1 : 2;
    }
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {"squared", "softmax"})
  void gradientMatchesFiniteDifferences(String lossName) {
    MultiOutputLoss loss = MultiOutputLoss.forName(lossName);
    DenseMatrix x = features(30, 4, 1);
    DenseMatrix y = MulticlassTargets.oneHot(classes(x), 3);
    MultiOutputSgdTrainer t = new MultiOutputSgdTrainer(x, y, null, null, loss, 0.3);
    ReluVectorNetwork net = MultiOutputSgdTrainer.initialise(5, 4, 3, new SplittableRandom(2));
    DenseMatrix gu = new DenseMatrix(5, 4);
    DenseMatrix ga = new DenseMatrix(4, 3);
    double f = t.objectiveAndGradient(net, gu, ga);
    assertEquals(t.objective(net), f, 1e-12 * Math.abs(f));
    checkAgainstDifferences(t, net, net.hidden().data(), gu.data());
    checkAgainstDifferences(t, net, net.output().data(), ga.data());
  }

  private static void checkAgainstDifferences(MultiOutputSgdTrainer t, ReluVectorNetwork net,
      double[] w, double[] grad) {
    double h = 1e-6;
    for (int k = 0; k < w.length; k++) {
      double keep = w[k];
      w[k] = keep + h;
      double fp = t.objective(net);
      w[k] = keep - h;
      double fm = t.objective(net);
      w[k] = keep;
      assertEquals((fp - fm) / (2 * h), grad[k], 1e-5 * Math.max(1.0, Math.abs(grad[k])),
          "component " + k);
    }
  }

  /**
   * n = 16 points in R^2 (plus bias): every sign pattern is enumerated, so the certified lower
   * bound of the convex program is below the objective of every network SGD visits; and the
   * convex objective at the final network's own point is at most the network's objective,
   * with the same predictions.
   */
  @ParameterizedTest
  @ValueSource(strings = {"squared", "softmax"})
  void objectiveNeverBelowCertifiedConvexOptimum(String lossName) {
    MultiOutputLoss loss = MultiOutputLoss.forName(lossName);
    DenseMatrix x = features(16, 2, 3);
    DenseMatrix y = MulticlassTargets.oneHot(classes(x), 3);
    SignPatterns all = ProblemSetup.enumerated(x);
    MultiOutputProblem unscaled = new MultiOutputProblem(x, y, all, loss, 1.0);
    double beta = 0.05 * unscaled.betaMax();
    MultiOutputProblem problem = unscaled.withBeta(beta);
    MultiOutputResult convex = new MultiOutputFista().solve(problem, null,
        new SolverOptions(1e-7, 1e-9, 200_000, 60.0), rec -> true);
    assertEquals(StopReason.CONVERGED, convex.stopReason());
    double bound = convex.certificate().lowerBound();
    MultiOutputSgdTrainer t = new MultiOutputSgdTrainer(x, y, null, null, loss, beta);
    for (long seed = 0; seed < 3; seed++) {
      SgdOptions o = new SgdOptions(12, 200, 4, 0.01, Optimizer.ADAM, 0.0, seed);
      MultiOutputSgdResult r = t.train(o, rec -> assertTrue(rec.objective() >= bound,
          "epoch " + rec.epoch() + ": " + rec.objective() + " < bound " + bound));
      assertEquals("EPOCHS", r.stopReason());
      // It trains: the last objective is well below the first.
      assertTrue(r.last().objective() < 0.8 * r.history().get(0).objective());

      ReluVectorNetwork net = r.network();
      DenseMatrix w = net.convexPoint(problem);
      DenseMatrix fNet = net.predict(x);
      DenseMatrix fConvex = problem.predict(w);
      for (int k = 0; k < fNet.data().length; k++) {
        assertEquals(fNet.data()[k], fConvex.data()[k], 1e-10);
      }
      double networkObjective = net.objective(x, y, loss, beta);
      assertEquals(t.objective(net), networkObjective, 1e-10 * networkObjective);
      assertTrue(problem.objective(w) <= networkObjective + 1e-10,
          problem.objective(w) + " > " + networkObjective);
      assertTrue(problem.objective(w) >= bound);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void sameSeedSameRun(String optimizer) {
    DenseMatrix x = features(40, 3, 5);
    DenseMatrix y = MulticlassTargets.oneHot(classes(x), 3);
    MultiOutputSgdTrainer t = new MultiOutputSgdTrainer(x, y, x, classes(x),
        new io.cvxrelu.multiclass.SoftmaxCrossEntropy(), 0.1);
    SgdOptions o = new SgdOptions(6, 5, 7, 0.01, Optimizer.parse(optimizer), 0.9, 11);
    MultiOutputSgdResult a = t.train(o, rec -> { });
    MultiOutputSgdResult b = t.train(o, rec -> { });
    assertEquals(a.last().objective(), b.last().objective(), 0.0);
    assertEquals(a.last().trainAccuracy(), a.last().testAccuracy(), 0.0,
        "the test set is the training set here");
    assertEquals(6, a.history().size());
  }
}
