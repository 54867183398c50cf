package io.cvxrelu.multiclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector-output solver against independent answers: the scalar gated solvers of
 * {@code io.cvxrelu.solver.local} (c = 1 is their program; softmax with c = 2 is the logistic
 * program at beta / sqrt 2), the closed-form beta_max, weak duality along the whole run, and
 * the recovered network's objective.
 */
class MultiOutputFistaTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-9, 1e-9, 200_000, 60.0);

  @Test
  void oneOutputIsTheScalarGatedProgram() {
    DenseMatrix x = MultiOutputFixture.features(60, 5, 21);
    SignPatterns p = MultiOutputFixture.patterns(x, 15, 4);
    double[] y = RandomMatrices.gaussian(60, 1, new SplittableRandom(22)).data();
    MultiOutputProblem vec = new MultiOutputProblem(x, new DenseMatrix(60, 1, y.clone()), p,
        new OneHotSquaredLoss(), 1.0);
    double beta = 0.1 * vec.betaMax();
    MultiOutputResult r = new MultiOutputFista().solve(vec.withBeta(beta), null, TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());

    ConvexReluProblem scalar = new ConvexReluProblem(x, y, p, new SquaredLoss(), beta,
        Formulation.GATED);
    SolverResult s = new SsnalGatedSolver().solve(scalar, null, TIGHT, IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, s.stopReason());
    double opt = s.certificate().objective();
    assertEquals(opt, r.certificate().objective(), 1e-6 * opt);
    // Same weights: the program is strictly convex in the predictions, and here in W too.
    double diff = 0.0;
    for (int k = 0; k < r.weights().data().length; k++) {
      diff = Math.max(diff, Math.abs(r.weights().data()[k] - s.weights().data()[k]));
    }
    assertTrue(diff < 1e-3, "weights differ by " + diff);
  }

  /**
   * Softmax with c = 2 depends on F only through F_0 - F_1 = sum_i D_i X (W_i0 - W_i1); for a
   * given difference u_i the smallest ||[W_i0, W_i1]||_F is ||u_i|| / sqrt 2 (at W_i0 = -W_i1 =
   * u_i / 2). So its optimum is the logistic program's with labels +1 for class 0 at
   * beta / sqrt 2, solved here by the project's scalar gated FISTA.
   */
  @Test
  void twoClassSoftmaxIsLogisticAtBetaOverRootTwo() {
    DenseMatrix x = MultiOutputFixture.features(50, 4, 31);
    int[] labels = MultiOutputFixture.labels(x, 2, 31);
    SignPatterns p = MultiOutputFixture.patterns(x, 12, 6);
    MultiOutputProblem vec = new MultiOutputProblem(x, MulticlassTargets.oneHot(labels, 2), p,
        new SoftmaxCrossEntropy(), 1.0);
    double beta = 0.05 * vec.betaMax();
    MultiOutputResult r = new MultiOutputFista().solve(vec.withBeta(beta), null, TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());

    double[] y = new double[labels.length];
    for (int k = 0; k < y.length; k++) {
      y[k] = labels[k] == 0 ? 1.0 : -1.0;
    }
    ConvexReluProblem logistic = new ConvexReluProblem(x, y, p, new LogisticLoss(),
        beta / Math.sqrt(2.0), Formulation.GATED);
    SolverResult s = new GatedFistaSolver().solve(logistic, null, TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, s.stopReason());
    double opt = s.certificate().objective();
    assertEquals(opt, r.certificate().objective(), 1e-6 * opt);
  }

  @Test
  void zeroIsOptimalExactlyFromBetaMax() {
    for (MultiOutputLoss loss : new MultiOutputLoss[] {new OneHotSquaredLoss(),
        new SoftmaxCrossEntropy()}) {
      MultiOutputProblem pr = threeClasses(loss);
      double betaMax = pr.betaMax();
      MultiOutputResult atMax = new MultiOutputFista().solve(pr.withBeta(betaMax), null, TIGHT,
          IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, atMax.stopReason(), loss.name());
      assertEquals(0, pr.activeBlocks(atMax.weights()), loss.name());
      assertEquals(0L, atMax.iterations(), loss.name() + ": certified at the start");
      MultiOutputResult below = new MultiOutputFista().solve(pr.withBeta(0.95 * betaMax), null,
          TIGHT, IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, below.stopReason(), loss.name());
      assertTrue(pr.activeBlocks(below.weights()) > 0, loss.name() + ": below beta_max the "
          + "zero weights are not optimal");
    }
  }

  /**
   * Weak duality along the whole run: no recorded lower bound exceeds the certified optimum,
   * and no objective falls below it.
   */
  @Test
  void everyLowerBoundIsBelowEveryObjective() {
    for (MultiOutputLoss loss : new MultiOutputLoss[] {new OneHotSquaredLoss(),
        new SoftmaxCrossEntropy()}) {
      MultiOutputProblem pr = threeClasses(loss);
      pr = pr.withBeta(0.02 * pr.betaMax());
      MultiOutputResult r = new MultiOutputFista(1).solve(pr, null, TIGHT,
          IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, r.stopReason(), loss.name());
      assertTrue(r.certificate().relativeGap() <= 1e-9, loss.name());
      double opt = r.certificate().objective();
      double bestLower = r.certificate().lowerBound();
      for (IterationRecord rec : r.history()) {
        assertTrue(rec.lowerBound() <= opt + 1e-9 * opt, loss.name() + " iteration "
            + rec.iteration());
        assertTrue(rec.objective() >= bestLower - 1e-9 * opt, loss.name() + " iteration "
            + rec.iteration());
      }
      assertEquals(pr.objective(r.weights()), opt, 1e-12 * opt);
    }
  }

  @Test
  void recoveredNetworkPredictsLikeTheBlocksAndPaysTheNuclearNorm() {
    MultiOutputProblem pr = threeClasses(new SoftmaxCrossEntropy());
    pr = pr.withBeta(0.02 * pr.betaMax());
    MultiOutputResult r = new MultiOutputFista().solve(pr, null, TIGHT,
        IterationListener.NONE);
    GatedVectorNetwork net = GatedVectorNetwork.recover(pr, r.weights());
    DenseMatrix fNet = net.predict(pr.x());
    DenseMatrix fCvx = pr.predict(r.weights());
    for (int k = 0; k < fNet.data().length; k++) {
      assertEquals(fCvx.data()[k], fNet.data()[k], 1e-9);
    }
    double excess = GatedVectorNetwork.rankExcess(pr, r.weights());
    assertTrue(excess >= 0.0);
    assertEquals(r.certificate().objective() + pr.beta() * excess,
        net.objective(pr.x(), pr.y(), pr.loss(), pr.beta()), 1e-9 * r.certificate().objective());
  }

  @Test
  void withOneOutputTheRecoveredNetworkHasTheConvexObjective() {
    DenseMatrix x = MultiOutputFixture.features(40, 4, 41);
    SignPatterns p = MultiOutputFixture.patterns(x, 10, 3);
    DenseMatrix y = RandomMatrices.gaussian(40, 1, new SplittableRandom(42));
    MultiOutputProblem pr = new MultiOutputProblem(x, y, p, new OneHotSquaredLoss(), 1.0);
    pr = pr.withBeta(0.05 * pr.betaMax());
    MultiOutputResult r = new MultiOutputFista().solve(pr, null, TIGHT,
        IterationListener.NONE);
    GatedVectorNetwork net = GatedVectorNetwork.recover(pr, r.weights());
    assertEquals(pr.activeBlocks(r.weights()), net.neurons());
    assertEquals(0.0, GatedVectorNetwork.rankExcess(pr, r.weights()), 1e-12);
    double cvx = r.certificate().objective();
    assertEquals(cvx, net.objective(x, y, pr.loss(), pr.beta()), 1e-10 * cvx);
  }

  private static MultiOutputProblem threeClasses(MultiOutputLoss loss) {
    DenseMatrix x = MultiOutputFixture.features(45, 4, 51);
    int[] labels = MultiOutputFixture.labels(x, 3, 51);
    return new MultiOutputProblem(x, MulticlassTargets.oneHot(labels, 3),
        MultiOutputFixture.patterns(x, 10, 7), loss, 1.0);
  }
}
