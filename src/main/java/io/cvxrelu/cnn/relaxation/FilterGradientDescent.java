package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;

/**
 * Gradient descent on the non-convex loss L(w) = 1/(2n) sum_i (y_i - sum_j (X_ij w)_+)^2, the
 * baseline of Bartan and Pilanci's Fig. 1, from R random starts w_0 ~ N(0, I_f) run together
 * (the f x R iterates make every pass a GEMM).
 *
 * <p>Step size: 1/L with L = (k / n) lambda_max(sum_j X_j^T X_j). For any fixed set of active
 * patches the loss is a least-squares problem with Hessian (1/n) A^T A, a_i = sum over active
 * j of X_ij^T, and ||A u||^2 &lt;= k sum_ij (X_ij u)^2 by Cauchy-Schwarz, so L bounds the
 * curvature of every piece: the step never overshoots a piece's minimiser, and the loss does
 * not increase while the active sets stay fixed (the test checks it along whole runs).
 */
public final class FilterGradientDescent {
  /** Steps over which a stall is judged. */
  static final int WINDOW = 50;
  /** Loss movement, relative to the loss of w = 0, that counts as none. */
  static final double STALL = 1e-16;

  private final PatchDesign design;
  private final double[] labels;
  private final double step;

  public FilterGradientDescent(PatchDesign design, double[] labels) {
    this.design = design;
    this.labels = labels;
    this.step = 1.0 / curvatureBound(design);
  }

  /** (k / n) lambda_max(sum_j X_j^T X_j), by power iteration on the f x f Gram matrix. */
  static double curvatureBound(PatchDesign design) {
    double[] ones = new double[design.patches()];
    java.util.Arrays.fill(ones, 1.0);
    DenseMatrix gram = design.weightedGram(ones);
    int f = gram.rows();
    double[] v = new double[f];
    java.util.Arrays.fill(v, 1.0 / Math.sqrt(f));
    double lambda = 0.0;
    for (int it = 0; it < 500; it++) {
      double[] u = new double[f];
      Blas.gemm(false, false, f, 1, f, 1.0, gram.data(), 0, f, v, 0, f, 0.0, u, 0, f);
      double norm = Blas.nrm2(f, u, 0);
      if (norm == 0.0) {
        return Double.MIN_NORMAL;
      }
      for (int l = 0; l < f; l++) {
        v[l] = u[l] / norm;
      }
      if (Math.abs(norm - lambda) <= 1e-10 * norm) {
        lambda = norm;
        break;
      }
      lambda = norm;
    }
    // Power iteration approaches lambda_max from below; 1% margin keeps 1/L a safe step.
    return 1.01 * lambda * design.blocks() / design.n();
  }

  public double step() {
    return step;
  }

  /** Random starts w_0 ~ N(0, I_f), as the f x R columns of a matrix. */
  public static DenseMatrix randomStarts(int filterSize, int starts, long seed) {
    return new DenseMatrix(filterSize, starts,
        PlantedInstance.gaussianVector(new SplittableRandom(seed), filterSize * starts));
  }

  /**
   * Runs at most {@code iterations} steps from the columns of {@code starts} (overwritten with
   * the final iterates) and returns the loss of each run before every step
   * ({@code [iteration][run]}). Stops early once no run's loss has moved by more than
   * {@link #STALL} times the loss of w = 0 over {@link #WINDOW} steps: every run has then
   * reached w* (loss below that, relative error about 1e-8) or stalls at a stationary point.
   */
  public double[][] run(DenseMatrix starts, int iterations) {
    int runs = starts.cols();
    java.util.List<double[]> history = new java.util.ArrayList<>();
    DenseMatrix grad = new DenseMatrix(design.filterSize(), runs);
    double scale = design.meanSquaredError(new double[design.filterSize()], labels) / 2.0;
    for (int it = 0; it < iterations; it++) {
      double[] loss = lossAndGradient(starts, grad);
      history.add(loss);
      if (it >= WINDOW && stalled(history.get(it - WINDOW), loss, scale)) {
        break;
      }
      double[] w = starts.data();
      double[] g = grad.data();
      for (int e = 0; e < w.length; e++) {
        w[e] -= step * g[e];
      }
    }
    return history.toArray(new double[0][]);
  }

  private static boolean stalled(double[] before, double[] now, double scale) {
    for (int t = 0; t < now.length; t++) {
      if (Math.abs(before[t] - now[t]) > STALL * scale) {
        return false;
      }
    }
    return true;
  }

  /** The losses of the R filters, with their gradients written into {@code grad} (f x R). */
  double[] lossAndGradient(DenseMatrix w, DenseMatrix grad) {
    int n = design.n();
    int f = design.filterSize();
    int k = design.blocks();
    int runs = w.cols();
    double[] xd = design.x().data();
    double[][] resp = new double[k][n * runs];
    double[] residual = new double[n * runs];
    for (int j = 0; j < k; j++) {
      Blas.gemm(false, false, n, runs, f, 1.0, xd, j * f * n, n, w.data(), 0, f, 0.0, resp[j],
          0, n);
      for (int e = 0; e < residual.length; e++) {
        residual[e] += Math.max(0.0, resp[j][e]);
      }
    }
    double[] loss = new double[runs];
    for (int t = 0; t < runs; t++) {
      for (int i = 0; i < n; i++) {
        double rr = residual[t * n + i] - labels[i];
        residual[t * n + i] = rr / n;
        loss[t] += 0.5 * rr * rr / n;
      }
    }
    java.util.Arrays.fill(grad.data(), 0.0);
    double[] masked = new double[n * runs];
    for (int j = 0; j < k; j++) {
      for (int e = 0; e < masked.length; e++) {
        masked[e] = resp[j][e] > 0.0 ? residual[e] : 0.0;
      }
      Blas.gemm(true, false, f, runs, n, 1.0, xd, j * f * n, n, masked, 0, n, 1.0,
          grad.data(), 0, f);
    }
    return loss;
  }
}
