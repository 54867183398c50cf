package io.cvxrelu.cnn;

import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.Optional;

/**
 * The project's primal-dual interior-point method ({@link PathFollowing}: Mehrotra
 * predictor-corrector with Nesterov-Todd scaling, Vandenberghe 2010) on the pooled ReLU CNN
 * program ({@link PooledReluCnn}), through {@link PooledConeRows}. Its normal equations are
 * P h x P h, so it serves programs with P h up to {@link #MAX_PATTERN_DIMENSION} and nK x 2P
 * row arrays within {@link #MAX_ROW_DOUBLES}. It returns nothing when it cannot run (too large,
 * a gate on a data hyperplane, no certified iterate within the feasibility tolerance): the
 * caller then takes the augmented Lagrangian ({@link PooledReluSolver}) and says so.
 *
 * <p>Every iterate is certified with its multipliers ({@link PooledReluCnn#certificate}); the
 * iterates stay inside the cones, and the result is {@link StopReason#CONVERGED} only when the
 * gap is within the tolerance and the violation within the feasibility tolerance.
 */
public final class PooledInteriorPointSolver {
  /** Largest P h: one P h x P h Cholesky factorisation per iteration. */
  public static final int MAX_PATTERN_DIMENSION = 4096;
  /** Budget of the row arrays: about 20 arrays of nK x 2P and nK x h(h+1)/2 products. */
  public static final long MAX_ROW_DOUBLES = 40_000_000L;

  /** True when the program fits the method's dense normal equations and row arrays. */
  public static boolean supports(PooledReluCnn program) {
    long rows = program.stack().stacked().rows();
    long h = program.d();
    long p = program.patternCount();
    return p * h <= MAX_PATTERN_DIMENSION
        && rows * (20 * 2 * p + h * (h + 1) / 2) <= MAX_ROW_DOUBLES;
  }

  /** Solves the program, or returns nothing when this method cannot (see the class notes). */
  public Optional<SolverResult> solve(PooledReluCnn program, SolverOptions options,
      IterationListener listener) {
    if (!supports(program)) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    PooledConeRows rows = new PooledConeRows(program,
        program.stack().pooledDesign(program.stacked().patterns()));
    PathFollowing path;
    try {
      path = new PathFollowing(program.d(), program.patternCount(), program.beta(),
          program.stacked().patterns().gates(), rows);
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
    return ConeProgramCertificates.follow(path, rows::multipliers,
        (b, mu) -> program.certificate(b, program.stacked().forward(b), mu),
        program.largestLabel(), options, listener, start);
  }
}
