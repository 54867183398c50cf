package io.cvxrelu.multiclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The passes and losses of the vector-output program against answers computed another way:
 * explicit sums over D_i X, finite differences, the Fenchel-Young equality, and the scalar
 * program's beta_max.
 */
class MultiOutputProblemTest {
  private static final int N = 30;
  private static final int D = 4;
  private static final int C = 3;

  private static MultiOutputProblem problem(MultiOutputLoss loss, int tileDoubles) {
    DenseMatrix x = MultiOutputFixture.features(N, D, 3);
    int[] labels = MultiOutputFixture.labels(x, C, 3);
    SignPatterns p = MultiOutputFixture.patterns(x, 7, 5);
    return new MultiOutputProblem(x, MulticlassTargets.oneHot(labels, C), p, loss, 0.3,
        tileDoubles);
  }

  /** sum_i D_i X W_i by explicit loops over rows, patterns and outputs. */
  private static DenseMatrix explicitPredict(MultiOutputProblem pr, DenseMatrix w) {
    DenseMatrix f = new DenseMatrix(pr.n(), pr.outputs());
    for (int i = 0; i < pr.patternCount(); i++) {
      boolean[] on = pr.patterns().pattern(i);
      for (int r = 0; r < pr.n(); r++) {
        for (int j = 0; j < pr.outputs(); j++) {
          double s = 0.0;
          for (int k = 0; k < pr.d(); k++) {
            s += pr.x().get(r, k) * w.get(k, i * pr.outputs() + j);
          }
          f.set(r, j, f.get(r, j) + (on[r] ? s : 0.0));
        }
      }
    }
    return f;
  }

  @Test
  void predictionAndAdjointMatchExplicitSumsAcrossTiles() {
    // A tile of N * C * 2 doubles holds two patterns, so seven patterns take four tiles.
    MultiOutputProblem pr = problem(new OneHotSquaredLoss(), N * C * 2);
    SplittableRandom rng = new SplittableRandom(11);
    DenseMatrix w = RandomMatrices.gaussian(pr.d(), pr.patternCount() * C, rng);
    DenseMatrix f = pr.predict(w);
    DenseMatrix expected = explicitPredict(pr, w);
    for (int k = 0; k < f.data().length; k++) {
      assertEquals(expected.data()[k], f.data()[k], 1e-12);
    }
    // <A W, G> = <W, A^T G>: the adjoint is the transpose of the prediction map.
    DenseMatrix g = RandomMatrices.gaussian(pr.n(), C, rng);
    DenseMatrix at = pr.adjoint(g);
    double lhs = 0.0;
    double rhs = 0.0;
    for (int k = 0; k < g.data().length; k++) {
      lhs += expected.data()[k] * g.data()[k];
    }
    for (int k = 0; k < w.data().length; k++) {
      rhs += w.data()[k] * at.data()[k];
    }
    assertEquals(lhs, rhs, 1e-10 * Math.abs(lhs));
  }

  @Test
  void softmaxGradientMatchesFiniteDifferences() {
    MultiOutputProblem pr = problem(new SoftmaxCrossEntropy(), 1 << 22);
    SplittableRandom rng = new SplittableRandom(12);
    DenseMatrix w = RandomMatrices.gaussian(pr.d(), pr.patternCount() * C, rng);
    DenseMatrix g = new DenseMatrix(pr.n(), C);
    pr.loss().valueAndGradient(pr.predict(w), pr.y(), g);
    DenseMatrix grad = pr.adjoint(g);
    double h = 1e-6;
    for (int t = 0; t < 25; t++) {
      int k = rng.nextInt(w.data().length);
      double old = w.data()[k];
      w.data()[k] = old + h;
      double up = pr.loss().valueAndGradient(pr.predict(w), pr.y(), null);
      w.data()[k] = old - h;
      double down = pr.loss().valueAndGradient(pr.predict(w), pr.y(), null);
      w.data()[k] = old;
      assertEquals((up - down) / (2 * h), grad.data()[k], 1e-6 * Math.max(1.0,
          Math.abs(grad.data()[k])), "entry " + k);
    }
  }

  /**
   * Fenchel-Young: L(F) - (-L*(-Lambda)) &gt;= -&lt;Lambda, F&gt; for every Lambda in the domain,
   * with equality at Lambda = -grad L(F). This checks the conjugates independently of the
   * solver.
   */
  @Test
  void conjugatesSatisfyFenchelYoung() {
    for (MultiOutputLoss loss : new MultiOutputLoss[] {new OneHotSquaredLoss(),
        new SoftmaxCrossEntropy()}) {
      MultiOutputProblem pr = problem(loss, 1 << 22);
      SplittableRandom rng = new SplittableRandom(13);
      DenseMatrix f = RandomMatrices.gaussian(pr.n(), C, rng);
      DenseMatrix g = new DenseMatrix(pr.n(), C);
      double value = loss.valueAndGradient(f, pr.y(), g);
      DenseMatrix lambda = scaled(g, -1.0);
      assertEquals(-inner(lambda, f), value - loss.dualObjective(lambda, pr.y()), 1e-9 * N,
          loss.name());
      // Another dual point: the gradient at other predictions, in the domain for both losses.
      DenseMatrix g2 = new DenseMatrix(pr.n(), C);
      loss.valueAndGradient(RandomMatrices.gaussian(pr.n(), C, rng), pr.y(), g2);
      DenseMatrix other = scaled(g2, -1.0);
      assertTrue(value - loss.dualObjective(other, pr.y()) >= -inner(other, f) - 1e-9,
          loss.name());
    }
  }

