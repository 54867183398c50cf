package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import java.io.Serializable;

/**
 * The sufficient statistics of the gated program with the squared loss (Pilanci and Ergen
 * 2020, eq. (8) without the cone constraints; Mishkin, Sahiner and Pilanci 2022, eq. (4)):
 * with A = [D_1 X, ..., D_P X] (n x P d) and u = vec(U) the stacked weights,
 * <pre>
 *   phi(U) = 1/2 ||A u - y||^2 = 1/2 u^T G u - c^T u + 1/2 y^T y,
 *   grad phi(U) = G u - c,     G = A^T A,  c = A^T y,
 * </pre>
 * so after one pass over the row blocks for G (P d x P d), c and y^T y the driver evaluates
 * phi and its gradient without touching the data, as Spark ML's normal-equation solver does
 * for least squares ({@code WeightedLeastSquares}). The pass forms, per tile of
 * {@link #TILE_ROWS} rows, the tile of A (never A itself) and adds its A_t^T A_t by dsyrk.
 *
 * <p>It pays when P d is moderate: the pass costs n (P d)^2 flops, a FISTA pass 4 n P d, so the
 * statistics cost about P d / 4 passes, and every step after them costs 2 (P d)^2 flops on the
 * driver instead of a pass. The driver holds G, 8 (P d)^2 bytes (8 MB at P d = 1,024,
 * {@link #MAX_DIMENSION}); each task holds one G while it sums its blocks.
 */
final class GramStatistics implements DistributedFista.Smooth, Serializable {
  private static final long serialVersionUID = 1L;
  /** Spark setting that keeps the gated solve on the row blocks ("false"). */
  static final String SETTING = "spark.cvxrelu.gramStatistics";
  /** Largest P d for which the statistics are used (8 MB for G). */
  static final int MAX_DIMENSION = 1024;
  /** Rows of A formed at a time. */
  static final int TILE_ROWS = 256;

  private final int d;
  private final int patterns;
  /**
   * G = A^T A, P d x P d (the upper triangle while summing, then symmetric); allocated on the
   * first block, so that the zero shipped in the task closure stays small.
   */
  private DenseMatrix gram;
  /** c = A^T y, P d. */
  private final double[] aty;
  private double yy;
  /** The last point evaluated (null before the first), phi and grad phi there. */
  private DenseMatrix anchor;
  private DenseMatrix anchorGradient;
  private double anchorPhi;

  private GramStatistics(int d, int patterns) {
    this.d = d;
    this.patterns = patterns;
    this.aty = new double[d * patterns];
  }

  /**
   * Whether {@code problem} is the gated squared-loss program with P d at most
   * {@link #MAX_DIMENSION}.
   */
  static boolean supports(DistributedProblem problem) {
    return problem.formulation() == Formulation.GATED && problem.loss() instanceof SquaredLoss
        && (long) problem.d() * problem.patternCount() <= MAX_DIMENSION;
  }

