package io.cvxrelu.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tiled kernels agree with the unfused ones they replace. */
class RowBlockTest {

  @Test
  void tiledPredictionAndAdjointMatchTheUnfusedKernels() {
    SplittableRandom rng = new SplittableRandom(8);
    // n = 1000 rows with q up to 2 * 700 blocks: several tiles, the last one partial.
    for (int[] shape : new int[][] {{1000, 5, 700}, {37, 3, 4}, {1, 2, 1}}) {
      int n = shape[0];
      int d = shape[1];
      DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = rng.nextGaussian();
      }
      SignPatterns patterns = SignPatterns.sample(x, shape[2], 3, 100_000);
      for (Formulation f : Formulation.values()) {
        ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, new SquaredLoss(),
            1.0, f);
        int q = problem.blockCount();
        if (f == Formulation.RELU && n > 100) {
          assertEquals(true, RowBlock.tileRows(n, q) < n, "the test should span tiles");
        }
        DenseMatrix b = RandomMatrices.gaussian(d, q, rng);
        double[] expected = problem.predict(problem.forward(b));
        double[] actual = problem.predictWeights(b);
        for (int i = 0; i < n; i++) {
          assertEquals(expected[i], actual[i], 1e-12 * (1 + Math.abs(expected[i])));
        }
        DenseMatrix r = new DenseMatrix(n, q);
        problem.maskedResidual(y, r);
        DenseMatrix g1 = problem.adjoint(r);
        DenseMatrix g2 = problem.maskedAdjoint(y);
        for (int k = 0; k < g1.data().length; k++) {
          assertEquals(g1.data()[k], g2.data()[k], 1e-11 * (1 + Math.abs(g1.data()[k])));
        }
      }
    }
  }

  /** Row ranges of the fused kernels (what {@code Parallel} splits) add up to the whole. */
  @Test
  void rowRangesOfTheFusedKernelsAddUpToTheWholeBlock() {
    SplittableRandom rng = new SplittableRandom(9);
    int n = 900;
    int d = 4;
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextGaussian();
    }
    SignPatterns patterns = SignPatterns.sample(x, 600, 5, 100_000);
    for (Formulation f : Formulation.values()) {
      RowBlock block = RowBlock.withGates(0, x, y, patterns.gates());
      int q = f == Formulation.RELU ? 2 * patterns.count() : patterns.count();
      DenseMatrix b = RandomMatrices.gaussian(d, q, rng);
      double[] whole = new double[n];
      block.predictWeights(b, f, whole);
      double[] pieces = new double[n];
      DenseMatrix gWhole = new DenseMatrix(d, q);
      block.addMaskedAdjoint(y, f, gWhole);
      DenseMatrix gPieces = new DenseMatrix(d, q);
      int[] cuts = {0, 1, 333, 334, 900};
      for (int k = 0; k + 1 < cuts.length; k++) {
        block.predictWeights(b, f, cuts[k], cuts[k + 1], pieces);
        block.addMaskedAdjoint(y, f, cuts[k], cuts[k + 1], gPieces);
      }
      for (int i = 0; i < n; i++) {
        assertEquals(whole[i], pieces[i], 1e-12 * (1 + Math.abs(whole[i])));
      }
      for (int k = 0; k < gWhole.data().length; k++) {
        assertEquals(gWhole.data()[k], gPieces.data()[k],
            1e-11 * (1 + Math.abs(gWhole.data()[k])));
      }
    }
  }

  /**
   * The fused forward-adjoint pass (a FISTA pass: loss at the candidate, loss and gradient at
   * the point) equals separate {@code predictWeights} and {@code addMaskedAdjoint} calls, over
   * several tiles with a partial last one, for both formulations and both losses.
   */
  @Test
  void fusedForwardAdjointMatchesSeparateKernels() {
    SplittableRandom rng = new SplittableRandom(10);
    int n = 1500;
    int d = 6;
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextBoolean() ? 1.0 : -1.0;
    }
    SignPatterns patterns = SignPatterns.sample(x, 90, 6, 100_000);
    for (Loss loss : new Loss[] {new SquaredLoss(), new LogisticLoss()}) {
      for (Formulation f : Formulation.values()) {
        RowBlock block = RowBlock.withGates(0, x, y, patterns.gates());
        int q = f == Formulation.RELU ? 2 * patterns.count() : patterns.count();
        assertEquals(true, RowBlock.tileRows(n, 2 * q) < n / 2, "the test should span tiles");
        DenseMatrix c = RandomMatrices.gaussian(d, q, rng);
        DenseMatrix p = RandomMatrices.gaussian(d, q, rng);
        double[] predC = new double[n];
        double[] predP = new double[n];
        block.predictWeights(c, f, predC);
        block.predictWeights(p, f, predP);
        double[] g = new double[n];
        double expectedC = loss.value(predC, y);
        double expectedP = loss.valueAndGradient(predP, y, g);
        DenseMatrix expectedGrad = new DenseMatrix(d, q);
        block.addMaskedAdjoint(g, f, expectedGrad);

        double[] sums = new double[2];
        DenseMatrix grad = new DenseMatrix(d, q);
        block.addForwardAdjoint(new DenseMatrix[] {c, p}, f, (r0, len, pred, gt) -> {
          double[] yt = java.util.Arrays.copyOfRange(y, r0, r0 + len);
          sums[0] += loss.value(pred[0], yt);
          sums[1] += loss.valueAndGradient(pred[1], yt, gt);
        }, grad);
        assertEquals(expectedC, sums[0], 1e-10 * Math.abs(expectedC));
        assertEquals(expectedP, sums[1], 1e-10 * Math.abs(expectedP));
        for (int k = 0; k < grad.data().length; k++) {
          assertEquals(expectedGrad.data()[k], grad.data()[k],
              1e-10 * (1 + Math.abs(expectedGrad.data()[k])));
        }
      }
    }
  }
}
