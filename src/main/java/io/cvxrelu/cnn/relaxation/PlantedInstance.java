package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;

/**
 * A planted instance as in Bartan and Pilanci, Fig. 1: X with i.i.d. N(0, 1) entries, a filter
 * w* ~ N(0, I_f), and noiseless labels y_i = sum_j (X_ij w*)_+.
 *
 * @param design the n x (k f) patch matrix
 * @param labels y
 * @param filter the planted w*
 */
public record PlantedInstance(PatchDesign design, double[] labels, double[] filter) {

  /** Draws an instance of n samples, k patches and filter size f from the seed. */
  public static PlantedInstance gaussian(int n, int blocks, int filterSize, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] w = gaussianVector(rng, filterSize);
    DenseMatrix x = new DenseMatrix(n, blocks * filterSize,
        gaussianVector(rng, n * blocks * filterSize));
    PatchDesign design = new PatchDesign(x, blocks);
    return new PlantedInstance(design, design.predict(w), w);
  }

  /** A vector of i.i.d. N(0, 1) entries (Box-Muller on the given generator). */
  public static double[] gaussianVector(SplittableRandom rng, int size) {
    double[] v = new double[size];
    for (int i = 0; i < size; i += 2) {
      double u1 = 1.0 - rng.nextDouble();
      double u2 = rng.nextDouble();
      double radius = Math.sqrt(-2.0 * Math.log(u1));
      v[i] = radius * Math.cos(2.0 * Math.PI * u2);
      if (i + 1 < size) {
        v[i + 1] = radius * Math.sin(2.0 * Math.PI * u2);
      }
    }
    return v;
  }

  /** ||w - w*|| / ||w*||. */
  public double relativeError(double[] w) {
    double num = 0.0;
    double den = 0.0;
    for (int l = 0; l < filter.length; l++) {
      num += (w[l] - filter[l]) * (w[l] - filter[l]);
      den += filter[l] * filter[l];
    }
    return Math.sqrt(num / den);
  }
}
