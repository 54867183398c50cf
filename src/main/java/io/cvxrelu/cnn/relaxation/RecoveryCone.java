package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * The exact-recovery condition of Bartan and Pilanci, eq. (14): on noiseless data y_i = sum_j
 * (X_ij w*)_+, the planted filter w* solves the LP (9) exactly when the direction r lies in
 * cone{a_i}, a_i = sum_{j : X_ij w* &gt; 0} X_ij^T (the normal cone of the feasible set
 * {w : sum_j (X_ij w)_+ &lt;= y_i} at w*, where every constraint is active). Membership is
 * decided by NNLS ({@link ConeNnls}), min_{u &gt;= 0} ||A^T u - r||, with no interior point: the
 * independent check of the solver's per-draw outcome.
 */
public final class RecoveryCone {
  /** Relative NNLS residual below which r counts as inside the cone. */
  public static final double TOLERANCE = 1e-8;

  private final DenseMatrix generatorsT;

  /** The cone at w* for the design: generators a_i stored as the columns of an f x n matrix. */
  public RecoveryCone(PatchDesign design, double[] plantedFilter) {
    this.generatorsT = design.activeRowSums(plantedFilter).transpose();
  }

  /** The relative residual ||A^T u - r|| / ||r|| of the NNLS fit (0 inside the cone). */
  public double residual(double[] r) {
    int f = generatorsT.rows();
    double[] d = ConeNnls.residual(generatorsT, r);
    double rn = Blas.nrm2(f, r, 0);
    return rn == 0.0 ? 0.0 : Blas.nrm2(f, d, 0) / rn;
  }

  /** True when r lies in cone{a_i}, i.e. the LP (9) with direction r returns w*. */
  public boolean contains(double[] r) {
    return residual(r) <= TOLERANCE;
  }
}
