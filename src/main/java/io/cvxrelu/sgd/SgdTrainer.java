package io.cvxrelu.sgd;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Mini-batch SGD (momentum or Adam) on the non-convex two-layer ReLU network
 * f(x) = sum_j (x^T u_j)_+ alpha_j with the training objective of Pilanci and Ergen (2020,
 * eq. (1)) that the convex program solves globally:
 *
 * <pre>
 *   F(U, alpha) = L(f(X), y) + beta/2 sum_j (||u_j||^2 + alpha_j^2),
 * </pre>
 *
 * <p>with the loss summed over rows (as in {@link ReluNetwork#objective}). Steps follow the
 * stochastic gradient of the per-sample objective F / n, (1/b) sum_{i in batch} grad l_i +
 * (beta / n) w, so the learning rate does not scale with n; the history reports F itself.
 *
 * <p>A mini-batch is three GEMMs: Z = X_b U (forward), grad U = X_b^T (1[Z &gt; 0] .* r alpha^T)
 * and the full-data evaluation X U once per epoch. The features are held transposed (d x n,
 * one row per column) so a shuffled batch is gathered with one contiguous copy per row.
 * Runs are deterministic for a seed (initialisation and shuffles come from it).
 */
public final class SgdTrainer {
  private final DenseMatrix xT;
  private final double[] y;
  private final DenseMatrix testXT;
  private final double[] yTest;
  private final Loss loss;
  private final double beta;
  private final boolean classification;

  /**
   * @param xT d x n training features, one row per column (bias column included if wanted)
   * @param y n labels in any coding the loss accepts
   * @param testXT d x n_test test features (null when none)
   * @param yTest test labels (null when none)
   */
  public SgdTrainer(DenseMatrix xT, double[] y, DenseMatrix testXT, double[] yTest, Loss loss,
      double beta) {
    if (y.length != xT.cols()) {
      throw new IllegalArgumentException(xT.cols() + " rows but " + y.length + " labels");
    }
    if (testXT != null && (testXT.rows() != xT.rows() || yTest == null
        || yTest.length != testXT.cols())) {
      throw new IllegalArgumentException("test data do not match the training data");
    }
    if (!(beta >= 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }
    this.xT = xT;
    this.y = loss.canonicalLabels(y);
    this.testXT = testXT;
    this.yTest = yTest == null ? null : loss.canonicalLabels(yTest);
    this.loss = loss;
    this.beta = beta;
    this.classification = Metrics.isPlusMinusOne(this.y) && (this.yTest == null || Metrics.isPlusMinusOne(this.yTest));
  }

  /** The trainer for design matrices in the usual n x d layout (transposed once here). */
  public static SgdTrainer forDesign(DenseMatrix x, double[] y, DenseMatrix testX,
      double[] yTest, Loss loss, double beta) {
    return new SgdTrainer(x.transpose(), y, testX == null ? null : testX.transpose(), yTest,
        loss, beta);
  }

  /**
   * PyTorch's default initialisation of two bias-free linear layers: u_jk ~ U(-1/sqrt(d),
   * 1/sqrt(d)), alpha_j ~ U(-1/sqrt(m), 1/sqrt(m)).
   */
  public static ReluNetwork initialise(int d, int m, SplittableRandom rng) {
    DenseMatrix u = new DenseMatrix(d, m);
    double su = 1.0 / Math.sqrt(d);
    double[] ud = u.data();
    for (int k = 0; k < ud.length; k++) {
      ud[k] = rng.nextDouble(-su, su);
    }
    double sa = 1.0 / Math.sqrt(m);
    double[] alpha = new double[m];
    for (int j = 0; j < m; j++) {
      alpha[j] = rng.nextDouble(-sa, sa);
    }
    return new ReluNetwork(u, alpha);
  }

  /** Runs SGD from the seed's initialisation. */
  public SgdResult train(SgdOptions o, Consumer<EpochRecord> listener) {
    SplittableRandom rng = new SplittableRandom(o.seed());
    ReluNetwork init = initialise(xT.rows(), o.neurons(), rng.split());
    return train(o, init, rng, listener);
  }

  /** Runs SGD from a given network (copied, not modified); {@code rng} drives the shuffles. */
  public SgdResult train(SgdOptions o, ReluNetwork init, SplittableRandom rng,
      Consumer<EpochRecord> listener) {
    int n = xT.cols();
    int d = xT.rows();
    int m = init.width();
    if (init.hidden().rows() != d) {
      throw new IllegalArgumentException("network has input dimension " + init.hidden().rows()
          + ", data " + d);
    }
    DenseMatrix u = init.hidden().copy();
    double[] alpha = init.alpha().clone();
    Optimizer.Update updateU = o.optimizer().newUpdate(u.data().length, o.learningRate(),
        o.momentum());
    Optimizer.Update updateAlpha = o.optimizer().newUpdate(m, o.learningRate(), o.momentum());
    int[] order = Minibatches.identity(n);
    int full = Math.min(o.batchSize(), n);
    Batch batch = new Batch(d, full, m);
    Batch tail = n % full == 0 ? null : new Batch(d, n % full, m);
    List<EpochRecord> history = new ArrayList<>();
    EpochRecord rec = evaluate(new ReluNetwork(u, alpha), 0, 0.0, 0L);
    history.add(rec);
    listener.accept(rec);
    ReluNetwork lastFinite = new ReluNetwork(u.copy(), alpha.clone());
    double seconds = 0.0;
    long samples = 0;
    double decay = beta / n;
    String stop = "EPOCHS";
    for (int epoch = 1; epoch <= o.epochs(); epoch++) {
      long start = System.nanoTime();
      Minibatches.shuffle(order, rng);
      for (int s = 0; s < n; s += full) {
        Batch b = n - s >= full ? batch : tail;
        b.gather(xT, y, order, s);
        b.lossGradient(loss, u, alpha);
        Minibatches.descend(updateU, u.data(), b.gradU.data(), b.size, decay);
        Minibatches.descend(updateAlpha, alpha, b.gradAlpha, b.size, decay);
      }
      seconds += (System.nanoTime() - start) * 1e-9;
      samples += n;
      rec = evaluate(new ReluNetwork(u, alpha), epoch, seconds, samples);
      if (!Double.isFinite(rec.objective())) {
        stop = "DIVERGED";
        break;
      }
      history.add(rec);
      listener.accept(rec);
      lastFinite = new ReluNetwork(u.copy(), alpha.clone());
    }
    return new SgdResult(lastFinite, List.copyOf(history), stop);
  }

  /** F at {@code net} on the training data. */
  public double objective(ReluNetwork net) {
    return loss.value(predict(net, xT), y) + 0.5 * beta * net.squaredNorm();
  }

  /**
   * F and its exact gradient at {@code net} over all training rows (for checks; training
   * uses mini-batches).
   */
  public double objectiveAndGradient(ReluNetwork net, DenseMatrix gradU, double[] gradAlpha) {
    Batch all = new Batch(xT.rows(), xT.cols(), net.width());
    int[] identity = new int[xT.cols()];
    for (int i = 0; i < identity.length; i++) {
      identity[i] = i;
    }
    all.gather(xT, y, identity, 0);
    double value = all.lossGradient(loss, net.hidden(), net.alpha());
    double[] u = net.hidden().data();
    double[] g = gradU.data();
    for (int k = 0; k < g.length; k++) {
      g[k] = all.gradU.data()[k] + beta * u[k];
    }
    for (int j = 0; j < gradAlpha.length; j++) {
      gradAlpha[j] = all.gradAlpha[j] + beta * net.alpha()[j];
    }
    return value + 0.5 * beta * net.squaredNorm();
  }

  private EpochRecord evaluate(ReluNetwork net, int epoch, double seconds, long samples) {
    double[] pred = predict(net, xT);
    double obj = loss.value(pred, y) + 0.5 * beta * net.squaredNorm();
    double trainAcc = classification ? Metrics.accuracy(pred, y) : Double.NaN;
    double testAcc = classification && testXT != null ? Metrics.accuracy(predict(net, testXT), yTest)
        : Double.NaN;
    return new EpochRecord(epoch, obj, trainAcc, testAcc, seconds, samples);
  }

  /** f on the columns of {@code featuresT} (d x n): Z = X U by one GEMM, then (Z)_+ alpha. */
  static double[] predict(ReluNetwork net, DenseMatrix featuresT) {
    int n = featuresT.cols();
    int m = net.width();
    DenseMatrix z = new DenseMatrix(n, m);
    Blas.gemm(true, false, 1.0, featuresT, net.hidden(), 0.0, z);
    double[] out = new double[n];
    double[] zd = z.data();
    double[] alpha = net.alpha();
    for (int j = 0; j < m; j++) {
      double a = alpha[j];
      int off = j * n;
      for (int i = 0; i < n; i++) {
        double v = zd[off + i];
        out[i] += v > 0.0 ? v * a : 0.0;
      }
    }
    return out;
  }

  public int rows() {
    return xT.cols();
  }

  public int dimension() {
    return xT.rows();
  }

  /** Work arrays for one mini-batch size. */
  private static final class Batch {
    final int size;
    final DenseMatrix xb;
    final double[] yb;
    final DenseMatrix z;
    final double[] f;
    final double[] r;
    final DenseMatrix gradU;
    final double[] gradAlpha;

    Batch(int d, int size, int m) {
      this.size = size;
      this.xb = new DenseMatrix(d, size);
      this.yb = new double[size];
      this.z = new DenseMatrix(size, m);
      this.f = new double[size];
      this.r = new double[size];
      this.gradU = new DenseMatrix(d, m);
      this.gradAlpha = new double[m];
    }

    /** Copies rows order[s .. s+size) (columns of xT) into the batch. */
    void gather(DenseMatrix xT, double[] y, int[] order, int s) {
      int d = xT.rows();
      double[] src = xT.data();
      double[] dst = xb.data();
      for (int k = 0; k < size; k++) {
        int i = order[s + k];
        System.arraycopy(src, i * d, dst, k * d, d);
        yb[k] = y[i];
      }
    }

    /**
     * Loss summed over the batch, with its gradients in gradU (d x m) and gradAlpha (m):
     * r = dL/df, grad alpha = (Z)_+^T r, grad U = X_b^T (1[Z &gt; 0] .* r alpha^T).
     */
    double lossGradient(Loss loss, DenseMatrix u, double[] alpha) {
      int m = alpha.length;
      Blas.gemm(true, false, 1.0, xb, u, 0.0, z);
      double[] zd = z.data();
      java.util.Arrays.fill(f, 0.0);
      for (int j = 0; j < m; j++) {
        double a = alpha[j];
        int off = j * size;
        for (int i = 0; i < size; i++) {
          double v = zd[off + i];
          f[i] += v > 0.0 ? v * a : 0.0;
        }
      }
      double value = loss.valueAndGradient(f, yb, r);
      for (int j = 0; j < m; j++) {
        double a = alpha[j];
        int off = j * size;
        double ga = 0.0;
        for (int i = 0; i < size; i++) {
          double v = zd[off + i];
          boolean active = v > 0.0;
          ga += active ? v * r[i] : 0.0;
          zd[off + i] = active ? r[i] * a : 0.0;
        }
        gradAlpha[j] = ga;
      }
      Blas.gemm(false, false, 1.0, xb, z, 0.0, gradU);
      return value;
    }
  }
}
