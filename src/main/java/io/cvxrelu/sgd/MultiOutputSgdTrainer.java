package io.cvxrelu.sgd;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.MultiOutputLoss;
import io.cvxrelu.multiclass.MulticlassTargets;
import io.cvxrelu.multiclass.ReluVectorNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Mini-batch SGD (momentum or Adam) on the vector-output two-layer ReLU network
 * f(x) = sum_j (x^T u_j)_+ alpha_j^T ({@link ReluVectorNetwork}; Sahiner, Ergen, Pauly and
 * Pilanci, ICLR 2021, eq. (1)) with the objective the multi-class convex program is compared
 * with:
 *
 * <pre>
 *   F(U, A) = L(f(X), Y) + beta/2 (||U||_F^2 + ||A||_F^2),
 * </pre>
 *
 * L one of the {@link MultiOutputLoss}es of {@link io.cvxrelu.multiclass.MultiOutputProblem}
 * (one-hot squared loss or softmax cross-entropy, summed over rows). As {@link SgdTrainer}
 * does for one output, the steps follow F / n, whose mini-batch estimate is the mean loss of
 * the batch plus (beta / n)/2 times the squared norms; the recorded objective is the full F on
 * all training rows. A batch costs five GEMMs: Z = X_b U, F_b = (Z)_+ A, grad A = (Z)_+^T G,
 * G A^T, and grad U = X_b^T (1[Z &gt; 0] .* G A^T), G = dL/dF_b.
 */
public final class MultiOutputSgdTrainer {
  private final DenseMatrix xT;
  private final DenseMatrix y;
  private final int[] labels;
  private final DenseMatrix testX;
  private final int[] testLabels;
  private final MultiOutputLoss loss;
  private final double beta;

  /**
   * @param x n x d training design (a bias, if wanted, is already a column)
   * @param y n x c targets (one-hot rows for classification)
   * @param testX test design (null when none)
   * @param testLabels test classes in 0..c-1 (null when none)
   */
  public MultiOutputSgdTrainer(DenseMatrix x, DenseMatrix y, DenseMatrix testX,
      int[] testLabels, MultiOutputLoss loss, double beta) {
    if (y.rows() != x.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + y.rows() + " target rows");
    }
    if ((testX == null) != (testLabels == null)
        || (testX != null && (testX.cols() != x.cols() || testX.rows() != testLabels.length))) {
      throw new IllegalArgumentException("test data do not match the training data");
    }
    if (!(beta >= 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }
    // Rows as contiguous columns, so a mini-batch gathers by array copies.
    this.xT = x.transpose();
    this.y = y;
    this.labels = MulticlassTargets.argMax(y);
    this.testX = testX;
    this.testLabels = testLabels;
    this.loss = loss;
    this.beta = beta;
  }

  /**
   * PyTorch's default initialisation of two bias-free linear layers: u_jk ~ U(-1/sqrt(d),
   * 1/sqrt(d)), alpha_jk ~ U(-1/sqrt(m), 1/sqrt(m)).
   */
  public static ReluVectorNetwork initialise(int d, int m, int c, SplittableRandom rng) {
    return new ReluVectorNetwork(uniform(d, m, 1.0 / Math.sqrt(d), rng),
        uniform(m, c, 1.0 / Math.sqrt(m), rng));
  }

  private static DenseMatrix uniform(int rows, int cols, double bound, SplittableRandom rng) {
    DenseMatrix w = new DenseMatrix(rows, cols);
    double[] wd = w.data();
    for (int k = 0; k < wd.length; k++) {
      wd[k] = rng.nextDouble(-bound, bound);
    }
    return w;
  }

  /** Runs from the seed's initialisation (width {@code o.neurons()}). */
  public MultiOutputSgdResult train(SgdOptions o, Consumer<EpochRecord> listener) {
    SplittableRandom rng = new SplittableRandom(o.seed());
    ReluVectorNetwork init = initialise(xT.rows(), o.neurons(), y.cols(), rng.split());
    return train(o, init, rng, listener);
  }

  /** Runs from a given network (copied, not modified); {@code rng} drives the shuffles. */
  public MultiOutputSgdResult train(SgdOptions o, ReluVectorNetwork init, SplittableRandom rng,
      Consumer<EpochRecord> listener) {
    int n = xT.cols();
    if (init.hidden().rows() != xT.rows() || init.outputs() != y.cols()) {
      throw new IllegalArgumentException("network is " + init.hidden().rows() + " -> "
          + init.outputs() + ", data " + xT.rows() + " -> " + y.cols());
    }
    DenseMatrix u = init.hidden().copy();
    DenseMatrix a = init.output().copy();
    Optimizer.Update updateU = o.optimizer().newUpdate(u.data().length, o.learningRate(),
        o.momentum());
    Optimizer.Update updateA = o.optimizer().newUpdate(a.data().length, o.learningRate(),
        o.momentum());
    int[] order = Minibatches.identity(n);
    int full = Math.min(o.batchSize(), n);
    Batch batch = new Batch(xT.rows(), full, init.width(), y.cols());
    Batch tail = n % full == 0 ? null : new Batch(xT.rows(), n % full, init.width(), y.cols());
    List<EpochRecord> history = new ArrayList<>();
    EpochRecord rec = evaluate(new ReluVectorNetwork(u, a), 0, 0.0, 0L);
    history.add(rec);
    listener.accept(rec);
    ReluVectorNetwork lastFinite = new ReluVectorNetwork(u.copy(), a.copy());
    double seconds = 0.0;
    double decay = beta / n;
    String stop = "EPOCHS";
    for (int epoch = 1; epoch <= o.epochs(); epoch++) {
      long start = System.nanoTime();
      Minibatches.shuffle(order, rng);
      for (int s = 0; s < n; s += full) {
        Batch b = n - s >= full ? batch : tail;
        b.gather(xT, y, order, s);
        b.lossGradient(loss, u, a);
        Minibatches.descend(updateU, u.data(), b.gradU.data(), b.size, decay);
        Minibatches.descend(updateA, a.data(), b.gradA.data(), b.size, decay);
      }
      seconds += (System.nanoTime() - start) * 1e-9;
      rec = evaluate(new ReluVectorNetwork(u, a), epoch, seconds, (long) epoch * n);
      if (!Double.isFinite(rec.objective())) {
        stop = "DIVERGED";
        break;
      }
      history.add(rec);
      listener.accept(rec);
      lastFinite = new ReluVectorNetwork(u.copy(), a.copy());
    }
    return new MultiOutputSgdResult(lastFinite, List.copyOf(history), stop);
  }

