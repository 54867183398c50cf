package io.cvxrelu.patterns;

import static io.cvxrelu.patterns.Vectors.axpy;
import static io.cvxrelu.patterns.Vectors.dot;
import static io.cvxrelu.patterns.Vectors.norm;
import static io.cvxrelu.patterns.Vectors.scaleInPlace;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The search of {@link ArrangementEnumerator} in an essential arrangement of rank r &gt;= 2,
 * given by its unit rows w: every cell is a pointed cone with an extreme ray, the intersection
 * of r-1 independent hyperplanes. It visits the rays spanned by independent (r-1)-subsets of
 * the rows, enumerates the cells of the hyperplanes through each ray in the ray's orthogonal
 * complement (recursively) and steps off the ray into each of them. Rays and cells are
 * deduplicated by the sets of their tied rows and signs.
 */
final class RayWalk {
  /** Distance to a hyperplane, in whitened unit-row coordinates, below which a row is on a ray. */
  private static final double TIE_TOL = 1e-9;
  /** Residual below which r-1 unit rows are taken to be dependent (their ray is ill-defined). */
  private static final double INDEP_TOL = 1e-6;

  private final double[][] w;
  /** w row-major in one array: W v is the O(n) step done O(n^{r-1}) times. */
  private final double[] flat;
  private final int m;
  private final int r;
  private final long maxSubsets;
  private final double[][] prefix;
  private final Set<BitKey> raysSeen = new HashSet<>();
  private final Set<BitKey> cellsSeen = new HashSet<>();
  private final List<double[]> out = new ArrayList<>();

  /** The rows a ray g lies on, |w_j^T g| &lt;= TIE_TOL, and the smallest |w_j^T g| off them. */
  private record Ray(double[] g, double[] dots, int[] tied, int nTied, double minOff) {}

  RayWalk(double[][] w, int r, long maxSubsets) {
    this.w = w;
    this.m = w.length;
    this.r = r;
    this.maxSubsets = maxSubsets;
    this.prefix = new double[r - 1][];
    this.flat = new double[m * r];
    for (int j = 0; j < m; j++) {
      System.arraycopy(w[j], 0, flat, j * r, r);
    }
  }

  /** dst = W v. */
  private double[] times(double[] v) {
    double[] dst = new double[m];
    for (int j = 0, off = 0; j < m; j++, off += r) {
      double sum = 0.0;
      for (int t = 0; t < r; t++) {
        sum += flat[off + t] * v[t];
      }
      dst[j] = sum;
    }
    return dst;
  }

  /** One unit direction per cell, in the order found. */
  List<double[]> run() {
    extend(0, 0);
    return out;
  }

