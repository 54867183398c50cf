package io.cvxrelu.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CGMT prediction of the linear network's optimum against the truth on Gaussian data at
 * n = 400: the measured Phi / n (closed form, {@link NormRegularisedLeastSquares}) over trials,
 * within 3 standard errors + 3% of the mean, for delta in {0.5, 1, 2, 4}.
 */
class LinearCgmtPredictionTest {
  private static final double SIGMA = 0.5;
  private static final double R0 = 1.0;

  @Test
  void predictionIsWithinThreeStandardErrorsPlusThreePercentAtN400() {
    int n = 400;
    int trials = 8;
    int seedMisses = 0;
    double[] lambdas = {0.02, 0.1, 0.3, 0.8};
    StringBuilder table = new StringBuilder();
    for (double delta : new double[] {0.5, 1.0, 2.0, 4.0}) {
      int d = (int) Math.round(n / delta);
      double[][] phi = new double[lambdas.length][trials];
      double[][] err = new double[lambdas.length][trials];
      for (int trial = 0; trial < trials; trial++) {
        SplittableRandom rng = new SplittableRandom(1000L * trial + d);
        GaussianLinearData data = GaussianLinearData.draw(n, d, SIGMA, R0, rng);
        NormRegularisedLeastSquares exact = new NormRegularisedLeastSquares(data.a(), data.y());
        for (int l = 0; l < lambdas.length; l++) {
          NormRegularisedLeastSquares.Solution s = exact.solve(lambdas[l] * n);
          phi[l][trial] = s.value() / n;
          err[l][trial] = s.distanceTo(data.theta0());
        }
      }
      for (int l = 0; l < lambdas.length; l++) {
        LinearCgmtPrediction.Prediction p = LinearCgmtPrediction.predict(delta, lambdas[l],
            SIGMA, R0);
        double mean = mean(phi[l]);
        double se = standardError(phi[l]);
        table.append(String.format(Locale.ROOT, "delta %.1f lambda %.2f: measured %.5f +- %.5f,"
            + " predicted %.5f; error measured %.4f predicted %.4f%n", delta, lambdas[l], mean,
            se, p.phiPerRow(), mean(err[l]), p.error()));
        assertEquals(mean, p.phiPerRow(), 3 * se + 0.03 * Math.abs(mean), table.toString());
        double seed = LinearCgmtPrediction.predictWithSwappedDimensions(delta, lambdas[l], SIGMA,
            R0).phiPerRow();
        if (delta == 1.0) {
          assertEquals(p.phiPerRow(), seed, 1e-9, "at delta = 1 the swap changes nothing");
        } else if (Math.abs(mean - seed) > 3 * se + 0.03 * Math.abs(mean)) {
          seedMisses++;
        }
        assertEquals(mean(err[l]), p.error(), 3 * standardError(err[l]) + 0.05 * p.error(),
            table.toString());
      }
    }
    // The seed's swapped dimensions miss the truth wherever delta != 1 at small lambda.
    assertTrue(seedMisses >= 6, "the swapped min-max missed only " + seedMisses + " points");
    System.out.print(table);
  }

  static double mean(double[] v) {
    double s = 0.0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double standardError(double[] v) {
    double m = mean(v);
    double s = 0.0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1) / v.length);
  }
}
