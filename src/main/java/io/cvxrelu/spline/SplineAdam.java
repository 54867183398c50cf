package io.cvxrelu.spline;

import java.util.SplittableRandom;

/**
 * Full-batch Adam (Kingma and Ba, ICLR 2015) on the non-convex objective of
 * {@link SplineNetwork}, J = 1/2 sum_i (f(x_i) - y_i)^2 + beta/2 sum_j (u_j^2 + alpha_j^2)
 * with the biases b_j and the intercept c unpenalised: the training the convex program of
 * {@link SplineLasso} replaces, run here so its value can be set against the certified
 * optimum (no run may go below it). PyTorch's default initialisation of {@code Linear(1, m)}
 * and {@code Linear(m, 1)}; the step falls linearly to zero so the run settles on a minimum.
 * Stateless.
 */
public final class SplineAdam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;

  private SplineAdam() {}

  /** One run: the trained network and J after every epoch (entry 0 at the initialisation). */
  public record Run(SplineNetwork network, double[] objective) {
    /** J at the end of the run. */
    public double last() {
      return objective[objective.length - 1];
    }
  }

  /**
   * Trains a width-m network from a seeded initialisation.
   *
   * @param epochs full-batch Adam steps
   * @param learningRate the initial step (decays linearly to zero)
   */
  public static Run train(double[] x, double[] y, double beta, int width, int epochs,
      double learningRate, long seed) {
    if (x.length != y.length || width < 1 || epochs < 0 || !(learningRate > 0.0)
        || !(beta >= 0.0)) {
      throw new IllegalArgumentException("need matching x and y, width >= 1, epochs >= 0, a "
          + "positive step and beta >= 0");
    }
    SplittableRandom r = new SplittableRandom(seed);
    // Parameters packed as [u (m), b (m), alpha (m), c].
    double[] w = new double[3 * width + 1];
    double bound = 1.0 / Math.sqrt(width);
    for (int j = 0; j < width; j++) {
      w[j] = r.nextDouble(-1.0, 1.0);
      w[width + j] = r.nextDouble(-1.0, 1.0);
      w[2 * width + j] = r.nextDouble(-bound, bound);
    }
    w[3 * width] = r.nextDouble(-bound, bound);
    double[] first = new double[w.length];
    double[] second = new double[w.length];
    double[] grad = new double[w.length];
    double[] objective = new double[epochs + 1];
    double power1 = 1.0;
    double power2 = 1.0;
    for (int e = 0; e < epochs; e++) {
      objective[e] = gradient(x, y, beta, width, w, grad);
      double lr = learningRate * (1.0 - (double) e / epochs);
      power1 *= BETA1;
      power2 *= BETA2;
      for (int k = 0; k < w.length; k++) {
        first[k] = BETA1 * first[k] + (1.0 - BETA1) * grad[k];
        second[k] = BETA2 * second[k] + (1.0 - BETA2) * grad[k] * grad[k];
        double mHat = first[k] / (1.0 - power1);
        double vHat = second[k] / (1.0 - power2);
        w[k] -= lr * mHat / (Math.sqrt(vHat) + EPS);
      }
    }
    objective[epochs] = gradient(x, y, beta, width, w, grad);
    return new Run(network(w, width), objective);
  }

  /** The network packed in w = [u, b, alpha, c]. */
  static SplineNetwork network(double[] w, int width) {
    double[] u = new double[width];
    double[] b = new double[width];
    double[] alpha = new double[width];
    System.arraycopy(w, 0, u, 0, width);
    System.arraycopy(w, width, b, 0, width);
    System.arraycopy(w, 2 * width, alpha, 0, width);
    return new SplineNetwork(u, b, alpha, w[3 * width]);
  }

  /** J at the packed parameters w, with its gradient written to {@code grad}. */
  static double gradient(double[] x, double[] y, double beta, int width, double[] w,
      double[] grad) {
    java.util.Arrays.fill(grad, 0.0);
    double loss = 0.0;
    double[] pre = new double[width];
    for (int i = 0; i < x.length; i++) {
      double f = w[3 * width];
      for (int j = 0; j < width; j++) {
        pre[j] = w[j] * x[i] + w[width + j];
        f += w[2 * width + j] * Math.max(pre[j], 0.0);
      }
      double res = f - y[i];
      loss += res * res;
      grad[3 * width] += res;
      for (int j = 0; j < width; j++) {
        if (pre[j] > 0.0) {
          double back = res * w[2 * width + j];
          grad[j] += back * x[i];
          grad[width + j] += back;
          grad[2 * width + j] += res * pre[j];
        }
      }
    }
    double decay = 0.0;
    for (int j = 0; j < width; j++) {
      decay += w[j] * w[j] + w[2 * width + j] * w[2 * width + j];
      grad[j] += beta * w[j];
      grad[2 * width + j] += beta * w[2 * width + j];
    }
    return 0.5 * loss + 0.5 * beta * decay;
  }
}