  /** The slope the certificate bisects on is the derivative of the dual along the ray. */
  @Test
  void dualSlopeIsTheDerivativeAlongTheRay() {
    for (MultiOutputLoss loss : new MultiOutputLoss[] {new OneHotSquaredLoss(),
        new SoftmaxCrossEntropy()}) {
      MultiOutputProblem pr = problem(loss, 1 << 22);
      DenseMatrix g = new DenseMatrix(pr.n(), C);
      loss.valueAndGradient(RandomMatrices.gaussian(pr.n(), C, new SplittableRandom(5)),
          pr.y(), g);
      DenseMatrix lambda = scaled(g, -1.0);
      double h = 1e-6;
      double end = Math.min(2.0, loss.maxDualScale(lambda, pr.y()));
      for (double s : new double[] {0.3 * end, 0.6 * end, 0.95 * end}) {
        double fd = (loss.dualObjective(scaled(lambda, s + h), pr.y())
            - loss.dualObjective(scaled(lambda, s - h), pr.y())) / (2 * h);
        assertEquals(fd, loss.dualSlope(lambda, pr.y(), s), 1e-6 * Math.max(1.0,
            Math.abs(fd)), loss.name() + " at s = " + s);
      }
    }
  }

  @Test
  void softmaxDomainEndsWhereARowLeavesTheSimplex() {
    MultiOutputProblem pr = problem(new SoftmaxCrossEntropy(), 1 << 22);
    DenseMatrix g = new DenseMatrix(pr.n(), C);
    pr.loss().valueAndGradient(RandomMatrices.gaussian(pr.n(), C, new SplittableRandom(4)),
        pr.y(), g);
    DenseMatrix lambda = scaled(g, -1.0);
    double sMax = pr.loss().maxDualScale(lambda, pr.y());
    assertTrue(sMax > 1.0, "softmax(F) is inside the simplex, so the ray goes past s = 1");
    assertTrue(Double.isFinite(pr.loss().dualObjective(scaled(lambda, sMax), pr.y())));
    assertEquals(Double.NEGATIVE_INFINITY,
        pr.loss().dualObjective(scaled(lambda, sMax * 1.01), pr.y()));
  }

  @Test
  void betaMaxOfOneOutputIsTheScalarProgramsAndOfManyOutputsTheLargestBlockNorm() {
    DenseMatrix x = MultiOutputFixture.features(N, D, 8);
    SignPatterns p = MultiOutputFixture.patterns(x, 9, 2);
    double[] y = RandomMatrices.gaussian(N, 1, new SplittableRandom(9)).data();
    MultiOutputProblem one = new MultiOutputProblem(x, new DenseMatrix(N, 1, y.clone()), p,
        new OneHotSquaredLoss(), 1.0);
    assertEquals(ConvexReluProblem.betaMax(x, y, p, new SquaredLoss()), one.betaMax(), 1e-12);

    // Squared loss: grad L(0) = -Y, so beta_max = max_i ||X^T D_i Y||_F, summed explicitly.
    MultiOutputProblem pr = problem(new OneHotSquaredLoss(), 1 << 22);
    double best = 0.0;
    for (int i = 0; i < pr.patternCount(); i++) {
      boolean[] on = pr.patterns().pattern(i);
      double sq = 0.0;
      for (int k = 0; k < pr.d(); k++) {
        for (int j = 0; j < C; j++) {
          double s = 0.0;
          for (int r = 0; r < pr.n(); r++) {
            s += on[r] ? pr.x().get(r, k) * pr.y().get(r, j) : 0.0;
          }
          sq += s * s;
        }
      }
      best = Math.max(best, Math.sqrt(sq));
    }
    assertEquals(best, pr.betaMax(), 1e-12 * best);
  }

  static DenseMatrix scaled(DenseMatrix a, double s) {
    DenseMatrix out = new DenseMatrix(a.rows(), a.cols());
    for (int k = 0; k < a.data().length; k++) {
      out.data()[k] = s * a.data()[k];
    }
    return out;
  }

  private static double inner(DenseMatrix a, DenseMatrix b) {
    double s = 0.0;
    for (int k = 0; k < a.data().length; k++) {
      s += a.data()[k] * b.data()[k];
    }
    return s;
  }
}
