package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;

/** Seeded small instances: Gaussian features with a bias column, labels from a planted net. */
final class MultiOutputFixture {
  private MultiOutputFixture() {}

  static DenseMatrix features(int n, int d, long seed) {
    DenseMatrix x = RandomMatrices.gaussian(n, d - 1, new SplittableRandom(seed));
    return x.withOnesColumn();
  }

  /** Labels in 0..c-1: arg-max of a random two-layer ReLU network, so classes are separable. */
  static int[] labels(DenseMatrix x, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed + 1);
    DenseMatrix u = RandomMatrices.gaussian(x.cols(), 8, rng);
    DenseMatrix a = RandomMatrices.gaussian(8, classes, rng);
    DenseMatrix h = new DenseMatrix(x.rows(), 8);
    io.cvxrelu.linalg.Blas.gemm(false, false, 1.0, x, u, 0.0, h);
    for (int k = 0; k < h.data().length; k++) {
      h.data()[k] = Math.max(0.0, h.data()[k]);
    }
    DenseMatrix f = new DenseMatrix(x.rows(), classes);
    io.cvxrelu.linalg.Blas.gemm(false, false, 1.0, h, a, 0.0, f);
    return MulticlassTargets.argMax(f);
  }

  static SignPatterns patterns(DenseMatrix x, int p, long seed) {
    return SignPatterns.sample(x, p, seed, 50 * p);
  }
}
