package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.io.Serializable;

/**
 * The linear cone rows K_j b_j &gt;= 0 of a set of rows of X, as {@link PathFollowing} sees
 * them ({@link ConeRows}): the rows that are not zero, their labels, masks D_i and cone signs
 * 2 D_i - 1, the row-wise Khatri-Rao products x_k (x) x_k (upper triangle) through which every
 * X^T diag(.) X is one GEMM, and the slacks, multipliers, scaling and direction parts of these
 * rows. On one node all rows are one {@code RowCones}; on a cluster each row block holds one.
 *
 * <p>A zero row of X predicts 0 whatever the weights and gives the cone row 0 &gt;= 0, which
 * has no interior: dropping it changes the loss by a constant and leaves the feasible set as it
 * is, and it keeps every slack of the iterate strictly positive.
 */
public final class RowCones implements ConeRows, Serializable {
  private static final long serialVersionUID = 1L;

  /** Rows given (zero rows included). */
  private final int rowsGiven;
  /** sum of y^2 over the zero rows of X (dropped: they predict 0, so their residual is -y). */
  private final double droppedLabelsSquared;
  /** The kept rows, as indices into the given rows. */
  private final int[] rows;
  private final int n;
  private final int d;
  private final int p;
  private final int m;
  private final DenseMatrix x;
  private final double[] y;
  /** n x P masks D_i on the kept rows (column-major). */
  private final double[] mask;
  /** n x P cone signs 2 D_i - 1 on the kept rows. */
  private final double[] sign;
  /** n x d(d+1)/2: column q is x_a .* x_c for the q-th pair a &lt;= c. */
  private final DenseMatrix khatriRao;
  private double[] sL;
  private double[] zL;
  private double[] rzL;
  private double[] wL;
  private double[] lamL;
  private double[] phiL;
  /** Per direction: e, q, ds, dz, W^-T ds, W dz of the rows. */
  private double[][] eL;
  private double[][] qL;
  private double[][] dsL;
  private double[][] dzL;
  private double[][] dsT;
  private double[][] dzT;

