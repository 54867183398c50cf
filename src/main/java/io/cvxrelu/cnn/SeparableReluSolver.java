package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
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
    return ConeProgramCertificates.follow(path, rows::multipliers, program::certificate,
        program.largestLabel(), options, listener, start);
  }
}
