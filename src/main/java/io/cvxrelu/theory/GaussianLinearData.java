package io.cvxrelu.theory;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;

/**
 * One draw of the Gaussian linear model of seed 000, section 3: A in R^{n x d} with i.i.d.
 * N(0, 1) entries, theta_0 uniform on the sphere of radius r_0, y = A theta_0 + sigma z with
 * z ~ N(0, I_n) ({@link LinearCgmtPrediction} predicts the linear network's optimum on it).
 */
public record GaussianLinearData(DenseMatrix a, double[] theta0, double[] y) {

  /** Draws A, theta_0 and z, in that order, from {@code rng}. */
  public static GaussianLinearData draw(int n, int d, double sigma, double r0,
      SplittableRandom rng) {
    DenseMatrix a = new DenseMatrix(n, d);
    double[] ad = a.data();
    for (int k = 0; k < ad.length; k++) {
      ad[k] = rng.nextGaussian();
    }
    double[] theta0 = new double[d];
    for (int k = 0; k < d; k++) {
      theta0[k] = rng.nextGaussian();
    }
    double norm = Blas.nrm2(d, theta0, 0);
    for (int k = 0; k < d; k++) {
      theta0[k] *= r0 / norm;
    }
    DenseMatrix t = new DenseMatrix(d, 1, theta0.clone());
    DenseMatrix y = new DenseMatrix(n, 1);
    Blas.gemm(false, false, 1.0, a, t, 0.0, y);
    double[] yd = y.data();
    for (int i = 0; i < n; i++) {
      yd[i] += sigma * rng.nextGaussian();
    }
    return new GaussianLinearData(a, theta0, yd);
  }
}
