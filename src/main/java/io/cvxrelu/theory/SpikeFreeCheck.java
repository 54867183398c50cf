package io.cvxrelu.theory;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Whether data X (n x d) are spike-free (Ergen and Pilanci, "Convex geometry of two-layer ReLU
 * networks", section 2.3): {(X u)_+ : ||u|| &lt;= 1} = X B_2 ∩ R^n_+. For such data the ReLU
 * constraint relaxes exactly: every ReLU neuron's output is the output X u' of a linear unit
 * with X u' &gt;= 0 and ||u'|| &lt;= ||u||, so the all-pattern convex program equals the two-block
 * program min L(X (w_+ - w_-), y) + beta (||w_+|| + ||w_-||) s.t. X w_+ &gt;= 0, X w_- &gt;= 0.
 * The inclusion "⊇" always holds (z = X u &gt;= 0 gives (X u)_+ = z), so spike-free means: for
 * every u, (X u)_+ lies in the range of X and its minimum-norm preimage u' = X^+ (X u)_+ has
 * ||u'|| &lt;= ||u||.
 *
 * <h2>Exact verdict when rank X = n</h2>
 * <b>Theorem.</b> If rank X = n, X is spike-free if and only if K = (X X^T)^{-1} has no
 * positive off-diagonal entry.
 *
 * <p><b>Proof.</b> X maps onto R^n, and the smallest ||u|| with X u = z is
 * ||X^+ z||^2 = z^T K z, so X B_2 is the ellipsoid E = {z : z^T K z &lt;= 1}, and spike-free
 * means z_+ ∈ E for every z ∈ E. The condition is homogeneous of degree 2 in z, so it reads
 * z_+^T K z_+ &lt;= z^T K z for all z. Write z = p - q with p = z_+, q = z_- (non-negative,
 * disjoint supports). Then z^T K z = p^T K p - 2 p^T K q + q^T K q and the condition becomes
 * 2 p^T K q &lt;= q^T K q for all non-negative p, q with disjoint supports. (If) With disjoint
 * supports p^T K q = sum_{i != j} p_i K_ij q_j &lt;= 0 when every K_ij &lt;= 0 (i != j), and
 * q^T K q &gt;= 0 because K is positive definite. (Only if) If K_ij &gt; 0 for some i != j, take
 * q = e_j and p = t e_i: the condition 2 t K_ij &lt;= K_jj fails for t &gt; K_jj / (2 K_ij).
 * With t = K_jj / K_ij, z = t e_i - e_j and u = X^+ z / ||X^+ z|| is an explicit witness:
 * ||X^+ (X u)_+||^2 = t^2 K_ii / (t^2 K_ii - K_jj) &gt; 1 = ||u||^2. ∎
 *
 * <p>Numerically K is formed from the SVD, K = U S^{-2} U^T, and its entries are compared on
 * the scale-free form K_ij / sqrt(K_ii K_jj) against {@link #EXACT_TOLERANCE}: data whose
 * largest such entry is within the tolerance of zero sit on the boundary and are reported
 * spike-free. Consequences: whitened data (X X^T = I) are spike-free; so is any X with
 * X X^T = diagonal. Gaussian data with n &gt;= 5 almost never are (K of n &gt;= 5 random rows
 * has positive off-diagonal entries).
 *
 * <h2>Otherwise: a randomised falsifier</h2>
 * When rank X &lt; n (in particular n &gt; d) the check draws unit directions u (Gaussian, and the
 * normalised rows of X) and flags one whose (X u)_+ leaves the range of X (relative residual
 * above {@link #FALSIFIER_TOLERANCE}) or whose minimum-norm preimage is longer than u. A flag
 * is a proof (the direction is reported); no flag proves nothing, and the verdict is then
 * "not shown spike-free", never "spike-free". Rank-one data X = c a^T with c &gt;= 0 are
 * spike-free ((X u)_+ = c (a^T u)_+ = X (u_a) with u_a the part of u along a, clipped), so the
 * falsifier never flags them.
 */
public final class SpikeFreeCheck {
  /** Largest normalised off-diagonal entry of (X X^T)^{-1} still counted as zero. */
  public static final double EXACT_TOLERANCE = 1e-9;
  /** Relative range residual or norm excess below which a direction is not a counterexample. */
  public static final double FALSIFIER_TOLERANCE = 1e-8;
  /** Directions per GEMM batch of the falsifier. */
  private static final int BATCH = 256;

  private SpikeFreeCheck() {}

  /** The outcome of a check. */
  public enum Outcome {
    /** Proven spike-free (only by the exact test, rank X = n). */
    SPIKE_FREE,
    /** Proven not spike-free: a witness direction is attached. */
    NOT_SPIKE_FREE,
    /** The falsifier found no counterexample; nothing is proven. */
    NOT_SHOWN_SPIKE_FREE;

    /** Words for reports. */
    public String words() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * A verdict with its evidence.
   *
   * @param outcome what was shown
   * @param exact whether the exact test (rank X = n) decided
   * @param n rows
   * @param d columns
   * @param rank numerical rank of X
   * @param statistic exact test: the largest K_ij / sqrt(K_ii K_jj), i != j; falsifier: the
   *     largest violation seen (range residual / ||(X u)_+|| or ||u'|| / ||u|| - 1)
   * @param directions directions tried by the falsifier (0 for the exact test)
   * @param witness a unit u whose (X u)_+ is not in X B_2 (null when none)
   * @param evidence one line a person can check
   */
  public record Verdict(Outcome outcome, boolean exact, int n, int d, int rank, double statistic,
      long directions, double[] witness, String evidence) {}

  /**
   * The exact test when rank X = n, the falsifier with {@code directions} random directions
   * (seeded) otherwise.
   */
  public static Verdict check(DenseMatrix x, int directions, long seed) {
    ThinSvd svd = ThinSvd.of(x);
    return svd.rank() == x.rows() ? exact(x, svd) : falsify(x, svd, directions, seed);
  }

  /**
   * The exact test.
   *
   * @throws IllegalArgumentException when rank X &lt; n (the test does not apply)
   */
  public static Verdict exact(DenseMatrix x) {
    return exact(x, ThinSvd.of(x));
  }

  private static Verdict exact(DenseMatrix x, ThinSvd svd) {
    int n = x.rows();
    if (svd.rank() < n) {
      throw new IllegalArgumentException("the exact spike-free test needs rank X = n, but X has "
          + n + " rows and rank " + svd.rank());
    }
    // K = W W^T with W = U S^{-1} (n x n).
    DenseMatrix w = svd.u().columns(0, n);
    for (int j = 0; j < n; j++) {
      scaleColumn(w, j, 1.0 / svd.s()[j]);
    }
    DenseMatrix k = new DenseMatrix(n, n);
    Blas.gemm(false, true, 1.0, w, w, 0.0, k);
    double worst = Double.NEGATIVE_INFINITY;
    int wi = -1;
    int wj = -1;
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < n; i++) {
        if (i != j) {
          double c = k.get(i, j) / Math.sqrt(k.get(i, i) * k.get(j, j));
          if (c > worst) {
            worst = c;
            wi = i;
            wj = j;
          }
        }
      }
    }
    if (n < 2 || worst <= EXACT_TOLERANCE) {
      String ev = n < 2 ? "one row: (X X^T)^{-1} has no off-diagonal entry"
          : String.format(Locale.ROOT, "rank X = n = %d and the largest off-diagonal entry of "
              + "(X X^T)^{-1}, normalised by sqrt(K_ii K_jj), is %.3g <= %.0e", n, worst,
              EXACT_TOLERANCE);
      return new Verdict(Outcome.SPIKE_FREE, true, n, x.cols(), n, n < 2 ? 0.0 : worst, 0, null,
          ev);
    }
    double t = k.get(wj, wj) / k.get(wi, wj);
    double[] z = new double[n];
    z[wi] = t;
    z[wj] = -1.0;
    double[] u = pseudoInverseApply(svd, z);
    normalise(u);
    double ratio = preimageRatio(x, svd, u);
    String ev = String.format(Locale.ROOT, "rank X = n = %d and (X X^T)^{-1} has the positive "
        + "off-diagonal entry (%d, %d), normalised %.3g; witness u = X^+ (t e_%d - e_%d) / ||.||"
        + " (t = %.3g) gives ||X^+ (X u)_+|| = %.6f > 1 = ||u||", n, wi, wj, worst, wi, wj, t,
        ratio);
    return new Verdict(Outcome.NOT_SPIKE_FREE, true, n, x.cols(), n, worst, 0, u, ev);
  }

  private static void scaleColumn(DenseMatrix m, int j, double f) {
    int r = m.rows();
    for (int i = 0; i < r; i++) {
      m.data()[i + j * r] *= f;
    }
  }
  /**
   * The randomised falsifier: unit directions u (the normalised rows of X first, then Gaussian
   * draws, {@code directions} in all), flagging the first whose (X u)_+ leaves the range of X or
   * whose minimum-norm preimage is longer than u. Never returns {@link Outcome#SPIKE_FREE}.
   */
  public static Verdict falsify(DenseMatrix x, int directions, long seed) {
    return falsify(x, ThinSvd.of(x), directions, seed);
  }

  private static Verdict falsify(DenseMatrix x, ThinSvd svd, int directions, long seed) {
    if (directions < 1) {
      throw new IllegalArgumentException("the falsifier needs at least one direction");
    }
    int n = x.rows();
    int d = x.cols();
    int r = svd.rank();
    DenseMatrix basis = svd.rangeBasis();
    SplittableRandom rng = new SplittableRandom(seed);
    double worst = 0.0;
    long tried = 0;
    while (tried < directions) {
      int b = (int) Math.min(BATCH, directions - tried);
      DenseMatrix dirs = directions(x, tried, b, rng);
      DenseMatrix z = new DenseMatrix(n, b);
      Blas.gemm(false, false, 1.0, x, dirs, 0.0, z);
      double[] zd = z.data();
      for (int k = 0; k < zd.length; k++) {
        zd[k] = Math.max(zd[k], 0.0);
      }
      // Coefficients in the range basis, and the residual off the range (formed, not taken as
      // a difference of squared norms, which would cancel below 1e-8).
      DenseMatrix c = new DenseMatrix(r, b);
      Blas.gemm(true, false, 1.0, basis, z, 0.0, c);
      DenseMatrix resid = z.copy();
      Blas.gemm(false, false, -1.0, basis, c, 1.0, resid);
      for (int j = 0; j < b; j++) {
        double zn = z.columnNorm(j);
        double rel = zn > 0.0 ? resid.columnNorm(j) / zn : 0.0;
        double pre = 0.0;
        for (int k = 0; k < r; k++) {
          double v = c.get(k, j) / svd.s()[k];
          pre += v * v;
        }
        double excess = Math.sqrt(pre) - 1.0;
        worst = Math.max(worst, Math.max(rel, excess));
        if (rel > FALSIFIER_TOLERANCE || excess > FALSIFIER_TOLERANCE) {
          double[] u = dirs.column(j);
          String why = rel > FALSIFIER_TOLERANCE
              ? String.format(Locale.ROOT, "(X u)_+ lies at relative distance %.3g from the "
                  + "range of X", rel)
              : String.format(Locale.ROOT, "the minimum-norm preimage of (X u)_+ has norm "
                  + "%.6f > 1 = ||u||", 1.0 + excess);
          String ev = String.format(Locale.ROOT, "rank X = %d < n = %d; randomised falsifier: "
              + "direction %d of %d: %s", r, n, tried + j + 1, directions, why);
          return new Verdict(Outcome.NOT_SPIKE_FREE, false, n, d, r, Math.max(rel, excess),
              tried + j + 1, u, ev);
        }
      }
      tried += b;
    }
    String ev = String.format(Locale.ROOT, "rank X = %d < n = %d, so no exact test; randomised "
        + "falsifier: no counterexample in %d directions (largest violation %.2g <= %.0e); this"
        + " proves nothing", r, n, tried, worst, FALSIFIER_TOLERANCE);
    return new Verdict(Outcome.NOT_SHOWN_SPIKE_FREE, false, n, d, r, worst, tried, null, ev);
  }

  /**
   * Unit directions number {@code first .. first + b - 1}: the normalised rows of X (non-zero
   * ones), then standard Gaussian draws, as the columns of a d x b matrix.
   */
  private static DenseMatrix directions(DenseMatrix x, long first, int b, SplittableRandom rng) {
    int d = x.cols();
    DenseMatrix dirs = new DenseMatrix(d, b);
    double[] dd = dirs.data();
    for (int j = 0; j < b; j++) {
      long index = first + j;
      double[] row = index < x.rows() ? x.row((int) index) : null;
      if (row != null && Blas.nrm2(d, row, 0) > 0.0) {
        System.arraycopy(row, 0, dd, j * d, d);
      } else {
        for (int k = 0; k < d; k++) {
          dd[j * d + k] = rng.nextGaussian();
        }
      }
      double norm = Blas.nrm2(d, dd, j * d);
      for (int k = 0; k < d; k++) {
        dd[j * d + k] /= norm;
      }
    }
    return dirs;
  }

  /** X^+ z = V_r S_r^{-1} U_r^T z. */
  static double[] pseudoInverseApply(ThinSvd svd, double[] z) {
    int n = svd.u().rows();
    int d = svd.vt().cols();
    int kk = svd.s().length;
    double[] out = new double[d];
    for (int k = 0; k < svd.rank(); k++) {
      double coef = 0.0;
      for (int i = 0; i < n; i++) {
        coef += svd.u().get(i, k) * z[i];
      }
      coef /= svd.s()[k];
      for (int j = 0; j < d; j++) {
        out[j] += coef * svd.vt().data()[k + j * kk];
      }
    }
    return out;
  }

  /** ||X^+ (X u)_+|| / ||u||. */
  static double preimageRatio(DenseMatrix x, ThinSvd svd, double[] u) {
    double[] z = new double[x.rows()];
    for (int i = 0; i < z.length; i++) {
      double v = 0.0;
      for (int k = 0; k < u.length; k++) {
        v += x.get(i, k) * u[k];
      }
      z[i] = Math.max(v, 0.0);
    }
    double[] pre = pseudoInverseApply(svd, z);
    return Blas.nrm2(pre.length, pre, 0) / Blas.nrm2(u.length, u, 0);
  }

  private static void normalise(double[] u) {
    double norm = Blas.nrm2(u.length, u, 0);
    for (int k = 0; k < u.length; k++) {
      u[k] /= norm;
    }
  }
}
