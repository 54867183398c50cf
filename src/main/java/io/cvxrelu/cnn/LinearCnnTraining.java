package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.util.Arrays;
import java.util.Locale;

/**
 * Trains a two-layer linear CNN through its convex program: the nuclear-norm program
 * ({@link LinearCnnProgram}) or, for circular patches of 1-D signals, the l1 program under the
 * DFT ({@link CircularCnnProgram}); then reads the network off the solution and evaluates its
 * non-convex objective. What a job calls between reading options and writing files.
 */
public final class LinearCnnTraining {
  private LinearCnnTraining() {}

  /** Which linear CNN program (Pilanci and Ergen 2020, section 5, cases 2 and 3). */
  public enum Architecture {
    /** Patches at a stride, the nuclear-norm program. */
    LINEAR_CNN("linear-cnn"),
    /** Circular shifts of a 1-D signal, the l1 program under the DFT. */
    CIRCULAR_CNN("circular-cnn");

    private final String id;

    Architecture(String id) {
      this.id = id;
    }

    /** The name on the command line and in summaries. */
    public String id() {
      return id;
    }

    /** The architecture named {@code id}. */
    public static Architecture of(String id) {
      for (Architecture a : values()) {
        if (a.id.equals(id.toLowerCase(Locale.ROOT))) {
          return a;
        }
      }
      throw new IllegalArgumentException("architecture must be one of "
          + Arrays.stream(values()).map(Architecture::id).toList() + ", got '" + id + "'");
    }
  }

  /**
   * What to train.
   *
   * @param architecture the program
   * @param geometry the patches (circular shifts for {@link Architecture#CIRCULAR_CNN})
   * @param beta the regularisation weight, or NaN to take {@code betaFraction * betaMax}
   * @param betaFraction beta as a fraction of beta_max when {@code beta} is NaN
   * @param options the solver's stopping rules
   */
  public record Spec(Architecture architecture, PatchGeometry geometry, double beta,
      double betaFraction, SolverOptions options) {
    /** Checks that the geometry fits the architecture. */
    public Spec {
      if ((architecture == Architecture.CIRCULAR_CNN) != geometry.circular()) {
        throw new IllegalArgumentException(architecture.id() + " needs "
            + (geometry.circular() ? "windowed" : "circular") + " patches");
      }
    }
  }

  /**
   * A trained linear CNN.
   *
   * @param beta the beta used
   * @param betaMax the smallest beta at which the zero network is optimal
   * @param result the convex solver's result (weights: vec(Z), or the grouped DFT coefficients)
   * @param product Z = sum_j u_j alpha_j^T in the time domain (h x K)
   * @param network the filters and output weights read off Z
   * @param nonconvexObjective the network's own objective with weight decay beta/2
   */
  public record Trained(Spec spec, double beta, double betaMax, SolverResult result,
      DenseMatrix product, LinearCnn network, double nonconvexObjective) {}

  /** Solves the program of {@code spec} on (x, y) and recovers the network. */
  public static Trained train(Spec spec, DenseMatrix x, double[] y, IterationListener listener) {
    boolean circular = spec.architecture() == Architecture.CIRCULAR_CNN;
    PatchGeometry g = spec.geometry();
    if (x.cols() != g.inputSize()) {
      // The geometry's own check, before the DFT (which takes any length).
      g.patchRows(x);
    }
    double betaMax = circular ? CircularCnnProgram.betaMax(x, y)
        : LinearCnnProgram.betaMax(x, y, g);
    double beta = Double.isNaN(spec.beta()) ? spec.betaFraction() * betaMax : spec.beta();
    NormRegularizedLeastSquares problem = circular ? CircularCnnProgram.of(x, y, beta)
        : LinearCnnProgram.of(x, y, g, beta);
    SolverResult result = new ProximalGradientSolver().solve(problem, spec.options(), listener);
    DenseMatrix z = circular ? CircularCnnProgram.product(result)
        : LinearCnnProgram.product(result, g);
    LinearCnn network = LinearCnn.fromProduct(z, g);
    return new Trained(spec, beta, betaMax, result, z, network,
        network.objective(x, y, beta));
  }
}