  /**
   * @param full rows of X (n_given x d)
   * @param labels their labels
   * @param masks n_given x P column-major 0/1 masks
   * @param p P
   */
  public RowCones(DenseMatrix full, double[] labels, double[] masks, int p) {
    this.rowsGiven = full.rows();
    this.rows = RowConeTerms.keptRows(full);
    this.n = rows.length;
    this.d = full.cols();
    this.p = p;
    this.m = 2 * p;
    this.x = new DenseMatrix(n, d);
    for (int c = 0; c < d; c++) {
      for (int k = 0; k < n; k++) {
        x.data()[c * n + k] = full.data()[c * rowsGiven + rows[k]];
      }
    }
    this.y = new double[n];
    for (int k = 0; k < n; k++) {
      y[k] = labels[rows[k]];
    }
    this.droppedLabelsSquared = RowConeTerms.droppedLabelsSquared(labels, rows);
    this.mask = new double[n * p];
    this.sign = new double[n * p];
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < n; k++) {
        mask[i * n + k] = masks[i * rowsGiven + rows[k]];
        sign[i * n + k] = 2.0 * mask[i * n + k] - 1.0;
      }
    }
    this.khatriRao = RowConeTerms.khatriRao(x);
    int nm = n * m;
    this.sL = new double[nm];
    this.zL = new double[nm];
    this.rzL = new double[nm];
    this.wL = new double[nm];
    this.lamL = new double[nm];
    this.phiL = new double[nm];
    this.eL = new double[2][nm];
    this.qL = new double[2][nm];
    this.dsL = new double[2][nm];
    this.dzL = new double[2][nm];
    this.dsT = new double[2][nm];
    this.dzT = new double[2][nm];
  }

  private RowCones(RowCones o) {
    this.rowsGiven = o.rowsGiven;
    this.droppedLabelsSquared = o.droppedLabelsSquared;
    this.rows = o.rows;
    this.n = o.n;
    this.d = o.d;
    this.p = o.p;
    this.m = o.m;
    this.x = o.x;
    this.y = o.y;
    this.mask = o.mask;
    this.sign = o.sign;
    this.khatriRao = o.khatriRao;
    this.sL = o.sL.clone();
    this.zL = o.zL.clone();
    this.rzL = o.rzL.clone();
    this.wL = o.wL.clone();
    this.lamL = o.lamL.clone();
    this.phiL = o.phiL.clone();
    this.eL = deep(o.eL);
    this.qL = deep(o.qL);
    this.dsL = deep(o.dsL);
    this.dzL = deep(o.dzL);
    this.dsT = deep(o.dsT);
    this.dzT = deep(o.dzT);
  }

  private static double[][] deep(double[][] a) {
    return new double[][] {a[0].clone(), a[1].clone()};
  }

  /**
   * A copy whose iterate can move without touching this one (the data are shared): a cached
   * row block's state is never changed in place, so a lost partition recomputes from lineage.
   */
  public RowCones copy() {
    return new RowCones(this);
  }

  @Override
  public long rowCount() {
    return n;
  }

  @Override
  public double startSumSquares(DenseMatrix unit) {
    DenseMatrix xg = new DenseMatrix(n, p);
    Blas.gemm(false, false, 1.0, x, unit, 0.0, xg);
    double sumSq = 0.0;
    for (int k = 0; k < n * p; k++) {
      double s = sign[k] * xg.data()[k];
      if (!(s > 0.0)) {
        throw new ArithmeticException("a gate lies on a data hyperplane: its cone has no "
            + "interior point at the gate");
      }
      sumSq += s * s;
    }
    return sumSq;
  }

  @Override
  public void start(DenseMatrix unit, double scale, double zeta) {
    DenseMatrix xg = new DenseMatrix(n, p);
    Blas.gemm(false, false, 1.0, x, unit, 0.0, xg);
    for (int j = 0; j < m; j++) {
      int i = j % p;
      for (int k = 0; k < n; k++) {
        double s = scale * sign[i * n + k] * xg.data()[i * n + k];
        sL[j * n + k] = s;
        zL[j * n + k] = zeta;
      }
    }
  }

  /**
   * r_x's row part X^T r with r_j = sigma_j D_j (A b - y) - sign_j .* zL_j, r_z = s - K b, and
   * the Nesterov-Todd scaling of the rows, w = sqrt(s / z), lambda = sqrt(s z), phi = z / s.
   */
  @Override
  public Prepared prepare(DenseMatrix b) {
    DenseMatrix zx = new DenseMatrix(n, m);
    Blas.gemm(false, false, 1.0, x, b, 0.0, zx);
    double[] zd = zx.data();
    double[] res = RowConeTerms.residual(zd, mask, y, n, p);
    DenseMatrix r = new DenseMatrix(n, m);
    double[] rd = r.data();
    double violation = 0.0;
    for (int j = 0; j < m; j++) {
      double sg = j < p ? 1.0 : -1.0;
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        double kb = sign[moff + k] * zd[j * n + k];
        rd[j * n + k] = sg * mask[moff + k] * res[k] - sign[moff + k] * zL[j * n + k];
        rzL[j * n + k] = sL[j * n + k] - kb;
        violation = Math.max(violation, -kb);
      }
    }
    DenseMatrix rx = new DenseMatrix(d, m);
    Blas.gemm(true, false, 1.0, x, r, 0.0, rx);
    double gap = 0.0;
    for (int k = 0; k < sL.length; k++) {
      gap += sL[k] * zL[k];
    }
    for (int k = 0; k < n * m; k++) {
      wL[k] = Math.sqrt(sL[k] / zL[k]);
      lamL[k] = Math.sqrt(sL[k] * zL[k]);
      phiL[k] = zL[k] / sL[k];
    }
    DenseMatrix phi = new DenseMatrix(n, m, phiL);
    DenseMatrix blockGram = new DenseMatrix(khatriRao.cols(), m);
    Blas.gemm(true, false, 1.0, khatriRao, phi, 0.0, blockGram);
    return new Prepared(rx, gap, blockGram,
        RowConeTerms.lossMoments(res, y, droppedLabelsSquared, violation));
  }

  @Override
  public DenseMatrix rightHandSide(int direction, double sigma, double mu) {
    double[] e = eL[direction];
    if (direction == AFFINE) {
      for (int k = 0; k < n * m; k++) {
        e[k] = -lamL[k];
      }
    } else {
      double[] as = dsT[AFFINE];
      double[] az = dzT[AFFINE];
      for (int k = 0; k < n * m; k++) {
        double dk = -lamL[k] * lamL[k] - as[k] * az[k] + sigma * mu;
        e[k] = dk / lamL[k];
      }
    }
    double[] q = qL[direction];
    for (int k = 0; k < n * m; k++) {
      q[k] = phiL[k] * rzL[k] + e[k] / wL[k];
    }
    DenseMatrix sq = new DenseMatrix(n, m);
    for (int j = 0; j < m; j++) {
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        sq.data()[j * n + k] = sign[moff + k] * q[j * n + k];
      }
    }
    DenseMatrix rhs = new DenseMatrix(d, m);
    Blas.gemm(true, false, 1.0, x, sq, 0.0, rhs);
    return rhs;
  }

  /** ds = K dx - r_z, dz = -phi K dx + q, and W dz, W^-T ds; then the ratio test. */
  @Override
  public double recover(int direction, DenseMatrix dxB) {
    DenseMatrix xdb = new DenseMatrix(n, m);
    Blas.gemm(false, false, 1.0, x, dxB, 0.0, xdb);
    double[] xd = xdb.data();
    double[] ds = dsL[direction];
    double[] dz = dzL[direction];
    double[] q = qL[direction];
    for (int j = 0; j < m; j++) {
      int moff = (j % p) * n;
      for (int k = 0; k < n; k++) {
        int idx = j * n + k;
        double kdx = sign[moff + k] * xd[idx];
        ds[idx] = kdx - rzL[idx];
        dz[idx] = -phiL[idx] * kdx + q[idx];
        dzT[direction][idx] = wL[idx] * dz[idx];
        dsT[direction][idx] = ds[idx] / wL[idx];
      }
    }
    double a = Double.POSITIVE_INFINITY;
    for (int k = 0; k < n * m; k++) {
      if (ds[k] < 0.0) {
        a = Math.min(a, -sL[k] / ds[k]);
      }
      if (dz[k] < 0.0) {
        a = Math.min(a, -zL[k] / dz[k]);
      }
    }
    return a;
  }

  @Override
  public double complementarityAfter(int direction, double alpha) {
    double[] ds = dsL[direction];
    double[] dz = dzL[direction];
    double gap = 0.0;
    for (int k = 0; k < n * m; k++) {
      gap += (sL[k] + alpha * ds[k]) * (zL[k] + alpha * dz[k]);
    }
    return gap;
  }

  @Override
  public void advance(int direction, double alpha) {
    double[] ds = dsL[direction];
    double[] dz = dzL[direction];
    for (int k = 0; k < n * m; k++) {
      sL[k] += alpha * ds[k];
      zL[k] += alpha * dz[k];
    }
  }

  /** Cone multipliers on all given rows (zero rows of X get 0), n_given x 2P. */
  public DenseMatrix multipliers() {
    DenseMatrix mu = new DenseMatrix(rowsGiven, m);
    for (int j = 0; j < m; j++) {
      for (int k = 0; k < n; k++) {
        mu.data()[j * rowsGiven + rows[k]] = zL[j * n + k];
      }
    }
    return mu;
  }

  /** G = A_v^T A_v (P d x P d) over these rows ({@link RowConeTerms#addPatternGram}). */
  @Override
  public DenseMatrix patternGram() {
    double[] packed = new double[RowConeTerms.packedGramLength(d, p)];
    RowConeTerms.addPatternGram(khatriRao, mask, n, p, packed);
    return RowConeTerms.unpackPatternGram(packed, d, p);
  }
}
