package io.cvxrelu.sgd;

import java.util.Locale;

/** The first-order update applied to each parameter array of the non-convex network. */
public enum Optimizer {
  /** Heavy-ball momentum as in PyTorch: b = mu b + g, w -= lr b. */
  SGD,
  /** Adam (Kingma and Ba 2015) with bias correction, beta1 = 0.9, beta2 = 0.999, eps = 1e-8. */
  ADAM;

  /** By name ({@code sgd} or {@code adam}). */
  public static Optimizer parse(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "sgd":
        return SGD;
      case "adam":
        return ADAM;
      default:
        throw new IllegalArgumentException("unknown optimizer '" + name
            + "' (expected sgd or adam)");
    }
  }

  /** Lower-case name used in options and output. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** A fresh update state for a parameter array of the given length. */
  Update newUpdate(int length, double learningRate, double momentum) {
    return this == SGD ? new Momentum(length, learningRate, momentum)
        : new Adam(length, learningRate);
  }

  /** In-place update of one parameter array from its gradient. */
  interface Update {
    void apply(double[] w, double[] g);
  }

  private static final class Momentum implements Update {
    private final double[] buffer;
    private final double lr;
    private final double mu;

    Momentum(int length, double lr, double mu) {
      this.buffer = new double[length];
      this.lr = lr;
      this.mu = mu;
    }

    @Override
    public void apply(double[] w, double[] g) {
      for (int k = 0; k < w.length; k++) {
        double b = mu * buffer[k] + g[k];
        buffer[k] = b;
        w[k] -= lr * b;
      }
    }
  }

  private static final class Adam implements Update {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    private final double[] first;
    private final double[] second;
    private final double lr;
    private double power1 = 1.0;
    private double power2 = 1.0;

    Adam(int length, double lr) {
      this.first = new double[length];
      this.second = new double[length];
      this.lr = lr;
    }

    @Override
    public void apply(double[] w, double[] g) {
      power1 *= BETA1;
      power2 *= BETA2;
      double c1 = 1.0 / (1.0 - power1);
      double c2 = 1.0 / (1.0 - power2);
      for (int k = 0; k < w.length; k++) {
        double gk = g[k];
        double m = BETA1 * first[k] + (1.0 - BETA1) * gk;
        double v = BETA2 * second[k] + (1.0 - BETA2) * gk * gk;
        first[k] = m;
        second[k] = v;
        w[k] -= lr * (m * c1) / (Math.sqrt(v * c2) + EPS);
      }
    }
  }
}
