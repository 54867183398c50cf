package io.cvxrelu.sgd;

/**
 * Settings of one SGD run.
 *
 * @param neurons hidden width m
 * @param epochs passes over the training data
 * @param batchSize rows per mini-batch (the last batch of an epoch may be smaller)
 * @param learningRate step size on the per-sample objective F / n (see {@link SgdTrainer})
 * @param optimizer momentum SGD or Adam
 * @param momentum heavy-ball coefficient for {@link Optimizer#SGD}
 * @param seed seeds the initialisation and the shuffles
 */
public record SgdOptions(int neurons, int epochs, int batchSize, double learningRate,
    Optimizer optimizer, double momentum, long seed) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  public SgdOptions {
    if (neurons < 1 || epochs < 0 || batchSize < 1) {
      throw new IllegalArgumentException("need neurons >= 1, epochs >= 0, batch size >= 1");
    }
    if (!(learningRate > 0.0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    if (!(momentum >= 0.0 && momentum < 1.0)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
  }

  /** The same settings with another width m. */
  public SgdOptions withNeurons(int m) {
    return new SgdOptions(m, epochs, batchSize, learningRate, optimizer, momentum, seed);
  }

  /** The same settings with another seed (one per initialisation). */
  public SgdOptions withSeed(long s) {
    return new SgdOptions(neurons, epochs, batchSize, learningRate, optimizer, momentum, s);
  }
}
