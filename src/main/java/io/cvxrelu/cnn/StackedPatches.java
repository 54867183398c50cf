package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;

/**
 * The patches of n examples stacked into one nK x h matrix S = [X_1; ...; X_K] (row k n + r is
 * patch k of example r), and the sign patterns of a CNN with shared filters sampled on it
 * (Ergen and Pilanci, "Implicit convex regularizers of CNN architectures", ICLR 2021, section
 * on global average pooling): a gate g in R^h gives, for every patch k at once, the pattern
 * D^k = diag(1[X_k g &gt; 0]), i.e. one column of the nK x P mask of S. Patterns are told apart
 * on the whole stack, so their number is polynomial in n K for a fixed h.
 *
 * <p>With K = 1 the stack is X itself and the patterns are those
 * {@link SignPatterns#sample} draws for the fully connected program with the same seed.
 *
 * @param stacked S, nK x h, patch-major rows
 * @param examples n
 * @param patches K
 */
public record StackedPatches(DenseMatrix stacked, int examples, int patches) {

  /** Gates drawn per requested pattern before giving up on new ones. */
  static final int DRAWS_PER_PATTERN = 100;

  /** The stack of the rows of {@code x} cut by {@code geometry}. */
  public static StackedPatches of(DenseMatrix x, PatchGeometry geometry) {
    DenseMatrix a = geometry.patchRows(x);
    int n = x.rows();
    int h = geometry.patchSize();
    int kk = geometry.patchCount();
    DenseMatrix s = new DenseMatrix(n * kk, h);
    for (int k = 0; k < kk; k++) {
      for (int t = 0; t < h; t++) {
        // Column t of X_k is column t + k h of the patch rows: whole-column copies.
        System.arraycopy(a.data(), (t + k * h) * n, s.data(), t * n * kk + k * n, n);
      }
    }
    return new StackedPatches(s, n, kk);
  }

  /** h, the filter length. */
  public int patchSize() {
    return stacked.cols();
  }

  /** P distinct non-zero patterns of Gaussian gates (seeded), found on the whole stack. */
  public SignPatterns samplePatterns(int count, long seed) {
    return SignPatterns.sample(stacked, count, seed, samplingBudget(count));
  }

  /**
   * Gates drawn at most for {@code count} patterns: the budget of {@link #samplePatterns}, which
   * a sampler over distributed stacks uses too, so both keep the same gates.
   */
  public static int samplingBudget(int count) {
    return (int) Math.min(Integer.MAX_VALUE, (long) DRAWS_PER_PATTERN * count);
  }

  /**
   * Every pattern of the stack: one gate inside each cell of the arrangement of its nK rows
   * ({@link io.cvxrelu.patterns.ArrangementEnumerator}), at most 2 nK of them for h = 2. With
   * them the pooled programs are exact, not sampled, reformulations.
   *
   * @param maxSubsets the enumeration's budget (see the enumerator)
   * @throws IllegalArgumentException "exact enumeration infeasible" over the budget
   */
  public SignPatterns enumeratePatterns(long maxSubsets) {
    return io.cvxrelu.patterns.ArrangementEnumerator.enumerate(stacked, maxSubsets);
  }

  /**
   * The n x hP matrix [A_1 ... A_P] with A_i = sum_k D_i^k X_k: the only data the gated
   * pooled program needs. The nK x hP matrices D_i^k X_k are never formed; each A_i is summed
   * patch by patch with the mask as a 0/1 factor (a multiply, not an unpredictable branch).
   */
  public DenseMatrix pooledDesign(SignPatterns patterns) {
    return pooledDesign(patterns.mask(), patterns.count());
  }

  /** {@link #pooledDesign(SignPatterns)} for an nK x P column-major 0/1 mask of the stack. */
  public DenseMatrix pooledDesign(byte[] mask, int p) {
    int n = examples;
    int h = patchSize();
    int rows = n * patches;
    double[] src = stacked.data();
    DenseMatrix a = new DenseMatrix(n, h * p);
    double[] dst = a.data();
    double[] m = new double[rows];
    for (int i = 0; i < p; i++) {
      for (int q = 0; q < rows; q++) {
        m[q] = mask[i * rows + q];
      }
      for (int t = 0; t < h; t++) {
        int out = (i * h + t) * n;
        int col = t * rows;
        for (int k = 0; k < patches; k++) {
          int off = k * n;
          for (int r = 0; r < n; r++) {
            dst[out + r] += m[off + r] * src[col + off + r];
          }
        }
      }
    }
    return a;
  }

  /**
   * beta_max = max_i ||A_i^T y|| = max_i ||S^T (D_i lift(y))||, one GEMM over the stack: at and
   * above it the zero network is optimal for the gated and the ReLU pooled programs.
   */
  public double betaMax(SignPatterns patterns, double[] y) {
    int rows = examples * patches;
    int p = patterns.count();
    byte[] mask = patterns.mask();
    double[] lifted = lift(y);
    DenseMatrix r = new DenseMatrix(rows, p);
    for (int q = 0; q < mask.length; q++) {
      r.data()[q] = mask[q] * lifted[q % rows];
    }
    DenseMatrix c = new DenseMatrix(patchSize(), p);
    io.cvxrelu.linalg.Blas.gemm(true, false, 1.0, stacked, r, 0.0, c);
    double best = 0.0;
    for (int i = 0; i < p; i++) {
      best = Math.max(best, c.columnNorm(i));
    }
    return best;
  }

  /** The n-vector sum_k v[k n + r] of an nK-vector (global sum pooling over the patches). */
  public double[] pool(double[] v) {
    double[] out = new double[examples];
    for (int k = 0; k < patches; k++) {
      for (int r = 0; r < examples; r++) {
        out[r] += v[k * examples + r];
      }
    }
    return out;
  }

  /** The nK-vector that repeats an n-vector for every patch (the adjoint of {@link #pool}). */
  public double[] lift(double[] v) {
    double[] out = new double[examples * patches];
    for (int k = 0; k < patches; k++) {
      System.arraycopy(v, 0, out, k * examples, examples);
    }
    return out;
  }
}
