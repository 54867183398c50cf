package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.AugmentedLagrangian;
import io.cvxrelu.solver.iteration.Fista;
import io.cvxrelu.solver.iteration.ProxGradientIteration;
import io.cvxrelu.solver.iteration.SmoothPart;

/**
 * The single-node passes of the project's augmented-Lagrangian method
 * ({@link AugmentedLagrangian}: Rockafellar's form for the cone constraints of Pilanci and
 * Ergen 2020, eq. (8)) for the cone-constrained CNN programs: FISTA on the products Z = S B of
 * one patch matrix S (the stacked patches), with a program's loss plus cone penalty on Z as its
 * smooth part ({@link Term}). The pooled ReLU program ({@link PooledReluSolver}) and the
 * separable one ({@link SeparableReluSolver}'s hand-off) differ only in that term and their
 * certificate.
 */
final class LocalConePasses implements AugmentedLagrangian.Passes<DenseMatrix> {
  /** Inner tolerance (relative to beta) of the first round from a near-optimal point. */
  private static final double WARM_INNER_TOLERANCE = 1e-6;

  /** The augmented Lagrangian's smooth part on Z at fixed (mu, rho), and its multiplier step. */
  interface Term extends SmoothPart {
    /** mu+ = (mu - rho K B)_+ from the products Z = S B, written into {@code out}. */
    void updatedMultipliers(DenseMatrix z, DenseMatrix out);
  }

  /** The program's pieces: its term at (mu, rho), fresh multipliers and its certificate. */
  interface Program {
    Term term(DenseMatrix multipliers, double rho);

    DenseMatrix zeroMultipliers();

    /** The certificate at blocks B with products Z = S B and cone multipliers mu. */
    Certificate certificate(DenseMatrix b, DenseMatrix z, DenseMatrix mu);
  }

  private final Program program;
  private final Fista fista;
  private Term term;
  private DenseMatrix spare;

  private LocalConePasses(Program program, ConvexReluProblem products, DenseMatrix start,
      AugmentedLagrangian.State<DenseMatrix> state, double lipschitz) {
    this.program = program;
    this.term = program.term(state.multipliers(), state.rho());
    this.fista = new Fista(products, term, start, lipschitz);
  }

  /**
   * Runs the method on {@code measured} (its Lipschitz constants and feasibility tolerance) from
   * blocks B and cone multipliers mu, e.g. an interior-point iterate that stopped short of the
   * tolerance: the first round then starts at the usual rho with a tight inner tolerance.
   *
   * @param products the patch matrix S whose products Z = S B the terms read
   */
  static SolverResult solve(ConvexProgram measured, ConvexReluProblem products, Program program,
      DenseMatrix start, DenseMatrix multipliers, SolverOptions options,
      IterationListener listener) {
    long t0 = System.nanoTime();
    AugmentedLagrangian<DenseMatrix> method = new AugmentedLagrangian<>(measured, options);
    AugmentedLagrangian.State<DenseMatrix> fresh = method.start(multipliers.copy());
    boolean warm = ConeProgramCertificates.largestLabel(start.data()) > 0.0;
    AugmentedLagrangian.State<DenseMatrix> state = warm ? AugmentedLagrangian.State.resumed(1,
        fresh.rho(), WARM_INNER_TOLERANCE, Double.POSITIVE_INFINITY, fresh.multipliers())
        : fresh;
    LocalConePasses passes = new LocalConePasses(program, products, start, state,
        method.lipschitz(state.rho()));
    return method.run(passes, state, false, listener, t0);
  }

  @Override
  public ProxGradientIteration iteration() {
    return fista;
  }

  @Override
  public void reset(DenseMatrix multipliers, double rho, double lipschitz) {
    term = program.term(multipliers, rho);
    fista.reset(term, lipschitz);
  }

  @Override
  public DenseMatrix updatedMultipliers(DenseMatrix multipliers, double rho) {
    DenseMatrix out = spare != null ? spare : program.zeroMultipliers();
    spare = null;
    term.updatedMultipliers(fista.product(), out);
    return out;
  }

  @Override
  public Certificate certificate(DenseMatrix updated) {
    return program.certificate(fista.iterate(), fista.product(), updated);
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