  /** G, c and y^T y summed over the row blocks in one pass (in partition order). */
  static GramStatistics of(DistributedProblem problem) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("the Gram statistics need the gated squared loss with"
          + " P d <= " + MAX_DIMENSION);
    }
    int d = problem.d();
    int p = problem.patternCount();
    problem.context().setJobDescription("cvxrelu: Gram statistics (one pass)");
    GramStatistics s = OrderedAggregate.aggregate(problem.data().blocks(),
        new GramStatistics(d, p), GramStatistics::add, GramStatistics::merge);
    if (s.gram == null) {
      s.gram = new DenseMatrix(d * p, d * p);
    }
    s.symmetrise();
    return s;
  }

  /** Adds a block's rows, a tile of A at a time. */
  GramStatistics add(RowBlock blk) {
    int n = blk.rows();
    int m = d * patterns;
    double[] x = blk.x().data();
    byte[] mask = blk.mask();
    double[] y = blk.y();
    int t = Math.min(TILE_ROWS, n);
    double[] tile = new double[t * m];
    if (gram == null) {
      gram = new DenseMatrix(m, m);
    }
    double[] g = gram.data();
    for (int r0 = 0; r0 < n; r0 += t) {
      int len = Math.min(t, n - r0);
      // Column i d + j of the tile is m_i .* X[:, j] over the tile's rows.
      for (int i = 0; i < patterns; i++) {
        int mo = i * n + r0;
        for (int j = 0; j < d; j++) {
          int xo = j * n + r0;
          int to = (i * d + j) * t;
          double dot = 0.0;
          for (int r = 0; r < len; r++) {
            double v = mask[mo + r] * x[xo + r];
            tile[to + r] = v;
            dot += v * y[r0 + r];
          }
          aty[i * d + j] += dot;
        }
      }
      Blas.syrkUpperTransposed(m, len, 1.0, tile, t, 1.0, g, m);
      for (int r = 0; r < len; r++) {
        yy += y[r0 + r] * y[r0 + r];
      }
    }
    return this;
  }

  GramStatistics merge(GramStatistics o) {
    if (gram == null) {
      gram = o.gram;
    } else if (o.gram != null) {
      OrderedAggregate.addInto(gram, o.gram);
    }
    OrderedAggregate.addInto(aty, o.aty);
    yy += o.yy;
    return this;
  }

  /** Copies the upper triangle into the lower. */
  private void symmetrise() {
    int m = gram.rows();
    double[] g = gram.data();
    for (int j = 0; j < m; j++) {
      for (int i = j + 1; i < m; i++) {
        g[i + j * m] = g[j + i * m];
      }
    }
  }

  /** G u for the d x P weights U (u = vec(U), column-major), as a d x P matrix. */
  DenseMatrix normal(DenseMatrix u) {
    int m = d * patterns;
    DenseMatrix out = new DenseMatrix(d, patterns);
    Blas.gemm(false, false, m, 1, m, 1.0, gram.data(), 0, m, u.data(), 0, m, 0.0, out.data(), 0,
        m);
    return out;
  }

  /**
   * phi at U from the anchor: phi(U) = phi(U0) + &lt;grad phi(U0), D&gt; + 1/2 D^T G D with
   * D = U - U0. Evaluated as 1/2 u^T G u - c^T u + 1/2 y^T y, phi would lose to cancellation
   * about 1e-16 y^T y, which near the optimum exceeds the decrease backtracking has to see
   * (FISTA then stalls); from a nearby anchor the error is about 1e-16 phi.
   */
  private double phiFromAnchor(DenseMatrix u) {
    double[] ud = u.data();
    double[] a = anchor.data();
    DenseMatrix delta = new DenseMatrix(d, patterns);
    double[] dd = delta.data();
    for (int k = 0; k < dd.length; k++) {
      dd[k] = ud[k] - a[k];
    }
    double[] gd = normal(delta).data();
    double[] g0 = anchorGradient.data();
    double linear = 0.0;
    double quadratic = 0.0;
    for (int k = 0; k < dd.length; k++) {
      linear += g0[k] * dd[k];
      quadratic += dd[k] * gd[k];
    }
    return anchorPhi + linear + 0.5 * quadratic;
  }

  /** grad phi(U) = G u - c, fresh (no drift from step to step). */
  private DenseMatrix gradient(DenseMatrix u) {
    DenseMatrix grad = normal(u);
    double[] gd = grad.data();
    for (int k = 0; k < gd.length; k++) {
      gd[k] -= aty[k];
    }
    return grad;
  }

  /**
   * phi at the candidate (if given) and phi and grad phi at the point, on the driver; the
   * point becomes the anchor of the next evaluation.
   */
  @Override
  public DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point) {
    if (anchor == null) {
      // U0 = 0: phi(0) = 1/2 y^T y and grad phi(0) = -c, exactly.
      anchor = new DenseMatrix(d, patterns);
      anchorGradient = new DenseMatrix(d, patterns);
      double[] g0 = anchorGradient.data();
      for (int k = 0; k < g0.length; k++) {
        g0[k] = -aty[k];
      }
      anchorPhi = 0.5 * yy;
    }
    double atCandidate = candidate == null ? Double.NaN : phiFromAnchor(candidate);
    double atPoint = phiFromAnchor(point);
    DenseMatrix grad = gradient(point);
    anchor = point.copy();
    anchorGradient = grad.copy();
    anchorPhi = atPoint;
    return new DistributedProblem.Evaluation(atCandidate, atPoint, grad);
  }
}
