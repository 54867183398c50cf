package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;

/**
 * Full-batch gradient descent with Armijo backtracking on the non-convex pooled ReLU CNN
 * objective 1/2 sum_r (sum_j alpha_j sum_k (x_rk^T u_j)_+ - y_r)^2 + beta/2 (|U|^2 + |alpha|^2),
 * written from the network's definition (not from the convex program): the local search whose
 * values the convex certificate must bound from below.
 */
final class PooledCnnDescent {
  private final PatchGeometry geometry;
  private final DenseMatrix x;
  private final double[] y;
  private final double beta;

  PooledCnnDescent(PatchGeometry geometry, DenseMatrix x, double[] y, double beta) {
    this.geometry = geometry;
    this.x = x;
    this.y = y;
    this.beta = beta;
  }

  /** The objective at parameters theta = [vec(U) (h x m), alpha (m)]; gradient into grad. */
  double objective(double[] theta, int m, double[] grad) {
    int h = geometry.patchSize();
    int n = x.rows();
    double value = 0.0;
    if (grad != null) {
      java.util.Arrays.fill(grad, 0.0);
    }
    for (int r = 0; r < n; r++) {
      double f = 0.0;
      double[][] act = new double[m][geometry.patchCount()];
      for (int j = 0; j < m; j++) {
        for (int k = 0; k < geometry.patchCount(); k++) {
          double z = 0.0;
          for (int t = 0; t < h; t++) {
            z += x.get(r, geometry.pixel(k, t)) * theta[j * h + t];
          }
          act[j][k] = z;
          f += theta[h * m + j] * Math.max(z, 0.0);
        }
      }
      double e = f - y[r];
      value += 0.5 * e * e;
      if (grad != null) {
        for (int j = 0; j < m; j++) {
          for (int k = 0; k < geometry.patchCount(); k++) {
            if (act[j][k] > 0.0) {
              grad[h * m + j] += e * act[j][k];
              for (int t = 0; t < h; t++) {
                grad[j * h + t] += e * theta[h * m + j] * x.get(r, geometry.pixel(k, t));
              }
            }
          }
        }
      }
    }
    for (int q = 0; q < theta.length; q++) {
      value += 0.5 * beta * theta[q] * theta[q];
      if (grad != null) {
        grad[q] += beta * theta[q];
      }
    }
    return value;
  }

  /** The objective after {@code steps} backtracking steps from a seeded Gaussian start. */
  double descend(int m, long seed, int steps) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] theta = new double[(geometry.patchSize() + 1) * m];
    for (int q = 0; q < theta.length; q++) {
      theta[q] = 0.5 * rng.nextGaussian();
    }
    double[] grad = new double[theta.length];
    double[] trial = new double[theta.length];
    double step = 1.0;
    double value = objective(theta, m, grad);
    for (int it = 0; it < steps; it++) {
      double g2 = 0.0;
      for (double g : grad) {
        g2 += g * g;
      }
      step *= 2.0;
      while (true) {
        for (int q = 0; q < theta.length; q++) {
          trial[q] = theta[q] - step * grad[q];
        }
        double v = objective(trial, m, null);
        if (v <= value - 0.5 * step * g2 || step < 1e-14) {
          System.arraycopy(trial, 0, theta, 0, theta.length);
          break;
        }
        step *= 0.5;
      }
      value = objective(theta, m, grad);
    }
    return value;
  }
}
