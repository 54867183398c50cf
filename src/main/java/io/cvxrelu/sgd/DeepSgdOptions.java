package io.cvxrelu.sgd;

import java.util.Arrays;

/**
 * Settings of one run of {@link DeepSgdTrainer}.
 *
 * @param widths hidden widths m_1 .. m_{L-1} (their count plus one is the depth L &gt;= 2)
 * @param epochs passes over the training data
 * @param batchSize rows per mini-batch (the last batch of an epoch may be smaller)
 * @param learningRate step size on the per-sample objective J / n
 * @param optimizer momentum SGD or Adam
 * @param momentum heavy-ball coefficient for {@link Optimizer#SGD}
 * @param decay when true the step size falls linearly to zero over the epochs, which lets a
 *     full-batch run settle on a minimum instead of circling it at the constant step's scale
 * @param seed seeds the initialisation and the shuffles
 */
public record DeepSgdOptions(int[] widths, int epochs, int batchSize, double learningRate,
    Optimizer optimizer, double momentum, boolean decay, long seed)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  public DeepSgdOptions {
    if (widths.length < 1) {
      throw new IllegalArgumentException("need L >= 2 layers, i.e. at least one hidden width");
    }
    for (int m : widths) {
      if (m < 1) {
        throw new IllegalArgumentException("hidden widths must be >= 1, got "
            + Arrays.toString(widths));
      }
    }
    widths = widths.clone();
    if (epochs < 0 || batchSize < 1) {
      throw new IllegalArgumentException("need epochs >= 0 and batch size >= 1");
    }
    if (!(learningRate > 0.0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    if (!(momentum >= 0.0 && momentum < 1.0)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
  }

  /** The depth L. */
  public int depth() {
    return widths.length + 1;
  }

  @Override
  public int[] widths() {
    return widths.clone();
  }

  /** The same settings with another seed (one per initialisation). */
  public DeepSgdOptions withSeed(long s) {
    return new DeepSgdOptions(widths, epochs, batchSize, learningRate, optimizer, momentum,
        decay, s);
  }

  /** Hidden widths {@code m1,m2,...} from the command line, checked against the depth. */
  public static int[] parseWidths(String list, int depth) {
    if (depth < 2) {
      throw new IllegalArgumentException("--layers must be >= 2, got " + depth);
    }
    String[] parts = list.split(",");
    int[] w = new int[parts.length == 1 ? depth - 1 : parts.length];
    for (int k = 0; k < w.length; k++) {
      String p = parts.length == 1 ? parts[0] : parts[k];
      try {
        w[k] = Integer.parseInt(p.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--widths takes integers m1,m2,..., got '" + list
            + "'");
      }
    }
    if (w.length != depth - 1) {
      throw new IllegalArgumentException("--layers " + depth + " needs " + (depth - 1)
          + " hidden widths (or one for all), got " + w.length);
    }
    return w;
  }
}
