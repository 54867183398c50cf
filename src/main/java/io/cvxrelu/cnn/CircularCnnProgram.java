package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.SolverResult;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The linear circular CNN as an l1 problem under the DFT (Pilanci and Ergen 2020, section 5,
 * case 3). With circular patches of a 1-D signal (stride one, full length h = d) the patch
 * matrix C(x) (rows x_k^T, C_{kt} = x_{(k+t) mod d}) equals F^H diag(xhat) F^H for the unitary
 * DFT F and the plain DFT xhat = FFT(x), so &lt;M_i, Z&gt; = sum_k xhat_ik w_k with
 * w = diag(F^H Z F^H), and ||Z||_* &gt;= sum_k |w_k| with equality for the Hankel-circulant
 * Z = F diag(w) F. The nuclear-norm program of {@link LinearCnnProgram} therefore equals
 * <pre>
 *   min over conjugate-symmetric w in C^d of 1/2 sum_i (sum_k xhat_ik w_k - y_i)^2 + beta sum_k |w_k|.
 * </pre>
 * Conjugate symmetry (w_{d-k} = conj w_k, which makes Z real) leaves d real unknowns: w_0, the
 * Nyquist term w_{d/2} when d is even, and for 0 &lt; k &lt; d/2 the pair (a, b) = 2 (Re w_k,
 * Im w_k), whose columns are (Re xhat_k, -Im xhat_k) and whose penalty |w_k| + |w_{d-k}| is
 * ||(a, b)||_2. So it is a group lasso with groups of one and two real coordinates, solved by
 * {@link ProximalGradientSolver}. The DFT is JTransforms' real FFT.
 */
public final class CircularCnnProgram {
  private CircularCnnProgram() {}

  /** The program for 1-D signals X (n x d). */
  public static NormRegularizedLeastSquares of(DenseMatrix x, double[] y, double beta) {
    return new NormRegularizedLeastSquares(spectralDesign(x), y, beta, norm(x.cols()));
  }

  /** beta_max = max_k |sum_i y_i xhat_ik| (in the grouped coordinates). */
  public static double betaMax(DenseMatrix x, double[] y) {
    return NormRegularizedLeastSquares.betaMax(spectralDesign(x), y, norm(x.cols()));
  }

  /** Groups: {0}, then a pair per frequency 0 &lt; k &lt; d/2, then {d/2} when d is even. */
  static GroupNorm norm(int d) {
    int pairs = (d - 1) / 2;
    int[] starts = new int[1 + pairs + (d % 2 == 0 ? 1 : 0) + 1];
    int g = 0;
    starts[g++] = 0;
    for (int k = 1; k <= pairs; k++) {
      starts[g++] = 2 * k - 1;
    }
    if (d % 2 == 0 && d > 1) {
      starts[g++] = d - 1;
    }
    starts[g] = d;
    return new GroupNorm(java.util.Arrays.copyOf(starts, g + 1));
  }

  /**
   * The n x d real design: column 0 Re xhat_0, columns (2k-1, 2k) (Re xhat_k, -Im xhat_k) for
   * 0 &lt; k &lt; d/2, column d-1 Re xhat_{d/2} when d is even.
   */
  static DenseMatrix spectralDesign(DenseMatrix x) {
    int n = x.rows();
    int d = x.cols();
    if (d < 1) {
      throw new IllegalArgumentException("signals must have at least one sample");
    }
    DoubleFFT_1D fft = new DoubleFFT_1D(d);
    DenseMatrix a = new DenseMatrix(n, d);
    double[] buf = new double[2 * d];
    int pairs = (d - 1) / 2;
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(buf, 0.0);
      for (int t = 0; t < d; t++) {
        buf[t] = x.get(i, t);
      }
      fft.realForwardFull(buf);
      a.set(i, 0, buf[0]);
      for (int k = 1; k <= pairs; k++) {
        a.set(i, 2 * k - 1, buf[2 * k]);
        a.set(i, 2 * k, -buf[2 * k + 1]);
      }
      if (d % 2 == 0 && d > 1) {
        a.set(i, d - 1, buf[d]);
      }
    }
    return a;
  }

  /** The full conjugate-symmetric spectrum w, interleaved (Re w_0, Im w_0, Re w_1, ...). */
  public static double[] spectrum(double[] v) {
    int d = v.length;
    double[] w = new double[2 * d];
    w[0] = v[0];
    for (int k = 1; k <= (d - 1) / 2; k++) {
      double re = 0.5 * v[2 * k - 1];
      double im = 0.5 * v[2 * k];
      w[2 * k] = re;
      w[2 * k + 1] = im;
      w[2 * (d - k)] = re;
      w[2 * (d - k) + 1] = -im;
    }
    if (d % 2 == 0 && d > 1) {
      w[d] = v[d - 1];
    }
    return w;
  }

  /**
   * Z = F diag(w) F in the time domain: Z_{st} = g_{(s+t) mod d} with g = FFT(w) / d (real, by
   * conjugate symmetry), the d x d product of filters and output weights of the circular CNN.
   */
  public static DenseMatrix product(SolverResult result) {
    double[] v = result.weights().data();
    int d = v.length;
    double[] w = spectrum(v);
    new DoubleFFT_1D(d).complexForward(w);
    DenseMatrix z = new DenseMatrix(d, d);
    for (int s = 0; s < d; s++) {
      for (int t = 0; t < d; t++) {
        z.set(s, t, w[2 * ((s + t) % d)] / d);
      }
    }
    return z;
  }

  /** The circular CNN read off a solution: d filters of length d at most. */
  public static LinearCnn recover(SolverResult result) {
    int d = result.weights().rows();
    return LinearCnn.fromProduct(product(result), PatchGeometry.circularShifts(d));
  }
}
