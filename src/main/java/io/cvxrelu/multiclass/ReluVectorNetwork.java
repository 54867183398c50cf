package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import java.util.Locale;

/**
 * A two-layer ReLU network with c outputs, f(x) = sum_j (x^T u_j)_+ alpha_j^T with u_j in R^d
 * and alpha_j in R^c (Sahiner, Ergen, Pauly and Pilanci, ICLR 2021, eq. (1), the vector-output
 * network), and its weight-decay objective L(f(X), Y) + beta/2 sum_j (||u_j||^2 +
 * ||alpha_j||^2), the non-convex problem the SGD baseline trains.
 *
 * <p>Its relation to {@link MultiOutputProblem}: neuron j is gated by its own sign pattern
 * D_j = diag(1[X u_j &gt; 0]), so f(X) = sum_i D_i X W_i with W_i the sum of u_j alpha_j^T over
 * the neurons of pattern i. Since beta/2 (||u||^2 + ||a||^2) &gt;= beta ||u a^T||_F and the
 * Frobenius norm is subadditive, the network's objective is at least the convex objective at
 * that W ({@link #convexPoint}); so the certified lower bound of the program over a pattern set
 * that holds every pattern of the network bounds the network's objective from below.
 *
 * @param hidden d x m first-layer weights (one neuron per column)
 * @param output m x c second-layer weights (row j is alpha_j^T)
 */
public record ReluVectorNetwork(DenseMatrix hidden, DenseMatrix output)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  public ReluVectorNetwork {
    if (hidden.cols() != output.rows()) {
      throw new IllegalArgumentException(hidden.cols() + " neurons but " + output.rows()
          + " rows of output weights");
    }
  }

  /**
   * The network of a solution B of {@link MultiOutputReluProgram}: each non-zero column, v_ik
   * or w_ik, is one neuron u = v / sqrt(||v||) feeding class k alone with weight +sqrt(||v||)
   * (-sqrt(||w||) for w). Where the cone constraints hold, (X u)_+ = D_i X u, so the network's
   * outputs are the program's and its weight decay beta/2 (||u||^2 + a^2) = beta ||v|| is the
   * program's penalty: the objectives agree (Pilanci and Ergen 2020, Theorem 1, per output).
   */
  public static ReluVectorNetwork recover(MultiOutputReluProgram program, DenseMatrix b) {
    int d = program.d();
    int c = program.outputs();
    int half = program.patternCount();
    int m = program.activeBlocks(b);
    DenseMatrix u = new DenseMatrix(d, m);
    DenseMatrix a = new DenseMatrix(m, c);
    int neuron = 0;
    for (int j = 0; j < b.cols(); j++) {
      double norm = b.columnNorm(j);
      if (norm == 0.0) {
        continue;
      }
      double root = Math.sqrt(norm);
      for (int r = 0; r < d; r++) {
        u.set(r, neuron, b.get(r, j) / root);
      }
      a.set(neuron, program.classOf(j), j < half ? root : -root);
      neuron++;
    }
    return new ReluVectorNetwork(u, a);
  }

  /** Hidden neurons m. */
  public int width() {
    return hidden.cols();
  }

  /** Outputs c. */
  public int outputs() {
    return output.cols();
  }

  /** f(X) = (X U)_+ A (n x c): two GEMMs. */
  public DenseMatrix predict(DenseMatrix x) {
    DenseMatrix h = new DenseMatrix(x.rows(), width());
    Blas.gemm(false, false, 1.0, x, hidden, 0.0, h);
    double[] hd = h.data();
    for (int k = 0; k < hd.length; k++) {
      hd[k] = Math.max(hd[k], 0.0);
    }
    DenseMatrix f = new DenseMatrix(x.rows(), outputs());
    Blas.gemm(false, false, 1.0, h, output, 0.0, f);
    return f;
  }

  /** ||U||_F^2 + ||A||_F^2. */
  public double squaredNorm() {
    double u = Blas.nrm2(hidden.data().length, hidden.data(), 0);
    double a = Blas.nrm2(output.data().length, output.data(), 0);
    return u * u + a * a;
  }

  /** L(f(X), Y) + beta/2 (||U||_F^2 + ||A||_F^2). */
  public double objective(DenseMatrix x, DenseMatrix y, MultiOutputLoss loss, double beta) {
    return loss.valueAndGradient(predict(x), y, null) + 0.5 * beta * squaredNorm();
  }

  /**
   * The network as weights of {@code problem} (d x P c): neuron j adds u_j alpha_j^T to the
   * block of the pattern equal to 1[X u_j &gt; 0]; a
   * neuron inactive on every row adds nothing. The program's prediction at the point equals
   * f(X) and its objective is at most {@link #objective}.
   *
   * @throws IllegalArgumentException when a neuron's pattern is not among the problem's
   */
  public DenseMatrix convexPoint(MultiOutputProblem problem) {
    int n = problem.n();
    int d = problem.d();
    int c = outputs();
    byte[] own = SignPatterns.computeMask(problem.x(), hidden);
    int[] index = problem.patterns().indexOf(own, width());
    DenseMatrix w = problem.zeroWeights();
    for (int j = 0; j < width(); j++) {
      int i = index[j];
      if (i < 0) {
        if (isZero(own, j * n, n)) {
          continue;
        }
        throw new IllegalArgumentException("the pattern of neuron " + j
            + " is not among the problem's " + problem.patternCount());
      }
      for (int k = 0; k < c; k++) {
        double a = output.get(j, k);
        for (int r = 0; r < d; r++) {
          w.set(r, i * c + k, w.get(r, i * c + k) + hidden.get(r, j) * a);
        }
      }
    }
    return w;
  }

  private static boolean isZero(byte[] mask, int from, int n) {
    for (int r = from; r < from + n; r++) {
      if (mask[r] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The network as CSV: header {@code u1..ud,a1..ac}, one neuron per row, 17 significant
   * digits (exact round trip).
   */
  public String toCsv() {
    int d = hidden.rows();
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < d; k++) {
      sb.append('u').append(k + 1).append(',');
    }
    for (int k = 0; k < outputs(); k++) {
      sb.append('a').append(k + 1).append(k + 1 < outputs() ? "," : "\n");
    }
    for (int j = 0; j < width(); j++) {
      for (int k = 0; k < d; k++) {
        sb.append(String.format(Locale.ROOT, "%.17g,", hidden.get(k, j)));
      }
      for (int k = 0; k < outputs(); k++) {
        sb.append(String.format(Locale.ROOT, "%.17g", output.get(j, k)))
            .append(k + 1 < outputs() ? "," : "\n");
      }
    }
    return sb.toString();
  }
}