  /** Depth-first over subsets with an incremental orthonormal basis of the chosen rows. */
  private void extend(int depth, int start) {
    if (depth == r - 1) {
      visitRay(nullVector(prefix, r));
      return;
    }
    for (int i = start; i <= m - (r - 1 - depth); i++) {
      double[] v = w[i].clone();
      for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < depth; t++) {
          axpy(-dot(prefix[t], v), prefix[t], v);
        }
      }
      double nrm = norm(v);
      // Every superset of a dependent prefix is dependent too, so the whole branch is pruned.
      if (nrm <= INDEP_TOL) {
        continue;
      }
      scaleInPlace(v, 1.0 / nrm);
      prefix[depth] = v;
      extend(depth + 1, i + 1);
    }
  }

  private void visitRay(double[] g) {
    Ray ray = tiedRows(g);
    // Many subsets span the same ray when hyperplanes are concurrent; its cells are the same.
    if (!raysSeen.add(BitKey.of(ray.tied(), ray.nTied(), m))) {
      return;
    }
    double[][] perp = complementBasis(g);
    int k = r - 1;
    int nTied = ray.nTied();
    double[] local = new double[nTied * k];
    for (int i = 0; i < nTied; i++) {
      double[] wj = w[ray.tied()[i]];
      for (int s = 0; s < k; s++) {
        local[i + s * nTied] = dot(perp[s], wj);
      }
    }
    boolean[] isTied = new boolean[m];
    for (int i = 0; i < nTied; i++) {
      isTied[ray.tied()[i]] = true;
    }
    for (double[] hl : ArrangementEnumerator.cells(local, nTied, k, maxSubsets)) {
      double[] h = new double[r];
      for (int s = 0; s < k; s++) {
        axpy(hl[s], perp[s], h);
      }
      stepOff(ray, h, isTied);
    }
  }

  private Ray tiedRows(double[] g) {
    double[] dots = times(g);
    int[] tied = new int[m];
    int nTied = 0;
    double minOff = Double.POSITIVE_INFINITY;
    for (int j = 0; j < m; j++) {
      double ad = Math.abs(dots[j]);
      if (ad <= TIE_TOL) {
        tied[nTied++] = j;
      } else {
        minOff = Math.min(minOff, ad);
      }
    }
    return new Ray(g, dots, tied, nTied, minOff);
  }

  /**
   * Steps off the ray into the local cell of direction h, on both sides of the ray's line:
   * c = +-g + eps h, adding each cell not seen yet.
   */
  private void stepOff(Ray ray, double[] h, boolean[] isTied) {
    double[] dots = ray.dots();
    double[] wh = times(h);
    double maxOff = 0.0;
    for (int j = 0; j < m; j++) {
      if (!isTied[j]) {
        maxOff = Math.max(maxOff, Math.abs(wh[j]));
      }
    }
    // Half the smallest distance off the ray keeps every hyperplane not through g on g's
    // side; the tied ones take h's side. The largest such step keeps the tied margins wide,
    // but eps is capped at 1: a hyperplane through h but off the ray has w^T h at rounding
    // level, and a huge eps would turn that rounding into the sign.
    double eps = maxOff > 0.0 ? Math.min(1.0, 0.5 * ray.minOff() / maxOff) : 1.0;
    for (int sign = -1; sign <= 1; sign += 2) {
      // w_j^T c = sign w_j^T g + eps w_j^T h, so the cell is known without another pass.
      long[] bits = new long[(m + 63) >>> 6];
      for (int j = 0; j < m; j++) {
        if (sign * dots[j] + eps * wh[j] > 0.0) {
          bits[j >>> 6] |= 1L << (j & 63);
        }
      }
      if (cellsSeen.add(new BitKey(bits))) {
        double[] c = h.clone();
        scaleInPlace(c, eps);
        axpy(sign, ray.g(), c);
        scaleInPlace(c, 1.0 / norm(c));
        out.add(c);
      }
    }
  }

  /** Unit vector orthogonal to the r-1 orthonormal rows of {@code basis} (in R^r). */
  private static double[] nullVector(double[][] basis, int r) {
    // The coordinate axis with the largest residual: residuals squared sum to 1, so the best is
    // at least 1/r and the result is well conditioned.
    int best = 0;
    double bestRes = -1.0;
    for (int p = 0; p < r; p++) {
      double res = 1.0;
      for (double[] b : basis) {
        res -= b[p] * b[p];
      }
      if (res > bestRes) {
        bestRes = res;
        best = p;
      }
    }
    double[] g = new double[r];
    g[best] = 1.0;
    for (int pass = 0; pass < 2; pass++) {
      for (double[] b : basis) {
        axpy(-dot(b, g), b, g);
      }
    }
    scaleInPlace(g, 1.0 / norm(g));
    return g;
  }

  /** Orthonormal basis (r-1 vectors) of the complement of the unit vector g, via Householder. */
  private static double[][] complementBasis(double[] g) {
    int r = g.length;
    int p = 0;
    for (int i = 1; i < r; i++) {
      if (Math.abs(g[i]) > Math.abs(g[p])) {
        p = i;
      }
    }
    // H = I - 2 v v^T / v^T v with v = g + sign(g_p) e_p maps g to a multiple of e_p, so the
    // other columns of the symmetric orthogonal H span g's complement.
    double[] v = g.clone();
    v[p] += Math.copySign(1.0, g[p]);
    double vv = dot(v, v);
    double[][] basis = new double[r - 1][];
    int k = 0;
    for (int i = 0; i < r; i++) {
      if (i == p) {
        continue;
      }
      double[] col = new double[r];
      col[i] = 1.0;
      axpy(-2.0 * v[i] / vv, v, col);
      basis[k++] = col;
    }
    return basis;
  }
}
