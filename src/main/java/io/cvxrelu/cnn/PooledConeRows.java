package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.RowCones;

/**
 * The rows' side of the interior-point method ({@link ConeRows}) for the pooled ReLU CNN
 * program ({@link PooledReluCnn}). Its cone rows (2 D_i^k - I) X_k b_j &gt;= 0 are the rows of
 * the fully connected program on the stacked patches S, so they are a {@link RowCones} on S,
 * which this class wraps. Two things differ, both about the loss, which sums the K rows of an
 * example:
 * <ul>
 *   <li>the pattern Gram matrix is A^T A over the pooled design [A_1 ... A_P]
 *       ({@link StackedPatches#pooledDesign}), one GEMM;</li>
 *   <li>the loss part of the dual residual is S^T (sigma_j D_j lift(pool(S-prediction) - y)).
 *       The wrapped rows carry labels 0, so they contribute S^T (sigma_j D_j S-prediction);
 *       {@link #prepare} adds the difference, two GEMMs on S.</li>
 * </ul>
 * Everything else (slacks, multipliers, scaling, directions) concerns the cone rows only.
 */
final class PooledConeRows implements ConeRows {
  private final PooledReluCnn program;
  private final RowCones rows;
  private final DenseMatrix design;

  PooledConeRows(PooledReluCnn program, DenseMatrix design) {
    this.program = program;
    this.design = design;
    this.rows = new RowCones(program.stack().stacked(),
        new double[program.stack().stacked().rows()], program.stacked().maskValues(),
        program.patternCount());
  }

  /** Cone multipliers on the nK stacked rows, nK x 2P. */
  DenseMatrix multipliers() {
    return rows.multipliers();
  }

  @Override
  public long rowCount() {
    return rows.rowCount();
  }

  @Override
  public DenseMatrix patternGram() {
    int q = design.cols();
    DenseMatrix g = new DenseMatrix(q, q);
    Blas.gemm(true, false, 1.0, design, design, 0.0, g);
    return g;
  }

  @Override
  public double startSumSquares(DenseMatrix unit) {
    return rows.startSumSquares(unit);
  }

  @Override
  public void start(DenseMatrix unit, double scale, double zeta) {
    rows.start(unit, scale, zeta);
  }

  @Override
  public Prepared prepare(DenseMatrix b) {
    Prepared cones = rows.prepare(b);
    DenseMatrix z = program.stacked().forward(b);
    double[] unpooled = program.stacked().predict(z);
    double[] pooled = program.predict(z);
    double[] y = program.y();
    for (int r = 0; r < pooled.length; r++) {
      pooled[r] -= y[r];
    }
    double[] difference = program.stack().lift(pooled);
    for (int q = 0; q < difference.length; q++) {
      difference[q] -= unpooled[q];
    }
    DenseMatrix r = new DenseMatrix(z.rows(), z.cols());
    program.stacked().maskedResidual(difference, r);
    DenseMatrix rx = cones.dualResidual().copy();
    Blas.gemm(true, false, 1.0, program.stack().stacked(), r, 1.0, rx);
    return new Prepared(rx, cones.complementarity(), cones.blockGram());
  }

  @Override
  public DenseMatrix rightHandSide(int direction, double sigma, double mu) {
    return rows.rightHandSide(direction, sigma, mu);
  }

  @Override
  public double recover(int direction, DenseMatrix dxB) {
    return rows.recover(direction, dxB);
  }

  @Override
  public double complementarityAfter(int direction, double alpha) {
    return rows.complementarityAfter(direction, alpha);
  }

  @Override
  public void advance(int direction, double alpha) {
    rows.advance(direction, alpha);
  }
}
