package io.cvxrelu.sgd;

import io.cvxrelu.deep.DeepNetwork;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Mini-batch SGD (momentum or Adam) on the L-layer bias-free ReLU network of
 * {@link DeepNetwork} with the training objective of Ergen and Pilanci (ICML 2021, eq. (1)),
 *
 * <pre>
 *   J(W) = 1/2 ||F(X) - Y||_F^2 + beta/2 sum_l ||W_l||_F^2,
 * </pre>
 *
 * <p>the same function the closed forms of {@code io.cvxrelu.deep} minimise globally, for a
 * scalar (K = 1) or vector output. As in {@link SgdTrainer}, steps follow the gradient of the
 * per-sample objective J / n, (1/b) grad of the batch loss + (beta / n) W, so the step size does
 * not scale with n; the history reports J itself. Backpropagation is one GEMM per layer and
 * direction: D_L = F_b - Y_b, grad W_l = A_{l-1}^T D_l, D_{l-1} = (D_l W_l^T) .* 1[Z_{l-1} &gt; 0].
 * Runs are deterministic for a seed.
 */
public final class DeepSgdTrainer {
  private final DenseMatrix x;
  private final DenseMatrix y;
  private final DenseMatrix testX;
  private final DenseMatrix yTest;
  private final double beta;

  /**
   * @param x n x d training features; {@code y} n x K targets (a column of ±1 labels, one-hot
   *     rows, or any real targets)
   * @param testX test features (null when none), {@code yTest} their targets
   */
  public DeepSgdTrainer(DenseMatrix x, DenseMatrix y, DenseMatrix testX, DenseMatrix yTest,
      double beta) {
    if (y.rows() != x.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + y.rows() + " labels");
    }
    if (testX != null && (testX.cols() != x.cols() || yTest == null
        || yTest.rows() != testX.rows() || yTest.cols() != y.cols())) {
      throw new IllegalArgumentException("test data do not match the training data");
    }
    if (!(beta >= 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }
    this.x = x;
    this.y = y;
    this.testX = testX;
    this.yTest = yTest;
    this.beta = beta;
  }

  /**
   * PyTorch's default initialisation of bias-free linear layers: W_l entries ~
   * U(-1/sqrt(m_{l-1}), 1/sqrt(m_{l-1})).
   */
  public static DeepNetwork initialise(int d, int[] widths, int outputs, SplittableRandom rng) {
    List<DenseMatrix> layers = new ArrayList<>();
    int in = d;
    for (int l = 0; l <= widths.length; l++) {
      int out = l < widths.length ? widths[l] : outputs;
      DenseMatrix w = new DenseMatrix(in, out);
      double s = 1.0 / Math.sqrt(in);
      for (int k = 0; k < w.data().length; k++) {
        w.data()[k] = rng.nextDouble(-s, s);
      }
      layers.add(w);
      in = out;
    }
    return new DeepNetwork(layers, DeepNetwork.Activation.RELU);
  }

  /** Runs from the seed's initialisation. */
  public DeepSgdResult train(DeepSgdOptions o, Consumer<EpochRecord> listener) {
    SplittableRandom rng = new SplittableRandom(o.seed());
    DeepNetwork init = initialise(x.cols(), o.widths(), y.cols(), rng.split());
    return train(o, init, rng, listener);
  }

