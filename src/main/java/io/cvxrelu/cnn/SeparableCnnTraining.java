package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.util.List;

/**
 * Trains the separable CNN through its convex program, the gated group lasso
 * ({@link SeparableGatedCnn}, proximal gradient) or the cone-constrained ReLU program
 * ({@link SeparableReluCnn}, interior point), and reads the neurons off the blocks; what a job
 * calls between options and files. The design is built explicitly, so its size is checked
 * first.
 */
public final class SeparableCnnTraining {
  /** Largest design (n x h sum_k P_k entries) and largest Gram side this path builds. */
  public static final long MAX_DESIGN_ENTRIES = 1L << 27;
  public static final int MAX_UNKNOWNS = 8192;

  private SeparableCnnTraining() {}

  /**
   * What to train.
   *
   * @param relu the cone-constrained ReLU program (else the gated one)
   * @param geometry the patches
   * @param patternsPerPatch sampled sign patterns per patch matrix X_k
   * @param seed seed of the gate sampling (patch k uses seed + k)
   * @param beta the regularisation weight, or NaN for {@code betaFraction * betaMax}
   * @param betaFraction beta as a fraction of beta_max when {@code beta} is NaN
   * @param options the solver's stopping rules
   */
  public record Spec(boolean relu, PatchGeometry geometry, int patternsPerPatch, long seed, double beta,
      double betaFraction, SolverOptions options) {}

  /**
   * A trained gated separable CNN.
   *
   * @param program the gated group lasso and its patterns (the ReLU program's design too)
   * @param solver the method that produced the result
   * @param neurons the recovered neurons
   * @param nonconvexObjective the network's own objective with weight decay beta/2
   */
  public record Trained(Spec spec, double beta, double betaMax, SeparableGatedCnn program,
      String solver, SolverResult result, List<SeparableGatedCnn.Neuron> neurons, double nonconvexObjective) {}

  /**
   * Checks that the explicit design for {@code rows} rows stays within
   * {@link #MAX_UNKNOWNS} columns and {@link #MAX_DESIGN_ENTRIES} entries.
   *
   * @throws IllegalArgumentException naming the sizes, in one line
   */
  public static void checkSize(Spec spec, int rows) {
    PatchGeometry g = spec.geometry();
    long unknowns = (long) g.patchSize() * g.patchCount() * spec.patternsPerPatch();
    if (spec.relu() && unknowns > PooledInteriorPointSolver.MAX_PATTERN_DIMENSION) {
      throw new IllegalArgumentException("the separable ReLU CNN's interior-point method takes "
          + "at most " + PooledInteriorPointSolver.MAX_PATTERN_DIMENSION + " unknowns per sign, "
          + "got " + unknowns + ": use fewer patterns or larger patches");
    }
    if (unknowns > MAX_UNKNOWNS || unknowns * rows > MAX_DESIGN_ENTRIES) {
      throw new IllegalArgumentException("the separable CNN's explicit design would have "
          + rows + " x " + unknowns + " entries (at most " + MAX_UNKNOWNS + " columns and "
          + MAX_DESIGN_ENTRIES + " entries): use fewer patterns, larger patches or fewer rows");
    }
  }

  /**
   * Solves the program of {@code spec} on (x, y).
   *
   * @throws IllegalArgumentException when the explicit design would be too large
   * @throws IllegalStateException when the ReLU program's interior-point method finds no
   *     certified point (a gate on a data hyperplane), which no other method here takes over
   */
  public static Trained train(Spec spec, DenseMatrix x, double[] y, IterationListener listener) {
    checkSize(spec, x.rows());
    PatchGeometry g = spec.geometry();
    SeparableGatedCnn unit = SeparableGatedCnn.of(x, y, g, spec.patternsPerPatch(), spec.seed(),
        1.0);
    double betaMax = NormRegularizedLeastSquares.betaMax(unit.problem().a(), y,
        unit.problem().norm());
    double beta = Double.isNaN(spec.beta()) ? spec.betaFraction() * betaMax : spec.beta();
    SeparableGatedCnn program = new SeparableGatedCnn(new NormRegularizedLeastSquares(
        unit.problem().a(), y, beta, unit.problem().norm()), g, unit.patterns());
    SolverResult result;
    List<SeparableGatedCnn.Neuron> neurons;
    if (spec.relu()) {
      SeparableReluCnn relu = new SeparableReluCnn(x, program);
      result = new SeparableReluSolver().solve(relu, spec.options(), listener).orElseThrow(
          () -> new IllegalStateException("the interior-point method found no certified point "
              + "of the separable ReLU program (a gate on a data hyperplane?)"));
      neurons = relu.recover(result);
    } else {
      result = new ProximalGradientSolver().solve(program.problem(), spec.options(), listener);
      neurons = program.recover(result);
    }
    return new Trained(spec, beta, betaMax, program, spec.relu() ? "interior-point" : "fista",
        result, neurons,
        SeparableGatedCnn.objective(neurons, g, x, y, beta));
  }
}
