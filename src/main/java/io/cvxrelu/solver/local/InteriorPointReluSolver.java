package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.ArrayList;
import java.util.List;

/**
 * Primal-dual interior-point method for the cone-constrained ReLU program with squared loss
 * (Pilanci and Ergen 2020, eq. (8)), written as a cone quadratic program in the blocks b_j
 * (the columns v_1..v_P, w_1..w_P) and epigraph variables t_j:
 * <pre>
 *   min  1/2 ||A b - y||^2 + beta sum_j t_j,     A b = sum_j sigma_j D_j X b_j
 *   s.t. K_j b_j &gt;= 0 (n rows each),  (t_j, b_j) in the second-order cone,
 * </pre>
 * with sigma = +1 for v and -1 for w and K_j = (2 D_j - I) X. The iteration is
 * {@link PathFollowing}: Mehrotra predictor-corrector path following with Nesterov-Todd scaling
 * of Vandenberghe's "The CVXOPT linear and quadratic cone program solvers" (2010, sections 2-5).
 *
 * <p>Structure makes each Newton system cheap. With the scaling, the reduced matrix is
 * H + E^T A^T A E with H block diagonal, (d+1) x (d+1) blocks X^T diag(z_j / s_j) X + Phi_j
 * (one GEMM for all blocks through the row-wise Khatri-Rao products of X). The loss sees only
 * a_i = v_i - w_i, so eliminating every pattern's (t_v, t_w, v + w) part leaves the normal
 * equations (S + G) a = r' of size P d, with G = A_v^T A_v (blocks X^T D_i D_k X, constant over
 * the solve, computed once) and S the Schur complements: one P d x P d Cholesky per
 * iteration, then two solves (predictor and corrector), each with one step of iterative
 * refinement. Unlike a Woodbury identity over the n rows, this never subtracts the large
 * H^-1 terms that appear near the end, where the blocks' multipliers diverge. The method needs
 * 20-60 iterations whatever the conditioning, so it suits problems with P d up to a few
 * thousand ({@link #supports}); ADMM and the augmented Lagrangian take larger ones.
 *
 * <p>The iterates stay strictly inside the cones, so the network read off the blocks is
 * exactly feasible. This class adds what makes the iteration a solver: the cone multipliers
 * z_j of K_j b_j &gt;= 0 are the mu of {@link Certificate}, which decides convergence like for
 * every other solver; blocks whose norm is negligible at the end are set to zero (they are the
 * inactive neurons the interior iterates only approach) when the certificate stays within
 * tolerance; and numerical trouble before the tolerance hands the best point to
 * {@link AdmmReluSolver}.
 */
public final class InteriorPointReluSolver implements ConvexSolver {
  /**
   * Largest P d: the normal equations are P d x P d, one Cholesky factorisation
   * ((P d)^3 / 3 flops) per iteration. At the limit that is 1.8e11 flops, a few seconds with the
   * blocked parallel {@link Cholesky}, so the 20-60 iterations still beat ADMM's tail: on
   * Gaussian instances with P d = 4500-8000 ADMM had not certified 1e-6 after 300 s where this
   * method certified 1e-7 in 30-130 s.
   */
  public static final int MAX_PATTERN_DIMENSION = 8192;
  /** Budget for the n x d(d+1)/2 Khatri-Rao products and the n x 2P iterates, in doubles. */
  private static final long MAX_DOUBLES = 8_000_000L;
  private static final double PRUNE_MARGIN = 0.01;

