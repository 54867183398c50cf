package io.cvxrelu.testutil;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;

/** Random test matrices. */
public final class RandomMatrices {
  private RandomMatrices() {}

  /** A rows x cols matrix of independent standard normal entries drawn from {@code rng}. */
  public static DenseMatrix gaussian(int rows, int cols, SplittableRandom rng) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int k = 0; k < m.data().length; k++) {
      m.data()[k] = rng.nextGaussian();
    }
    return m;
  }
}
