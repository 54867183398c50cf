package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.RowCones;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows' side of the interior-point method ({@link ConeRows}) for the ReLU separable CNN
 * ({@link SeparableReluCnn}): one {@link RowCones} per patch k, over X_k and its own patterns,
 * holds the cone rows (2 D_i^k - I) X_k b &gt;= 0 of patch k's blocks. This class routes each
 * patch its columns of the global h x 2P blocks ([v, w], patch by patch) and joins their
 * answers. Two things concern the loss, which adds the patches' outputs:
 * <ul>
 *   <li>the pattern Gram matrix is the Gram of the gated program's explicit design
 *       [D_1^1 X_1, ..., D_P^K X_K];</li>
 *   <li>each patch's rows carry labels 0, so their dual residual holds X_k^T (sigma D (own
 *       prediction)); {@link #prepare} adds X_k^T (sigma D (full prediction - y - own
 *       prediction)), two GEMMs per patch.</li>
 * </ul>
 */
final class SeparableConeRows implements ConeRows {
  private final SeparableReluCnn program;
  private final List<RowCones> rows = new ArrayList<>();

  SeparableConeRows(SeparableReluCnn program) {
    this.program = program;
    for (int k = 0; k < program.patchCount(); k++) {
      ConvexReluProblem pk = program.patch(k);
      rows.add(new RowCones(pk.x(), new double[pk.n()], pk.maskValues(), pk.patternCount()));
    }
  }

  private int patterns(int k) {
    return program.patch(k).patternCount();
  }

  private DenseMatrix part(DenseMatrix m, int k) {
    return SeparableReluCnn.gather(m, program.offset(k), patterns(k), program.patternCount());
  }

  /** Columns [off, off + P_k) of a matrix with one column per pattern (the unit gates). */
  private DenseMatrix unitPart(DenseMatrix unit, int k) {
    int r = unit.rows();
    DenseMatrix out = new DenseMatrix(r, patterns(k));
    System.arraycopy(unit.data(), program.offset(k) * r, out.data(), 0, patterns(k) * r);
    return out;
  }

  /** Cone multipliers n x 2P in the global block order. */
  DenseMatrix multipliers() {
    DenseMatrix mu = new DenseMatrix(program.y().length, 2 * program.patternCount());
    for (int k = 0; k < rows.size(); k++) {
      SeparableReluCnn.scatter(rows.get(k).multipliers(), mu, program.offset(k),
          program.patternCount());
    }
    return mu;
  }

  @Override
  public long rowCount() {
    long n = 0;
    for (RowCones r : rows) {
      n += r.rowCount();
    }
    return n;
  }

  @Override
  public DenseMatrix patternGram() {
    DenseMatrix design = program.gated().problem().a();
    DenseMatrix g = new DenseMatrix(design.cols(), design.cols());
    Blas.gemm(true, false, 1.0, design, design, 0.0, g);
    return g;
  }

  @Override
  public double startSumSquares(DenseMatrix unit) {
    double sum = 0.0;
    for (int k = 0; k < rows.size(); k++) {
      sum += rows.get(k).startSumSquares(unitPart(unit, k));
    }
    return sum;
  }

  @Override
  public void start(DenseMatrix unit, double scale, double zeta) {
    for (int k = 0; k < rows.size(); k++) {
      rows.get(k).start(unitPart(unit, k), scale, zeta);
    }
  }

  @Override
  public Prepared prepare(DenseMatrix b) {
    int p = program.patternCount();
    List<DenseMatrix> products = new ArrayList<>();
    double[] residual = program.predict(b, products);
    double[] y = program.y();
    for (int r = 0; r < y.length; r++) {
      residual[r] -= y[r];
    }
    DenseMatrix rx = new DenseMatrix(program.d(), 2 * p);
    DenseMatrix blockGram = null;
    double gap = 0.0;
    for (int k = 0; k < rows.size(); k++) {
      ConvexReluProblem pk = program.patch(k);
      Prepared cones = rows.get(k).prepare(part(b, k));
      double[] own = pk.predict(products.get(k));
      double[] difference = new double[y.length];
      for (int r = 0; r < y.length; r++) {
        difference[r] = residual[r] - own[r];
      }
      DenseMatrix res = new DenseMatrix(y.length, 2 * patterns(k));
      pk.maskedResidual(difference, res);
      DenseMatrix rxk = cones.dualResidual().copy();
      Blas.gemm(true, false, 1.0, pk.x(), res, 1.0, rxk);
      SeparableReluCnn.scatter(rxk, rx, program.offset(k), p);
      if (blockGram == null) {
        blockGram = new DenseMatrix(cones.blockGram().rows(), 2 * p);
      }
      SeparableReluCnn.scatter(cones.blockGram(), blockGram, program.offset(k), p);
      gap += cones.complementarity();
    }
    return new Prepared(rx, gap, blockGram);
  }

  @Override
  public DenseMatrix rightHandSide(int direction, double sigma, double mu) {
    DenseMatrix rhs = new DenseMatrix(program.d(), 2 * program.patternCount());
    for (int k = 0; k < rows.size(); k++) {
      SeparableReluCnn.scatter(rows.get(k).rightHandSide(direction, sigma, mu), rhs,
          program.offset(k), program.patternCount());
    }
    return rhs;
  }

  @Override
  public double recover(int direction, DenseMatrix dxB) {
    double step = Double.POSITIVE_INFINITY;
    for (int k = 0; k < rows.size(); k++) {
      step = Math.min(step, rows.get(k).recover(direction, part(dxB, k)));
    }
    return step;
  }

  @Override
  public double complementarityAfter(int direction, double alpha) {
    double gap = 0.0;
    for (RowCones r : rows) {
      gap += r.complementarityAfter(direction, alpha);
    }
    return gap;
  }

  @Override
  public void advance(int direction, double alpha) {
    for (RowCones r : rows) {
      r.advance(direction, alpha);
    }
  }
}
