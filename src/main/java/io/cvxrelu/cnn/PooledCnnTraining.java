package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;

/**
 * Trains the CNN with shared filters and global pooling through its convex program (Ergen and
 * Pilanci, ICLR 2021): the gated program ({@link PooledGatedCnn}, certified proximal gradient)
 * or the ReLU program ({@link PooledReluCnn}: the interior-point method when it fits, else the
 * augmented Lagrangian), then reads the filters off the blocks and evaluates the network's own
 * objective from the patches. What a job calls between options and files.
 */
public final class PooledCnnTraining {
  /** Largest hP (columns of the gated program's design, side of its Gram matrix). */
  public static final int MAX_UNKNOWNS = 8192;
  /** Largest n x hP design, and largest nK x 2P matrix of the ReLU program's iterations. */
  public static final long MAX_ENTRIES = 1L << 27;

  private PooledCnnTraining() {}

  /**
   * What to train.
   *
   * @param relu the cone-constrained ReLU program (else the gated one)
   * @param geometry the patches
   * @param patterns sign patterns sampled on the stacked patches (ignored when exact)
   * @param exactPatterns every pattern of the stacked patches, by exact enumeration (small h)
   * @param seed seed of the gates
   * @param beta the regularisation weight, or NaN for {@code betaFraction * betaMax}
   * @param betaFraction beta as a fraction of beta_max when {@code beta} is NaN
   * @param options the solver's stopping rules
   */
  public record Spec(boolean relu, PatchGeometry geometry, int patterns, boolean exactPatterns,
      long seed, double beta, double betaFraction, SolverOptions options) {}

  /** Budget of the exact enumeration (ray subsets visited), about a second of work. */
  public static final long MAX_ENUMERATION_SUBSETS = 2_000_000L;

  /**
   * A trained pooled CNN.
   *
   * @param patternCount distinct patterns found (at most the requested number)
   * @param solver the method that produced the result
   * @param network the recovered filters, output weights (and gates)
   * @param nonconvexObjective the network's own objective with weight decay beta/2
   */
  public record Trained(Spec spec, double beta, double betaMax, int patternCount, String solver,
      SolverResult result, PooledCnn network, double nonconvexObjective) {}

  /**
   * Checks that the program for {@code rows} examples stays within the size limits.
   *
   * @throws IllegalArgumentException naming the sizes, in one line
   */
  public static void checkSize(Spec spec, int rows) {
    PatchGeometry g = spec.geometry();
    long patterns = spec.exactPatterns() ? cellBound(rows * g.patchCount(), g.patchSize())
        : spec.patterns();
    long unknowns = patterns > MAX_UNKNOWNS ? Long.MAX_VALUE : (long) g.patchSize() * patterns;
    long entries = spec.relu() ? 2L * rows * g.patchCount() * patterns
        : rows * unknowns;
    if (unknowns > MAX_UNKNOWNS || entries > MAX_ENTRIES) {
      throw new IllegalArgumentException("the pooled CNN program would have "
          + (unknowns == Long.MAX_VALUE ? "too many" : String.valueOf(unknowns))
          + " unknowns per sign and " + entries + " matrix entries (at most " + MAX_UNKNOWNS
          + " and " + MAX_ENTRIES + "): use fewer patterns, larger strides or fewer rows");
    }
  }

  /** Cover's count of the cells of nK rows in general position in R^h, saturated. */
  private static long cellBound(long rows, int h) {
    try {
      return io.cvxrelu.patterns.ArrangementEnumerator.generalPositionCellCount(
          (int) Math.min(Integer.MAX_VALUE, rows), h);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Solves the program of {@code spec} on (x, y).
   *
   * @throws IllegalArgumentException when the program would be too large
   */
  public static Trained train(Spec spec, DenseMatrix x, double[] y, IterationListener listener) {
    checkSize(spec, x.rows());
    PatchGeometry g = spec.geometry();
    StackedPatches stack = StackedPatches.of(x, g);
    SignPatterns patterns = spec.exactPatterns()
        ? stack.enumeratePatterns(MAX_ENUMERATION_SUBSETS)
        : stack.samplePatterns(spec.patterns(), spec.seed());
    double betaMax = stack.betaMax(patterns, y);
    double beta = Double.isNaN(spec.beta()) ? spec.betaFraction() * betaMax : spec.beta();
    SolverResult result;
    PooledCnn network;
    String solver;
    if (spec.relu()) {
      PooledReluCnn program = new PooledReluCnn(stack, patterns, y, g, beta);
      long t0 = System.nanoTime();
      result = new PooledInteriorPointSolver().solve(program, spec.options(), listener)
          .orElse(null);
      solver = result != null ? "interior-point" : "augmented-lagrangian";
      if (result == null) {
        result = new PooledReluSolver().solve(program, spec.options(), listener);
      } else if (result.stopReason() == StopReason.NUMERICAL_FAILURE
          || result.stopReason() == StopReason.STALLED) {
        // Numerical trouble before the tolerance (near-degenerate blocks, many patterns): the
        // augmented Lagrangian goes on from the best certified point and its multipliers.
        double left = spec.options().maxSeconds() - (System.nanoTime() - t0) * 1e-9;
        if (left > 0.0) {
          result = new PooledReluSolver().solve(program, result.weights(),
              result.multipliers(), new SolverOptions(spec.options().tolerance(),
                  spec.options().feasibilityTolerance(), spec.options().maxIterations(), left),
              listener);
          solver = "interior-point, then augmented-lagrangian";
        }
      }
      network = program.recover(result);
    } else {
      PooledGatedCnn program = PooledGatedCnn.of(stack, patterns, y, g, beta);
      solver = "fista";
      result = new ProximalGradientSolver().solve(program.problem(), spec.options(), listener);
      network = program.recover(result);
    }
    return new Trained(spec, beta, betaMax, patterns.count(), solver, result, network,
        network.objective(x, y, beta));
  }
}
