package io.cvxrelu.sgd;

import java.util.SplittableRandom;

/**
 * The pieces every mini-batch trainer of this package shares, so that they shuffle alike (a
 * seeded run of one trainer can be compared step for step with another's, as the pooled CNN's
 * K = 1 test does with {@link SgdTrainer}).
 */
final class Minibatches {
  private Minibatches() {}

  /** The identity order 0..n-1. */
  static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /** An in-place Fisher-Yates shuffle driven by {@code rng}. */
  static void shuffle(int[] order, SplittableRandom rng) {
    for (int i = order.length - 1; i > 0; i--) {
      int k = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[k];
      order[k] = t;
    }
  }

  /**
   * g = scale g + decay w: the batch mean of the loss gradient (scale = 1 / batch size) plus
   * the gradient of beta / n of the weight decay (decay = beta / n), the step on F / n.
   */
  static void meanPlusDecay(double[] g, double scale, double decay, double[] w) {
    for (int k = 0; k < g.length; k++) {
      g[k] = g[k] * scale + decay * w[k];
    }
  }

  /**
   * One descent step on the weights w from the batch's summed loss gradient g (overwritten by
   * the step direction): g = g / batch + decay w ({@link #meanPlusDecay}), then the optimiser's
   * update of w.
   */
  static void descend(Optimizer.Update update, double[] w, double[] g, int batch,
      double decay) {
    meanPlusDecay(g, 1.0 / batch, decay, w);
    update.apply(w, g);
  }
}