  /**
   * True for the ReLU formulation with squared loss, P d at most
   * {@link #MAX_PATTERN_DIMENSION} and n small enough for the n x d(d+1)/2 Khatri-Rao products
   * and the n x 2P iterates (about 20 arrays) to stay within a few hundred megabytes, and the
   * two P d x P d matrices (the pattern Gram matrix, and the normal matrix factored in place)
   * within half of the JVM's heap.
   */
  public static boolean supports(ConvexReluProblem problem) {
    long n = problem.n();
    int d = problem.d();
    int p = problem.patternCount();
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss
        && (long) p * d <= MAX_PATTERN_DIMENSION
        && n * d * (d + 1) / 2 <= MAX_DOUBLES && n * 2 * p <= MAX_DOUBLES / 2
        && 2L * p * d * p * d <= Runtime.getRuntime().maxMemory() / Double.BYTES / 2;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("the interior-point solver takes the ReLU formulation "
          + "with squared loss, P d <= " + MAX_PATTERN_DIMENSION + ", moderate n and heap for "
          + "two P d x P d matrices");
    }
    long start = System.nanoTime();
    PathFollowing path;
    try {
      path = new PathFollowing(problem);
    } catch (ArithmeticException e) {
      return fallback(problem, warmStart, options, listener, start);
    }
    Run run = new Run(problem, options, start);
    run.follow(path, listener);
    if (run.best == null) {
      return fallback(problem, warmStart, options, listener, start);
    }
    Point out = run.pruneInactiveBlocks();
    if (run.reason != StopReason.CONVERGED && run.reason != StopReason.STOPPED_BY_LISTENER
        && out.certificate().relativeGap() > options.tolerance()) {
      // Numerical trouble before the tolerance: hand the best point to ADMM, which polishes.
      double left = options.maxSeconds() - (System.nanoTime() - start) * 1e-9;
      if (left > 0.0 && run.reason != StopReason.MAX_ITERATIONS) {
        return run.handOffToAdmm(out.weights(), left, listener);
      }
    }
    return run.result(out);
  }

  /** Blocks with the multipliers they were certified with and the certificate. */
  private record Point(DenseMatrix weights, DenseMatrix multipliers, Certificate certificate) {}

  /** The certified record of one path-following run: history, best iterate, stop reason. */
  private static final class Run {
    private final ConvexReluProblem problem;
    private final SolverOptions options;
    private final long start;
    private final double feasTol;
    private final List<IterationRecord> history = new ArrayList<>();
    private StopReason reason;
    private int it;
    /** The certified iterate with the smallest gap among those within feasTol. */
    private Point best;

    Run(ConvexReluProblem problem, SolverOptions options, long start) {
      this.problem = problem;
      this.options = options;
      this.start = start;
      this.feasTol = AdmmReluSolver.feasibilityTolerance(problem, options);
    }

    /** Certifies every iterate and steps until a stopping rule sets {@link #reason}. */
    void follow(PathFollowing path, IterationListener listener) {
      while (reason == null) {
        DenseMatrix b = path.weights();
        DenseMatrix mu = path.multipliers();
        Certificate cert = Certificate.compute(problem, b, problem.forward(b), mu);
        double seconds = (System.nanoTime() - start) * 1e-9;
        IterationRecord rec = new IterationRecord(it, it, cert.objective(), cert.lowerBound(),
            cert.relativeGap(), cert.constraintViolation(), seconds);
        history.add(rec);
        if (Double.isFinite(cert.relativeGap()) && cert.constraintViolation() <= feasTol
            && (best == null || cert.relativeGap() < best.certificate().relativeGap())) {
          best = new Point(b, mu, cert);
        }
        reason = stopReason(cert, seconds, listener, rec, b);
        if (reason == null) {
          it++;
          try {
            if (!path.step()) {
              reason = StopReason.STALLED;
            }
          } catch (ArithmeticException e) {
            reason = StopReason.NUMERICAL_FAILURE;
          }
        }
      }
    }

    private StopReason stopReason(Certificate cert, double seconds, IterationListener listener,
        IterationRecord rec, DenseMatrix b) {
      // Iterate on to a hundredth of the tolerance (two or three more steps at the method's
      // superlinear end) so that the inactive blocks are small enough to prune.
      if (cert.relativeGap() <= PRUNE_MARGIN * options.tolerance()
          && cert.constraintViolation() <= feasTol) {
        return StopReason.CONVERGED;
      } else if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
        return StopReason.NUMERICAL_FAILURE;
      } else if (!listener.onIteration(rec, b)) {
        return StopReason.STOPPED_BY_LISTENER;
      } else if (it >= options.maxIterations()) {
        return StopReason.MAX_ITERATIONS;
      } else if (seconds >= options.maxSeconds()) {
        return StopReason.TIME_LIMIT;
      }
      return null;
    }

    /**
     * Interior iterates approach the inactive neurons' zero blocks without reaching them: zero
     * the small blocks, at the largest relative threshold the certificate still accepts.
     */
    Point pruneInactiveBlocks() {
      double allowed = Math.max(options.tolerance(), best.certificate().relativeGap());
      for (double threshold = 1e-3; threshold >= 1e-12; threshold *= 0.1) {
        DenseMatrix pruned = pruneSmallBlocks(best.weights(), threshold);
        if (pruned == null) {
          continue;
        }
        Certificate pc = Certificate.compute(problem, pruned, problem.forward(pruned),
            best.multipliers());
        if (pc.constraintViolation() <= feasTol && pc.relativeGap() <= allowed) {
          return new Point(pruned, best.multipliers(), pc);
        }
      }
      return best;
    }

    /** ADMM from the returned point for the time left, with the two histories joined. */
    SolverResult handOffToAdmm(DenseMatrix from, double left, IterationListener listener) {
      SolverResult admm = new AdmmReluSolver().solve(problem, from,
          new SolverOptions(options.tolerance(), options.feasibilityTolerance(),
              options.maxIterations(), left), listener);
      List<IterationRecord> all = new ArrayList<>(history);
      all.addAll(admm.history());
      return new SolverResult(admm.weights(), admm.certificate(), admm.stopReason(),
          List.copyOf(all), it + admm.iterations(), (System.nanoTime() - start) * 1e-9,
          admm.multipliers());
    }

    SolverResult result(Point out) {
      double seconds = (System.nanoTime() - start) * 1e-9;
      StopReason outReason = out.certificate().relativeGap() <= options.tolerance()
          ? StopReason.CONVERGED : reason;
      return new SolverResult(out.weights(), out.certificate(), outReason,
          List.copyOf(history), it, seconds, out.multipliers());
    }
  }

  private static SolverResult fallback(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, long start) {
    double left = Math.max(1e-3, options.maxSeconds() - (System.nanoTime() - start) * 1e-9);
    return new AdmmReluSolver().solve(problem, warmStart, new SolverOptions(options.tolerance(),
        options.feasibilityTolerance(), options.maxIterations(), left), listener);
  }

  /**
   * Zeroes the blocks whose norm is at most {@code threshold} times the largest; null when none
   * qualifies.
   */
  public static DenseMatrix pruneSmallBlocks(DenseMatrix b, double threshold) {
    double largest = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      largest = Math.max(largest, b.columnNorm(j));
    }
    DenseMatrix out = b.copy();
    boolean any = false;
    int d = b.rows();
    for (int j = 0; j < b.cols(); j++) {
      double nj = b.columnNorm(j);
      if (nj > 0.0 && nj <= threshold * largest) {
        java.util.Arrays.fill(out.data(), j * d, (j + 1) * d, 0.0);
        any = true;
      }
    }
    return any ? out : null;
  }
}
