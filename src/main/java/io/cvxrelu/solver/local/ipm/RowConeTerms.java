package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.io.Serializable;

/**
 * The rows' side of {@link PathFollowing} for one block of rows, recomputed from the slacks s
 * and multipliers z alone. {@link RowCones} keeps the residual r_z = s - K b, the
 * Nesterov-Todd scaling (w = sqrt(s / z), lambda = sqrt(s z), phi = z / s) and both directions'
 * ds, dz, e and q of every cone row: 36 P doubles per row, which is what a step needs when the
 * rows sit in one array. A cluster cannot afford that at 10^6 rows (32 GB at P = 100), so a row
 * block here keeps only s and z ({@link State}, 4 P doubles per row) and every pass recomputes
 * what it needs from them and from the iteration's {@link Trajectory} (b, the predictor's dx,
 * sigma, mu and the corrector's dx, d x 2P matrices that travel with the task): one GEMM
 * X [b dx_a dx_c] and elementwise work per pass, far cheaper than reading 36 P stored doubles
 * per row. The formulas are those {@link RowCones} applies (Vandenberghe 2010, eq. (37)-(39),
 * with the Mehrotra corrector of section 5), simplified so that no square root is taken:
 * <pre>
 *   r_z = s - K b,   q_a = phi r_z - lambda / w = phi r_z - z,
 *   ds = K dx - r_z,   dz = -phi K dx + q,
 *   q_c = phi r_z + e_c / w = phi r_z + (sigma mu - s z - ds_a dz_a) / s.
 * </pre>
 * Spark-free: {@code solver.distributed.DistributedConeRows} calls it on each block.
 */
public final class RowConeTerms {
  private final int given;
  private final int[] rows;
  private final int n;
  private final int d;
  private final int p;
  private final int m;
  private final DenseMatrix x;
  private final double[] y;
  private final double[] mask;
  private final double[] sign;
  /** sum of y^2 over the block's zero rows of X (dropped; their residual is -y). */
  private final double droppedLabelsSquared;

