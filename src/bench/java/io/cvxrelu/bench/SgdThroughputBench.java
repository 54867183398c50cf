package io.cvxrelu.bench;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.SgdResult;
import io.cvxrelu.sgd.SgdTrainer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * SGD throughput (training samples per second, per-epoch evaluation excluded) of one
 * {@link SgdTrainer} on Gaussian data, next to the time of the two mini-batch GEMMs alone, so
 * the share spent outside BLAS is visible. The comparison point is a PyTorch CPU loop over the
 * same shapes (two bias-free {@code nn.Linear} layers, ReLU, MSE sum, SGD with momentum):
 * {@code src/bench/python/sgd_throughput_torch.py}.
 *
 * <p>Usage: {@code SgdThroughputBench [n] [d] [neurons] [batch] [epochs] [optimizer]}
 * (defaults 10000 3072 100 100 3 sgd: CIFAR-10 two-class shapes).
 */
public final class SgdThroughputBench {
  private SgdThroughputBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 3072;
    int m = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    int epochs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    Optimizer opt = Optimizer.parse(args.length > 5 ? args[5] : "sgd");
    SplittableRandom rng = new SplittableRandom(1);
    DenseMatrix xT = new DenseMatrix(d, n);
    for (int k = 0; k < xT.data().length; k++) {
      xT.data()[k] = rng.nextGaussian();
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextBoolean() ? 1.0 : -1.0;
    }
    SgdTrainer trainer = new SgdTrainer(xT, y, null, null, new SquaredLoss(), 1.0);
    SgdOptions o = new SgdOptions(m, 1, batch, 1e-4, opt, 0.9, 7);
    trainer.train(o, r -> { });
    SgdResult r = trainer.train(new SgdOptions(m, epochs, batch, 1e-4, opt, 0.9, 7), e -> { });
    double seconds = r.last().seconds();
    double samplesPerSecond = r.last().samples() / seconds;

    // The two GEMMs of a mini-batch alone, over the same number of batches.
    DenseMatrix xb = new DenseMatrix(d, batch);
    System.arraycopy(xT.data(), 0, xb.data(), 0, d * batch);
    DenseMatrix u = new DenseMatrix(d, m);
    DenseMatrix z = new DenseMatrix(batch, m);
    DenseMatrix g = new DenseMatrix(d, m);
    int batches = epochs * ((n + batch - 1) / batch);
    for (int k = 0; k < 20; k++) {
      Blas.gemm(true, false, 1.0, xb, u, 0.0, z);
      Blas.gemm(false, false, 1.0, xb, z, 0.0, g);
    }
    long t0 = System.nanoTime();
    for (int k = 0; k < batches; k++) {
      Blas.gemm(true, false, 1.0, xb, u, 0.0, z);
      Blas.gemm(false, false, 1.0, xb, z, 0.0, g);
    }
    double gemmSeconds = (System.nanoTime() - t0) * 1e-9;
    double gflop = 4.0 * d * batch * m * batches * 1e-9;
    System.out.printf(Locale.ROOT, "SGD %s n=%d d=%d m=%d batch=%d epochs=%d blas=%s%n",
        opt.id(), n, d, m, batch, epochs, Blas.backend());
    System.out.printf(Locale.ROOT, "training: %.2f s, %.0f samples/s (%.2f s per epoch)%n",
        seconds, samplesPerSecond, seconds / epochs);
    System.out.printf(Locale.ROOT, "GEMMs alone: %.2f s, %.1f GFLOP/s, %.0f%% of training time%n",
        gemmSeconds, gflop / gemmSeconds, 100 * gemmSeconds / seconds);
  }
}