  /** F at {@code net} on the training rows. */
  public double objective(ReluVectorNetwork net) {
    return net.objective(xT.transpose(), y, loss, beta);
  }

  /**
   * F and its exact gradient at {@code net} over all training rows (for checks; training uses
   * mini-batches).
   */
  public double objectiveAndGradient(ReluVectorNetwork net, DenseMatrix gradU,
      DenseMatrix gradA) {
    int n = xT.cols();
    Batch all = new Batch(xT.rows(), n, net.width(), y.cols());
    int[] identity = new int[n];
    for (int i = 0; i < n; i++) {
      identity[i] = i;
    }
    all.gather(xT, y, identity, 0);
    double value = all.lossGradient(loss, net.hidden(), net.output());
    System.arraycopy(all.gradU.data(), 0, gradU.data(), 0, gradU.data().length);
    System.arraycopy(all.gradA.data(), 0, gradA.data(), 0, gradA.data().length);
    Minibatches.meanPlusDecay(gradU.data(), 1.0, beta, net.hidden().data());
    Minibatches.meanPlusDecay(gradA.data(), 1.0, beta, net.output().data());
    return value + 0.5 * beta * net.squaredNorm();
  }

  private EpochRecord evaluate(ReluVectorNetwork net, int epoch, double seconds,
      long samples) {
    DenseMatrix f = net.predict(xT.transpose());
    double obj = loss.valueAndGradient(f, y, null) + 0.5 * beta * net.squaredNorm();
    double trainAcc = MulticlassTargets.accuracy(f, labels);
    double testAcc = testX == null ? Double.NaN
        : MulticlassTargets.accuracy(net.predict(testX), testLabels);
    return new EpochRecord(epoch, obj, trainAcc, testAcc, seconds, samples);
  }

  public int rows() {
    return xT.cols();
  }

  /** Work arrays for one mini-batch size. */
  private static final class Batch {
    final int size;
    final DenseMatrix xb;
    final DenseMatrix yb;
    final DenseMatrix z;
    final DenseMatrix h;
    final DenseMatrix f;
    final DenseMatrix g;
    final DenseMatrix gradU;
    final DenseMatrix gradA;

    Batch(int d, int size, int m, int c) {
      this.size = size;
      this.xb = new DenseMatrix(d, size);
      this.yb = new DenseMatrix(size, c);
      this.z = new DenseMatrix(size, m);
      this.h = new DenseMatrix(size, m);
      this.f = new DenseMatrix(size, c);
      this.g = new DenseMatrix(size, c);
      this.gradU = new DenseMatrix(d, m);
      this.gradA = new DenseMatrix(m, c);
    }

    /** Copies rows order[s .. s+size) (columns of xT, rows of Y) into the batch. */
    void gather(DenseMatrix xT, DenseMatrix y, int[] order, int s) {
      int d = xT.rows();
      int n = y.rows();
      int c = y.cols();
      double[] src = xT.data();
      double[] dst = xb.data();
      double[] ys = y.data();
      double[] yd = yb.data();
      for (int k = 0; k < size; k++) {
        int i = order[s + k];
        System.arraycopy(src, i * d, dst, k * d, d);
        for (int j = 0; j < c; j++) {
          yd[k + j * size] = ys[i + j * n];
        }
      }
    }

    /**
     * The loss summed over the batch, with its gradients in gradU (d x m) and gradA (m x c).
     */
    double lossGradient(MultiOutputLoss loss, DenseMatrix u, DenseMatrix a) {
      Blas.gemm(true, false, 1.0, xb, u, 0.0, z);
      double[] zd = z.data();
      double[] hd = h.data();
      for (int k = 0; k < zd.length; k++) {
        hd[k] = Math.max(zd[k], 0.0);
      }
      Blas.gemm(false, false, 1.0, h, a, 0.0, f);
      double value = loss.valueAndGradient(f, yb, g);
      Blas.gemm(true, false, 1.0, h, g, 0.0, gradA);
      // dL/dZ = 1[Z > 0] .* (G A^T), written over h.
      Blas.gemm(false, true, 1.0, g, a, 0.0, h);
      for (int k = 0; k < zd.length; k++) {
        hd[k] = zd[k] > 0.0 ? hd[k] : 0.0;
      }
      Blas.gemm(false, false, 1.0, xb, h, 0.0, gradU);
      return value;
    }
  }
}
