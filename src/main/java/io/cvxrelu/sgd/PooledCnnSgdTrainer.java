package io.cvxrelu.sgd;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.problem.Loss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Mini-batch SGD (momentum or Adam) on the two-layer CNN with m shared filters and global sum
 * pooling (Ergen and Pilanci, "Implicit convex regularizers of CNN architectures", ICLR 2021;
 * Pilanci and Ergen 2020, section 5), the network whose convex program is
 * {@code io.cvxrelu.cnn.PooledReluCnn}:
 *
 * <pre>
 *   f(x) = sum_j alpha_j sum_k (x_k^T u_j)_+ ,
 *   F(U, alpha) = L(f(X), y) + beta/2 sum_j (||u_j||^2 + alpha_j^2),
 * </pre>
 *
 * <p>with the K patches x_k in R^h of {@link PatchGeometry} and the loss summed over rows,
 * exactly the objective {@code io.cvxrelu.cnn.PooledCnn#objective} evaluates. As in
 * {@link SgdTrainer}, steps follow the stochastic gradient of F / n.
 *
 * <p>im2col: each example is stored once as its h x K patch matrix M_i (column k = patch k),
 * so a shuffled mini-batch of b examples is gathered into one h x bK patch matrix P_b with one
 * contiguous copy per example. A step is then two GEMMs: Z = P_b^T U (bK x m, every filter on
 * every patch), and grad U = P_b G with G = 1[Z &gt; 0] .* (r alpha^T) lifted to the patches;
 * the pooling sums the K rows of each example. Runs are deterministic for a seed.
 */
public final class PooledCnnSgdTrainer {
  /** Examples per block when the whole training or test set is evaluated. */
  static final int EVALUATION_BLOCK = 1024;

  private final int h;
  private final int patches;
  private final DenseMatrix patchesT;
  private final double[] y;
  private final DenseMatrix testPatchesT;
  private final double[] yTest;
  private final Loss loss;
  private final double beta;
  private final boolean classification;

  /**
   * @param h filter length (patch size)
   * @param patches K, patches per example
   * @param patchesT hK x n: column i is vec(M_i), entry t of patch k at row t + k h (the
   *     transpose of {@link PatchGeometry#patchRows})
   * @param y n labels in any coding the loss accepts
   * @param testPatchesT hK x n_test (null when none)
   * @param yTest test labels (null when none)
   */
  public PooledCnnSgdTrainer(int h, int patches, DenseMatrix patchesT, double[] y,
      DenseMatrix testPatchesT, double[] yTest, Loss loss, double beta) {
    if (h < 1 || patches < 1 || patchesT.rows() != h * patches) {
      throw new IllegalArgumentException("patch data have " + patchesT.rows() + " rows, not h K = "
          + h + " x " + patches);
    }
    if (y.length != patchesT.cols()) {
      throw new IllegalArgumentException(patchesT.cols() + " examples but " + y.length
          + " labels");
    }
    if (testPatchesT != null && (testPatchesT.rows() != patchesT.rows() || yTest == null
        || yTest.length != testPatchesT.cols())) {
      throw new IllegalArgumentException("test data do not match the training data");
    }
    if (!(beta >= 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }
    this.h = h;
    this.patches = patches;
    this.patchesT = patchesT;
    this.y = loss.canonicalLabels(y);
    this.testPatchesT = testPatchesT;
    this.yTest = yTest == null ? null : loss.canonicalLabels(yTest);
    this.loss = loss;
    this.beta = beta;
    this.classification = Metrics.isPlusMinusOne(this.y)
        && (this.yTest == null || Metrics.isPlusMinusOne(this.yTest));
  }

  /** The trainer on the patches of images in the usual n x (C H W) layout. */
  public static PooledCnnSgdTrainer of(PatchGeometry geometry, DenseMatrix x, double[] y,
      DenseMatrix xTest, double[] yTest, Loss loss, double beta) {
    return new PooledCnnSgdTrainer(geometry.patchSize(), geometry.patchCount(),
        geometry.patchRows(x).transpose(), y,
        xTest == null ? null : geometry.patchRows(xTest).transpose(), yTest, loss, beta);
  }

  /**
   * PyTorch's default initialisation of a bias-free convolution and linear layer,
   * u_jt ~ U(-1/sqrt(h), 1/sqrt(h)) and alpha_j ~ U(-1/sqrt(m), 1/sqrt(m)), with alpha divided
   * by K: the 1/K of global average pooling, which the sum pooling here leaves to alpha.
   *
   * @return h x m filters followed by nothing; alpha is written into {@code alpha}
   */
  static DenseMatrix initialise(int h, int patches, double[] alpha, SplittableRandom rng) {
    int m = alpha.length;
    DenseMatrix u = new DenseMatrix(h, m);
    double su = 1.0 / Math.sqrt(h);
    double[] ud = u.data();
    for (int q = 0; q < ud.length; q++) {
      ud[q] = rng.nextDouble(-su, su);
    }
    double sa = 1.0 / Math.sqrt(m);
    for (int j = 0; j < m; j++) {
      alpha[j] = rng.nextDouble(-sa, sa) / patches;
    }
    return u;
  }

  /** Runs SGD with {@code o.neurons()} filters from the seed's initialisation. */
  public PooledCnnSgdResult train(SgdOptions o, Consumer<EpochRecord> listener) {
    SplittableRandom rng = new SplittableRandom(o.seed());
    double[] alpha = new double[o.neurons()];
    DenseMatrix u = initialise(h, patches, alpha, rng.split());
    return train(o, u, alpha, rng, listener);
  }

  /**
   * Runs SGD from given filters (h x m) and output weights (copied, not modified); {@code rng}
   * drives the shuffles.
   */
  public PooledCnnSgdResult train(SgdOptions o, DenseMatrix initFilters, double[] initAlpha,
      SplittableRandom rng, Consumer<EpochRecord> listener) {
    int n = patchesT.cols();
    int m = initAlpha.length;
    if (initFilters.rows() != h || initFilters.cols() != m) {
      throw new IllegalArgumentException("filters are " + initFilters.rows() + " x "
          + initFilters.cols() + ", expected " + h + " x " + m);
    }
    DenseMatrix u = initFilters.copy();
    double[] alpha = initAlpha.clone();
    Optimizer.Update updateU = o.optimizer().newUpdate(u.data().length, o.learningRate(),
        o.momentum());
    Optimizer.Update updateAlpha = o.optimizer().newUpdate(m, o.learningRate(), o.momentum());
    int[] order = Minibatches.identity(n);
    int full = Math.min(o.batchSize(), n);
    Batch batch = new Batch(full, m);
    Batch tail = n % full == 0 ? null : new Batch(n % full, m);
    List<EpochRecord> history = new ArrayList<>();
    EpochRecord rec = evaluate(u, alpha, 0, 0.0, 0L);
    history.add(rec);
    listener.accept(rec);
    DenseMatrix lastU = u.copy();
    double[] lastAlpha = alpha.clone();
    double seconds = 0.0;
    long samples = 0;
    double decay = beta / n;
    String stop = "EPOCHS";
    for (int epoch = 1; epoch <= o.epochs(); epoch++) {
      long start = System.nanoTime();
      Minibatches.shuffle(order, rng);
      for (int s = 0; s < n; s += full) {
        Batch b = n - s >= full ? batch : tail;
        b.gather(patchesT, y, order, s);
        b.lossGradient(loss, u, alpha);
        // The mean over the batch of the per-row loss gradient, plus beta / n of the decay.
        Minibatches.descend(updateU, u.data(), b.gradU.data(), b.size, decay);
        Minibatches.descend(updateAlpha, alpha, b.gradAlpha, b.size, decay);
      }
      seconds += (System.nanoTime() - start) * 1e-9;
      samples += n;
      rec = evaluate(u, alpha, epoch, seconds, samples);
      if (!Double.isFinite(rec.objective())) {
        stop = "DIVERGED";
        break;
      }
      history.add(rec);
      listener.accept(rec);
      lastU = u.copy();
      lastAlpha = alpha.clone();
    }
    return new PooledCnnSgdResult(lastU, lastAlpha, List.copyOf(history), stop);
  }

  /** F(U, alpha) on the training data. */
  public double objective(DenseMatrix u, double[] alpha) {
    return loss.value(predict(patchesT, u, alpha), y) + weightDecay(u, alpha);
  }

  private double weightDecay(DenseMatrix u, double[] alpha) {
    return 0.5 * beta * (Blas.dot(u.data().length, u.data(), u.data())
        + Blas.dot(alpha.length, alpha, alpha));
  }

  /**
   * F and its exact gradient over all training rows (for checks; training uses mini-batches).
   *
   * @param gradU h x m, overwritten
   * @param gradAlpha m, overwritten
   */
  public double objectiveAndGradient(DenseMatrix u, double[] alpha, DenseMatrix gradU,
      double[] gradAlpha) {
    int n = patchesT.cols();
    Batch all = new Batch(n, alpha.length);
    int[] identity = new int[n];
    for (int i = 0; i < n; i++) {
      identity[i] = i;
    }
    all.gather(patchesT, y, identity, 0);
    double value = all.lossGradient(loss, u, alpha);
    for (int q = 0; q < gradU.data().length; q++) {
      gradU.data()[q] = all.gradU.data()[q] + beta * u.data()[q];
    }
    for (int j = 0; j < alpha.length; j++) {
      gradAlpha[j] = all.gradAlpha[j] + beta * alpha[j];
    }
    return value + weightDecay(u, alpha);
  }

  private EpochRecord evaluate(DenseMatrix u, double[] alpha, int epoch, double seconds,
      long samples) {
    double[] pred = predict(patchesT, u, alpha);
    double obj = loss.value(pred, y) + weightDecay(u, alpha);
    double trainAcc = classification ? Metrics.accuracy(pred, y) : Double.NaN;
    double testAcc = classification && testPatchesT != null
        ? Metrics.accuracy(predict(testPatchesT, u, alpha), yTest) : Double.NaN;
    return new EpochRecord(epoch, obj, trainAcc, testAcc, seconds, samples);
  }

  /** f on every column of {@code data} (hK x n), in blocks of {@link #EVALUATION_BLOCK}. */
  double[] predict(DenseMatrix data, DenseMatrix u, double[] alpha) {
    int n = data.cols();
    double[] out = new double[n];
    int block = Math.min(EVALUATION_BLOCK, Math.max(1, n));
    Batch full = new Batch(block, alpha.length);
    Batch tail = n % block == 0 ? null : new Batch(n % block, alpha.length);
    for (int s = 0; s < n; s += block) {
      Batch b = n - s >= block ? full : tail;
      b.copy(data, s);
      b.forward(u, alpha);
      System.arraycopy(b.f, 0, out, s, b.size);
    }
    return out;
  }

  /** n, the training examples. */
  public int rows() {
    return patchesT.cols();
  }

  /** h, the filter length. */
  public int patchSize() {
    return h;
  }

  /** K, the patches per example. */
  public int patchCount() {
    return patches;
  }

  /** Work arrays for one mini-batch of {@code size} examples. */
  private final class Batch {
    final int size;
    /** The im2col matrix P_b, h x bK: column i K + k is patch k of batch example i. */
    final DenseMatrix pb;
    final double[] yb;
    /** Z = P_b^T U (bK x m), overwritten by G in the backward pass. */
    final DenseMatrix z;
    final double[] f;
    final double[] r;
    final DenseMatrix gradU;
    final double[] gradAlpha;

    Batch(int size, int m) {
      this.size = size;
      this.pb = new DenseMatrix(h, size * patches);
      this.yb = new double[size];
      this.z = new DenseMatrix(size * patches, m);
      this.f = new double[size];
      this.r = new double[size];
      this.gradU = new DenseMatrix(h, m);
      this.gradAlpha = new double[m];
    }

    /** Copies examples order[s .. s+size) (columns of the hK x n data) into P_b. */
    void gather(DenseMatrix data, double[] labels, int[] order, int s) {
      int len = h * patches;
      for (int k = 0; k < size; k++) {
        int i = order[s + k];
        System.arraycopy(data.data(), i * len, pb.data(), k * len, len);
        yb[k] = labels[i];
      }
    }

    /** Copies examples s .. s+size, one block copy (they are contiguous). */
    void copy(DenseMatrix data, int s) {
      int len = h * patches;
      System.arraycopy(data.data(), s * len, pb.data(), 0, size * len);
    }

    /** Z = P_b^T U, then f_i = sum_j alpha_j sum_k (Z_{iK+k, j})_+ (the sum pooling). */
    void forward(DenseMatrix u, double[] alpha) {
      Blas.gemm(true, false, 1.0, pb, u, 0.0, z);
      double[] zd = z.data();
      int rows = size * patches;
      Arrays.fill(f, 0.0);
      for (int j = 0; j < alpha.length; j++) {
        double a = alpha[j];
        int off = j * rows;
        for (int i = 0; i < size; i++) {
          double pooled = 0.0;
          int base = off + i * patches;
          for (int k = 0; k < patches; k++) {
            double v = zd[base + k];
            pooled += v > 0.0 ? v : 0.0;
          }
          f[i] += a * pooled;
        }
      }
    }

    /**
     * The loss summed over the batch, with its gradients in gradU (h x m) and gradAlpha (m):
     * with r = dL/df, grad alpha_j = sum_i r_i sum_k (Z_{iK+k, j})_+ and
     * grad U = P_b G, G_{iK+k, j} = 1[Z_{iK+k, j} &gt; 0] r_i alpha_j.
     */
    double lossGradient(Loss lossFunction, DenseMatrix u, double[] alpha) {
      forward(u, alpha);
      double value = lossFunction.valueAndGradient(f, yb, r);
      double[] zd = z.data();
      int rows = size * patches;
      for (int j = 0; j < alpha.length; j++) {
        double a = alpha[j];
        int off = j * rows;
        double ga = 0.0;
        for (int i = 0; i < size; i++) {
          double ri = r[i];
          double ra = ri * a;
          int base = off + i * patches;
          for (int k = 0; k < patches; k++) {
            double v = zd[base + k];
            boolean active = v > 0.0;
            ga += active ? v * ri : 0.0;
            zd[base + k] = active ? ra : 0.0;
          }
        }
        gradAlpha[j] = ga;
      }
      Blas.gemm(false, false, 1.0, pb, z, 0.0, gradU);
      return value;
    }
  }
}
