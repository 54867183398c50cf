package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.ipm.CertifiedPath;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.Optional;

/**
 * The project's primal-dual interior-point method ({@link PathFollowing}, Vandenberghe 2010)
 * on the ReLU separable CNN program ({@link SeparableReluCnn}), through
 * {@link SeparableConeRows}. Every iterate is certified with its multipliers
 * ({@link SeparableReluCnn#certificate}); the result is {@link StopReason#CONVERGED} only when
 * the gap is within the tolerance and the cone violation within the feasibility tolerance times
 * max(1, max |y|). Like the explicit gated design it builds on, it is for small programs:
 * P h at most {@link PooledInteriorPointSolver#MAX_PATTERN_DIMENSION}.
 */
public final class SeparableReluSolver {

  /**
   * Solves the program; nothing when the method cannot run (too large, a gate on a data
   * hyperplane, or no certified iterate within the feasibility tolerance).
   */
  public Optional<SolverResult> solve(SeparableReluCnn program, SolverOptions options,
      IterationListener listener) {
    if ((long) program.patternCount() * program.d()
        > PooledInteriorPointSolver.MAX_PATTERN_DIMENSION) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    SeparableConeRows rows = new SeparableConeRows(program);
    DenseMatrix gates = new DenseMatrix(program.d(), program.patternCount());
    for (int k = 0; k < program.patchCount(); k++) {
      DenseMatrix gk = program.patch(k).patterns().gates();
      System.arraycopy(gk.data(), 0, gates.data(), program.offset(k) * program.d(),
          gk.data().length);
    }
    PathFollowing path;
    try {
      path = new PathFollowing(program.d(), program.patternCount(), program.beta(), gates, rows);
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
    double feasTol = options.feasibilityTolerance() * Math.max(1.0, program.largestLabel());
    CertifiedPath<DenseMatrix> run = new CertifiedPath<>(new CertifiedPath.Rows<>() {
      @Override
      public DenseMatrix multipliers() {
        return rows.multipliers();
      }

      @Override
      public Certificate certify(DenseMatrix b, DenseMatrix mu) {
        return program.certificate(b, mu);
      }
    }, options, feasTol, start);
    run.follow(path, listener);
    if (run.best() == null) {
      return Optional.empty();
    }
    CertifiedPath.Point<DenseMatrix> out = run.pruneInactiveBlocks();
    return Optional.of(run.result(out, out.multipliers()));
  }
}
