package io.cvxrelu.spline;

import java.util.Arrays;

/**
 * Kink sets that avoid the data points, for testing the corollary that kinks at the data
 * points are optimal ({@link SplineLasso}): the midpoints between neighbouring points, or a
 * dense grid strictly inside every gap, each with one kink beyond either end of the data (an
 * atom there is affine on the data).
 */
public final class OffDataKinks {
  private OffDataKinks() {}

  /** The midpoints of neighbouring distinct points, plus one kink beyond each end. */
  public static double[] midpoints(double[] x) {
    return grid(x, 1);
  }

  /**
   * {@code perGap} equally spaced kinks strictly inside every gap between neighbouring distinct
   * points, plus one kink a quarter of the data range beyond each end.
   */
  public static double[] grid(double[] x, int perGap) {
    if (perGap < 1) {
      throw new IllegalArgumentException("need at least one kink per gap, got " + perGap);
    }
    double[] s = Arrays.stream(x).sorted().distinct().toArray();
    double range = s.length > 1 ? s[s.length - 1] - s[0] : 1.0;
    double[] k = new double[perGap * (s.length - 1) + 2];
    k[0] = s[0] - 0.25 * range;
    k[1] = s[s.length - 1] + 0.25 * range;
    for (int i = 1, c = 2; i < s.length; i++) {
      for (int t = 1; t <= perGap; t++) {
        k[c++] = s[i - 1] + (s[i] - s[i - 1]) * t / (perGap + 1.0);
      }
    }
    return k;
  }
}
