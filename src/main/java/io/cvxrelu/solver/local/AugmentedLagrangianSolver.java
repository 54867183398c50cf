package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.AugmentedLagrangian;
import io.cvxrelu.solver.iteration.AugmentedLossTerm;
import io.cvxrelu.solver.iteration.Fista;
import io.cvxrelu.solver.iteration.ProxGradientIteration;

/**
 * The augmented-Lagrangian method ({@link AugmentedLagrangian}) for the cone-constrained ReLU
 * program (Pilanci and Ergen 2020, eq. (8)) on one node: the inner solve is {@link Fista} on
 * {@link AugmentedLossTerm}, the cone multipliers are an n x 2P matrix, and a round's multiplier
 * update and certificate reuse the product X B that FISTA keeps (no extra GEMM for either).
 */
public final class AugmentedLagrangianSolver implements ConvexSolver {

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    Formulation.RELU.require(problem, "AugmentedLagrangianSolver");
    long start = System.nanoTime();
    AugmentedLagrangian<DenseMatrix> method = new AugmentedLagrangian<>(problem, options);
    AugmentedLagrangian.State<DenseMatrix> state = method.start(multipliers(problem));
    LocalPasses passes = new LocalPasses(problem,
        warmStart != null ? warmStart : problem.zeroWeights(), state, method);
    return method.run(passes, state, false, listener, start);
  }

  private static DenseMatrix multipliers(ConvexReluProblem problem) {
    return new DenseMatrix(problem.n(), problem.blockCount());
  }

  /** The passes on this node; the update writes into the buffer of the multipliers released. */
  private static final class LocalPasses implements AugmentedLagrangian.Passes<DenseMatrix> {
    private final ConvexReluProblem problem;
    private final Fista fista;
    private AugmentedLossTerm term;
    private DenseMatrix spare;

    LocalPasses(ConvexReluProblem problem, DenseMatrix start,
        AugmentedLagrangian.State<DenseMatrix> state, AugmentedLagrangian<DenseMatrix> method) {
      this.problem = problem;
      this.term = new AugmentedLossTerm(problem, state.multipliers(), state.rho());
      this.fista = new Fista(problem, term, start, method.lipschitz(state.rho()));
    }

    @Override
    public ProxGradientIteration iteration() {
      return fista;
    }

    @Override
    public void reset(DenseMatrix multipliers, double rho, double lipschitz) {
      term = new AugmentedLossTerm(problem, multipliers, rho);
      fista.reset(term, lipschitz);
    }

    /** mu+ from the term of the current round (its mu and rho) at FISTA's product X B. */
    @Override
    public DenseMatrix updatedMultipliers(DenseMatrix multipliers, double rho) {
      DenseMatrix out = spare != null ? spare : multipliers(problem);
      spare = null;
      term.updatedMultipliers(fista.product(), out);
      return out;
    }

    @Override
    public Certificate certificate(DenseMatrix updated) {
      return Certificate.compute(problem, fista.iterate(), fista.product(), updated);
    }

    @Override
    public void release(DenseMatrix multipliers) {
      spare = multipliers;
    }

    @Override
    public DenseMatrix finish(StopReason reason, DenseMatrix multipliers, DenseMatrix updated) {
      return updated.copy();
    }
  }
}
