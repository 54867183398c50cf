package io.cvxrelu.cnn;

import java.util.Arrays;

/**
 * The group norm sum_g ||x_g||_2 over consecutive groups of coordinates; with groups of one
 * real coordinate and of two (real and imaginary part) it is the l1 norm of a complex vector,
 * the regulariser of the circular CNN in the DFT domain (Pilanci and Ergen 2020, section 5,
 * case 3). Its prox is block soft thresholding and its dual norm max_g ||c_g||_2.
 */
public final class GroupNorm implements ConvexNorm {
  private final int[] starts;

  /**
   * @param starts the first coordinate of each group, increasing from 0, followed by the
   *     dimension
   */
  public GroupNorm(int[] starts) {
    if (starts.length < 1 || starts[0] != 0) {
      throw new IllegalArgumentException("group starts must begin at 0");
    }
    for (int g = 1; g < starts.length; g++) {
      if (starts[g] <= starts[g - 1]) {
        throw new IllegalArgumentException("group starts must increase: "
            + Arrays.toString(starts));
      }
    }
    this.starts = starts.clone();
  }

  /** Number of groups. */
  public int groups() {
    return starts.length - 1;
  }

  /** First coordinate of group g (g = groups() gives the dimension). */
  public int start(int g) {
    return starts[g];
  }

  @Override
  public int dimension() {
    return starts[starts.length - 1];
  }

  private double groupNorm(double[] x, int g) {
    double sum = 0.0;
    for (int j = starts[g]; j < starts[g + 1]; j++) {
      sum += x[j] * x[j];
    }
    return Math.sqrt(sum);
  }

  @Override
  public double value(double[] x) {
    double sum = 0.0;
    for (int g = 0; g < groups(); g++) {
      sum += groupNorm(x, g);
    }
    return sum;
  }

  @Override
  public void prox(double[] v, double t, double[] out) {
    for (int g = 0; g < groups(); g++) {
      double norm = groupNorm(v, g);
      double factor = norm > t ? 1.0 - t / norm : 0.0;
      for (int j = starts[g]; j < starts[g + 1]; j++) {
        out[j] = factor * v[j];
      }
    }
  }

  @Override
  public double dual(double[] c) {
    double worst = 0.0;
    for (int g = 0; g < groups(); g++) {
      worst = Math.max(worst, groupNorm(c, g));
    }
    return worst;
  }
}