  /**
   * One block's slacks s and multipliers z of its kept rows (n_kept x 2P, column-major), the
   * kept rows as indices into the block, the block's row count and the cone count 2P.
   */
  public record State(int[] rows, int given, int cones, double[] s, double[] z)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Cone multipliers on all the block's rows (zero rows of X get 0), n_b x 2P. */
    public DenseMatrix multipliers() {
      DenseMatrix mu = new DenseMatrix(given, cones);
      for (int j = 0; j < cones; j++) {
        for (int k = 0; k < rows.length; k++) {
          mu.data()[j * given + rows[k]] = z[j * rows.length + k];
        }
      }
      return mu;
    }
  }

  /**
   * One iteration's path so far: the blocks b (d x 2P), the predictor's dx, sigma and mu, the
   * corrector's dx and its step (null and NaN until known).
   */
  public record Trajectory(DenseMatrix b, DenseMatrix dxAffine, double sigma, double mu,
      DenseMatrix dxCombined, double alpha) implements Serializable {
    private static final long serialVersionUID = 1L;

    public static Trajectory at(DenseMatrix b) {
      return new Trajectory(b, null, Double.NaN, Double.NaN, null, Double.NaN);
    }

    public Trajectory withAffine(DenseMatrix dx) {
      return new Trajectory(b, dx, Double.NaN, Double.NaN, null, Double.NaN);
    }

    public Trajectory withCentering(double sigmaC, double muC) {
      return new Trajectory(b, dxAffine, sigmaC, muC, null, Double.NaN);
    }

    public Trajectory withCombined(DenseMatrix dx) {
      return new Trajectory(b, dxAffine, sigma, mu, dx, Double.NaN);
    }

    public Trajectory withStep(double a) {
      return new Trajectory(b, dxAffine, sigma, mu, dxCombined, a);
    }
  }

  /**
   * @param full the block's rows of X (n_b x d)
   * @param labels their labels
   * @param masks n_b x P column-major 0/1 masks
   * @param p P
   * @param kept the rows kept ({@link #keptRows})
   */
  public RowConeTerms(DenseMatrix full, double[] labels, byte[] masks, int p, int[] kept) {
    this.given = full.rows();
    this.rows = kept;
    this.n = kept.length;
    this.d = full.cols();
    this.p = p;
    this.m = 2 * p;
    boolean all = n == given;
    this.x = all ? full : new DenseMatrix(n, d);
    if (!all) {
      for (int c = 0; c < d; c++) {
        for (int k = 0; k < n; k++) {
          x.data()[c * n + k] = full.data()[c * given + kept[k]];
        }
      }
    }
    this.y = new double[n];
    this.mask = new double[n * p];
    this.sign = new double[n * p];
    for (int k = 0; k < n; k++) {
      y[k] = labels[kept[k]];
    }
    this.droppedLabelsSquared = droppedLabelsSquared(labels, kept);
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < n; k++) {
        mask[i * n + k] = masks[i * given + kept[k]];
        sign[i * n + k] = 2.0 * mask[i * n + k] - 1.0;
      }
    }
  }

  /**
   * The rows of X that are not zero: a zero row predicts 0 whatever the weights and gives the
   * cone row 0 &gt;= 0, which has no interior, so it is dropped (see {@link RowCones}).
   */
  public static int[] keptRows(DenseMatrix full) {
    int kept = 0;
    int[] keep = new int[full.rows()];
    double[] a = full.data();
    int rowsGiven = full.rows();
    for (int i = 0; i < rowsGiven; i++) {
      boolean zero = true;
      for (int c = 0; c < full.cols() && zero; c++) {
        zero = a[c * rowsGiven + i] == 0.0;
      }
      if (!zero) {
        keep[kept++] = i;
      }
    }
    return java.util.Arrays.copyOf(keep, kept);
  }

  /**
   * sum of y^2 over the rows not {@code kept} (ascending indices): the zero rows of X, which
   * predict 0, so their residual is -y.
   */
  static double droppedLabelsSquared(double[] labels, int[] kept) {
    double sum = 0.0;
    int next = 0;
    for (int k = 0; k < labels.length; k++) {
      if (next < kept.length && kept[next] == k) {
        next++;
      } else {
        sum += labels[k] * labels[k];
      }
    }
    return sum;
  }

  /** Rows kept. */
  public int rowCount() {
    return n;
  }

  /** sum over rows and patterns of (sign .* X unit)^2; see {@link ConeRows#startSumSquares}. */
  public double startSumSquares(DenseMatrix unit) {
    double[] xg = product(unit);
    double sumSq = 0.0;
    for (int k = 0; k < n * p; k++) {
      double s = sign[k] * xg[k];
      if (!(s > 0.0)) {
        throw new ArithmeticException("a gate lies on a data hyperplane: its cone has no "
            + "interior point at the gate");
      }
      sumSq += s * s;
    }
    return sumSq;
  }

  /** The start of {@link ConeRows#start}: s = scale (sign .* X unit), z = zeta. */
  public State start(DenseMatrix unit, double scale, double zeta) {
    double[] xg = product(unit);
    double[] s = new double[n * m];
    double[] z = new double[n * m];
    for (int j = 0; j < m; j++) {
      int i = j % p;
      for (int k = 0; k < n; k++) {
        s[j * n + k] = scale * sign[i * n + k] * xg[i * n + k];
        z[j * n + k] = zeta;
      }
    }
    return new State(rows, given, m, s, z);
  }

  /** Entries {@link #prepare} appends after its matrices: the {@link ConeRows.LossMoments}. */
  public static final int MOMENTS = 4;

  /**
   * {@link ConeRows#prepare} and the predictor's right-hand side in one: returns, packed, the
   * rows' dual residual X^T r (d x 2P), s^T z, X^T diag(z / s) X packed as d(d+1)/2 x 2P,
   * X^T (sign .* q_a) (d x 2P), and the block's loss moments (loss, lambda^T y, ||lambda||^2,
   * cone violation; the last is merged by max, the others summed), in that order.
   */
  public double[] prepare(State st, DenseMatrix b) {
    double[] xb = product(b);
    double[] res = residual(xb, mask, y, n, p);
    int nm = n * m;
    DenseMatrix r = new DenseMatrix(n, 2 * m);
    double[] rd = r.data();
    double[] phi = new double[nm];
    double[] s = st.s();
    double[] z = st.z();
    double gap = 0.0;
    double violation = 0.0;
    for (int j = 0; j < m; j++) {
      double sg = j < p ? 1.0 : -1.0;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        int idx = j * n + k;
        double sign1 = sign[moff + k];
        double kb = sign1 * xb[idx];
        violation = Math.max(violation, -kb);
        double rz = s[idx] - kb;
        double ph = z[idx] / s[idx];
        phi[idx] = ph;
        gap += s[idx] * z[idx];
        rd[idx] = sg * mask[moff + k] * res[k] - sign1 * z[idx];
        rd[nm + idx] = sign1 * (ph * rz - z[idx]);
      }
    }
    DenseMatrix xtr = new DenseMatrix(d, 2 * m);
    Blas.gemm(true, false, 1.0, x, r, 0.0, xtr);
    DenseMatrix kr = khatriRao();
    DenseMatrix blockGram = new DenseMatrix(kr.cols(), m);
    Blas.gemm(true, false, 1.0, kr, new DenseMatrix(n, m, phi), 0.0, blockGram);
    int dm = d * m;
    int pm = kr.cols() * m;
    double[] out = new double[dm + 1 + pm + dm + MOMENTS];
    System.arraycopy(xtr.data(), 0, out, 0, dm);
    out[dm] = gap;
    System.arraycopy(blockGram.data(), 0, out, dm + 1, pm);
    System.arraycopy(xtr.data(), dm, out, dm + 1 + pm, dm);
    ConeRows.LossMoments mo = lossMoments(res, y, droppedLabelsSquared, violation);
    int at = dm + 1 + pm + dm;
    out[at] = mo.loss();
    out[at + 1] = mo.lambdaDotY();
    out[at + 2] = mo.lambdaNormSquared();
    out[at + 3] = mo.violation();
    return out;
  }

  /**
   * The direction's ds and dz on the rows (the predictor's without a corrector dx in
   * {@code t}, else the corrector's), summarised: the largest step keeping s and z positive
   * (infinity if none binds) and the coefficients of (s + a ds)^T (z + a dz) = c0 + c1 a +
   * c2 a^2, so the complementarity after any step needs no further pass. For the predictor
   * the two parts of the corrector's right-hand side follow: q_c is affine in sigma mu,
   * q_c = (phi r_z - z - ds_a dz_a / s) + sigma mu / s, so X^T (sign .* q_c) =
   * X^T (sign .* (phi r_z - z - ds_a dz_a / s)) + sigma mu X^T (sign ./ s), two d x 2P
   * matrices summed here, and the corrector's right-hand side needs no pass of its own.
   *
   * @return step, c0, c1, c2, and for the predictor the two d x 2P parts
   */
  public double[] recover(State st, Trajectory t) {
    boolean combined = t.dxCombined() != null;
    double[] xb = combined ? product(t.b(), t.dxAffine(), t.dxCombined())
        : product(t.b(), t.dxAffine());
    int nm = n * m;
    double[] ds = new double[nm];
    double[] dz = new double[nm];
    directions(st, xb, t, combined ? DirectionPart.CORRECTOR : DirectionPart.PREDICTOR, ds, dz);
    double[] s = st.s();
    double[] z = st.z();
    double step = Double.POSITIVE_INFINITY;
    double c0 = 0.0;
    double c1 = 0.0;
    double c2 = 0.0;
    for (int idx = 0; idx < nm; idx++) {
      if (ds[idx] < 0.0) {
        step = Math.min(step, -s[idx] / ds[idx]);
      }
      if (dz[idx] < 0.0) {
        step = Math.min(step, -z[idx] / dz[idx]);
      }
      c0 += s[idx] * z[idx];
      c1 += s[idx] * dz[idx] + z[idx] * ds[idx];
      c2 += ds[idx] * dz[idx];
    }
    if (combined) {
      return new double[] {step, c0, c1, c2};
    }
    // Both parts of the corrector's right-hand side, overwriting ds and dz.
    for (int j = 0; j < m; j++) {
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        int idx = j * n + k;
        double sg = sign[moff + k];
        double inv = 1.0 / s[idx];
        double rz = s[idx] - sg * xb[idx];
        ds[idx] = sg * (z[idx] * inv * rz - z[idx] - ds[idx] * dz[idx] * inv);
        dz[idx] = sg * inv;
      }
    }
    double[] both = new double[2 * nm];
    System.arraycopy(ds, 0, both, 0, nm);
    System.arraycopy(dz, 0, both, nm, nm);
    DenseMatrix parts = new DenseMatrix(d, 2 * m);
    Blas.gemm(true, false, 1.0, x, new DenseMatrix(n, 2 * m, both), 0.0, parts);
    double[] out = new double[4 + 2 * d * m];
    out[0] = step;
    out[1] = c0;
    out[2] = c1;
    out[3] = c2;
    System.arraycopy(parts.data(), 0, out, 4, 2 * d * m);
    return out;
  }

  /**
   * The loss residual A b - y = sum_j sigma_j D_j X b_j - y of n rows from X b ({@code xb},
   * n x 2P column-major) and the n x P masks.
   */
  /**
   * The {@link ConeRows.LossMoments} from the residual A b - y on the kept rows, their labels,
   * the sum of y^2 over the dropped zero rows (residual -y there) and the cone violation.
   */
  static ConeRows.LossMoments lossMoments(double[] res, double[] y, double droppedLabelsSquared,
      double violation) {
    double sumSquares = droppedLabelsSquared;
    double lambdaDotY = droppedLabelsSquared;
    for (int k = 0; k < res.length; k++) {
      sumSquares += res[k] * res[k];
      lambdaDotY -= res[k] * y[k];
    }
    return new ConeRows.LossMoments(0.5 * sumSquares, lambdaDotY, sumSquares, violation);
  }

  static double[] residual(double[] xb, double[] mask, double[] y, int n, int p) {
    double[] res = new double[n];
    for (int j = 0; j < 2 * p; j++) {
      double sg = j < p ? 1.0 : -1.0;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        res[k] += sg * mask[moff + k] * xb[j * n + k];
      }
    }
    for (int k = 0; k < n; k++) {
      res[k] -= y[k];
    }
    return res;
  }

  /** The state after the corrector's step: s + alpha ds_c, z + alpha dz_c. */
  public State advance(State st, Trajectory t) {
    double[] xb = product(t.b(), t.dxAffine(), t.dxCombined());
    double[] s = new double[n * m];
    double[] z = new double[n * m];
    directions(st, xb, t, DirectionPart.CORRECTOR, s, z);
    double[] s0 = st.s();
    double[] z0 = st.z();
    double alpha = t.alpha();
    for (int idx = 0; idx < n * m; idx++) {
      s[idx] = s0[idx] + alpha * s[idx];
      z[idx] = z0[idx] + alpha * z[idx];
    }
    return new State(rows, given, m, s, z);
  }

  /** What {@link #directions} writes. */
  private enum DirectionPart { PREDICTOR, CORRECTOR }

  /**
   * The predictor's or the corrector's ds and dz from X [b dx_a dx_c]
   * ({@code xb}, n x 2P each), without the square roots of the scaling: with w = sqrt(s / z)
   * and lambda = sqrt(s z), lambda / w = z, (ds / w)(w dz) = ds dz and lambda w = s, so
   * q_a = phi r_z - z and q_c = phi r_z + (sigma mu - s z - ds_a dz_a) / s.
   */
  private void directions(State st, double[] xb, Trajectory t, DirectionPart part,
      double[] outA, double[] outB) {
    double[] s = st.s();
    double[] z = st.z();
    int nm = n * m;
    double sigmaMu = part == DirectionPart.PREDICTOR ? 0.0 : t.sigma() * t.mu();
    for (int j = 0; j < m; j++) {
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        int idx = j * n + k;
        double sg = sign[moff + k];
        double inv = 1.0 / s[idx];
        double phi = z[idx] * inv;
        double rz = s[idx] - sg * xb[idx];
        double kdxA = sg * xb[nm + idx];
        double qa = phi * rz - z[idx];
        double dsA = kdxA - rz;
        double dzA = -phi * kdxA + qa;
        if (part == DirectionPart.PREDICTOR) {
          outA[idx] = dsA;
          outB[idx] = dzA;
          continue;
        }
        double qc = phi * rz + (sigmaMu - s[idx] * z[idx] - dsA * dzA) * inv;
        double kdxC = sg * xb[2 * nm + idx];
        outA[idx] = kdxC - rz;
        outB[idx] = -phi * kdxC + qc;
      }
    }
  }

  /** Length of the packed pattern Gram, d(d+1)/2 x P(P+1)/2 ({@link #addPatternGram}). */
  public static int packedGramLength(int d, int p) {
    return d * (d + 1) / 2 * (p * (p + 1) / 2);
  }

  /** Adds this block's part of the packed pattern Gram into {@code packed}. */
  public void addPatternGram(double[] packed) {
    addPatternGram(khatriRao(), mask, n, p, packed);
  }

  /**
   * Adds the packed G = A_v^T A_v of a set of rows into {@code packed}: G has the P d x P d
   * blocks X^T diag(m_i .* m_k) X, and is symmetric, as each block is; the packed form holds,
   * for each pair i &lt;= k, the d(d+1)/2 entries x_a^T diag(m_i .* m_k) x_c (a &lt;= c), one
   * GEMM of the Khatri-Rao products {@code kr} (n x d(d+1)/2) with the mask products per i, so
   * D_i X is never formed and the sum over blocks adds arrays without scattering.
   */
  static void addPatternGram(DenseMatrix kr, double[] mask, int n, int p, double[] packed) {
    int pairs = kr.cols();
    int col = 0;
    for (int i = 0; i < p; i++) {
      int cols = p - i;
      double[] products = new double[n * cols];
      for (int k = i; k < p; k++) {
        for (int r = 0; r < n; r++) {
          products[(k - i) * n + r] = mask[i * n + r] * mask[k * n + r];
        }
      }
      Blas.gemm(true, false, pairs, cols, n, 1.0, kr.data(), 0, n, products, 0, n, 1.0, packed,
          col * pairs, pairs);
      col += cols;
    }
  }

  /** G (P d x P d) from its packed form ({@link #addPatternGram}). */
  public static DenseMatrix unpackPatternGram(double[] packed, int d, int p) {
    int pairs = d * (d + 1) / 2;
    int pd = p * d;
    DenseMatrix g = new DenseMatrix(pd, pd);
    double[] gd = g.data();
    int col = 0;
    for (int i = 0; i < p; i++) {
      for (int k = i; k < p; k++, col++) {
        int q = col * pairs;
        for (int a = 0; a < d; a++) {
          for (int c = a; c < d; c++, q++) {
            double v = packed[q];
            gd[(k * d + c) * pd + i * d + a] = v;
            gd[(k * d + a) * pd + i * d + c] = v;
            gd[(i * d + c) * pd + k * d + a] = v;
            gd[(i * d + a) * pd + k * d + c] = v;
          }
        }
      }
    }
    return g;
  }

  /** X [B_1 ... B_k] (n x sum of columns), one GEMM. */
  private double[] product(DenseMatrix... bs) {
    int cols = 0;
    for (DenseMatrix b : bs) {
      cols += b.cols();
    }
    DenseMatrix all;
    if (bs.length == 1) {
      all = bs[0];
    } else {
      all = new DenseMatrix(d, cols);
      int off = 0;
      for (DenseMatrix b : bs) {
        System.arraycopy(b.data(), 0, all.data(), off, b.data().length);
        off += b.data().length;
      }
    }
    DenseMatrix out = new DenseMatrix(n, cols);
    Blas.gemm(false, false, 1.0, x, all, 0.0, out);
    return out.data();
  }

  /** n x d(d+1)/2: column q is x_a .* x_c for the q-th pair a &lt;= c. */
  private DenseMatrix khatriRao() {
    return khatriRao(x);
  }

  /** n x d(d+1)/2: column q is x_a .* x_c for the q-th pair a &lt;= c. */
  static DenseMatrix khatriRao(DenseMatrix x) {
    int n = x.rows();
    int d = x.cols();
    DenseMatrix kr = new DenseMatrix(n, d * (d + 1) / 2);
    double[] krd = kr.data();
    double[] xd = x.data();
    int idx = 0;
    for (int a = 0; a < d; a++) {
      for (int c = a; c < d; c++, idx++) {
        for (int k = 0; k < n; k++) {
          krd[idx * n + k] = xd[a * n + k] * xd[c * n + k];
        }
      }
    }
    return kr;
  }
}