  /** Runs from a given ReLU network (not modified); {@code rng} drives the shuffles. */
  public DeepSgdResult train(DeepSgdOptions o, DeepNetwork init, SplittableRandom rng,
      Consumer<EpochRecord> listener) {
    int n = x.rows();
    List<DenseMatrix> w = init.layers();
    List<Optimizer.Update> updates = new ArrayList<>();
    double lr = o.learningRate();
    for (DenseMatrix layer : w) {
      updates.add(o.optimizer().newUpdate(layer.data().length, lr, o.momentum()));
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    int full = Math.min(o.batchSize(), n);
    List<EpochRecord> history = new ArrayList<>();
    DeepNetwork net = new DeepNetwork(w, DeepNetwork.Activation.RELU);
    EpochRecord rec = evaluate(net, 0, 0.0, 0L);
    history.add(rec);
    listener.accept(rec);
    DeepNetwork lastFinite = net;
    double seconds = 0.0;
    long samples = 0;
    String stop = "EPOCHS";
    for (int epoch = 1; epoch <= o.epochs(); epoch++) {
      long start = System.nanoTime();
      shuffle(order, rng, full < n);
      double factor = o.decay() ? 1.0 - (epoch - 1.0) / o.epochs() : 1.0;
      for (int s = 0; s < n; s += full) {
        int size = Math.min(full, n - s);
        List<DenseMatrix> grads = gradient(w, gather(x, order, s, size),
            gather(y, order, s, size));
        for (int l = 0; l < w.size(); l++) {
          double[] g = grads.get(l).data();
          double[] wd = w.get(l).data();
          for (int k = 0; k < g.length; k++) {
            g[k] = g[k] / size + beta / n * wd[k];
          }
          if (factor == 1.0) {
            updates.get(l).apply(wd, g);
          } else {
            // Adam's step does not scale with the gradient: decay the step itself.
            double[] before = wd.clone();
            updates.get(l).apply(wd, g);
            for (int k = 0; k < wd.length; k++) {
              wd[k] = before[k] + factor * (wd[k] - before[k]);
            }
          }
        }
      }
      seconds += (System.nanoTime() - start) * 1e-9;
      samples += n;
      net = new DeepNetwork(w, DeepNetwork.Activation.RELU);
      rec = evaluate(net, epoch, seconds, samples);
      if (!Double.isFinite(rec.objective())) {
        stop = "DIVERGED";
        break;
      }
      history.add(rec);
      listener.accept(rec);
      lastFinite = net;
    }
    return new DeepSgdResult(lastFinite, List.copyOf(history), stop);
  }

  /** Gradient of 1/2 ||F(X_b) - Y_b||^2 with respect to each W_l, by backpropagation. */
  static List<DenseMatrix> gradient(List<DenseMatrix> w, DenseMatrix xb, DenseMatrix yb) {
    int depth = w.size();
    List<DenseMatrix> acts = new ArrayList<>();
    acts.add(xb);
    DenseMatrix a = xb;
    for (int l = 0; l < depth; l++) {
      DenseMatrix z = new DenseMatrix(a.rows(), w.get(l).cols());
      Blas.gemm(false, false, 1.0, a, w.get(l), 0.0, z);
      if (l < depth - 1) {
        for (int k = 0; k < z.data().length; k++) {
          z.data()[k] = Math.max(z.data()[k], 0.0);
        }
      }
      acts.add(z);
      a = z;
    }
    DenseMatrix delta = a;
    for (int k = 0; k < delta.data().length; k++) {
      delta.data()[k] -= yb.data()[k];
    }
    DenseMatrix[] grads = new DenseMatrix[depth];
    for (int l = depth - 1; l >= 0; l--) {
      DenseMatrix in = acts.get(l);
      grads[l] = new DenseMatrix(in.cols(), delta.cols());
      Blas.gemm(true, false, 1.0, in, delta, 0.0, grads[l]);
      if (l > 0) {
        DenseMatrix back = new DenseMatrix(delta.rows(), in.cols());
        Blas.gemm(false, true, 1.0, delta, w.get(l), 0.0, back);
        // The ReLU's derivative: 1 where the activation is positive (A = (Z)_+).
        for (int k = 0; k < back.data().length; k++) {
          back.data()[k] = in.data()[k] > 0.0 ? back.data()[k] : 0.0;
        }
        delta = back;
      }
    }
    return List.of(grads);
  }

  /** J at {@code net} on the training data. */
  public double objective(DeepNetwork net) {
    return net.objective(x, y, beta);
  }

  private EpochRecord evaluate(DeepNetwork net, int epoch, double seconds, long samples) {
    double obj = net.objective(x, y, beta);
    double trainAcc = DeepAccuracy.of(net.forward(x), y);
    double testAcc = testX == null ? Double.NaN : DeepAccuracy.of(net.forward(testX), yTest);
    return new EpochRecord(epoch, obj, trainAcc, testAcc, seconds, samples);
  }

  private static void shuffle(int[] order, SplittableRandom rng, boolean needed) {
    if (!needed) {
      return;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int k = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[k];
      order[k] = t;
    }
  }

  /** Rows order[s .. s+size) of {@code m} (m itself for the whole data in order: read only). */
  private static DenseMatrix gather(DenseMatrix m, int[] order, int s, int size) {
    if (s == 0 && size == m.rows() && isIdentity(order)) {
      return m;
    }
    DenseMatrix out = new DenseMatrix(size, m.cols());
    for (int c = 0; c < m.cols(); c++) {
      for (int k = 0; k < size; k++) {
        out.set(k, c, m.get(order[s + k], c));
      }
    }
    return out;
  }

  private static boolean isIdentity(int[] order) {
    for (int i = 0; i < order.length; i++) {
      if (order[i] != i) {
        return false;
      }
    }
    return true;
  }
}
