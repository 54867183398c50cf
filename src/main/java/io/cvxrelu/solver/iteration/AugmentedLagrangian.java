package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * The augmented-Lagrangian method for the cone-constrained ReLU program (Pilanci and Ergen 2020,
 * eq. (8)), written once for the single-node and the distributed solver. Each round minimises
 * the augmented Lagrangian (Rockafellar's form for inequality constraints, see
 * {@link AugmentedLossTerm}) in the blocks (v, w) with warm-started FISTA to a shrinking
 * gradient-mapping tolerance, then updates the cone multipliers mu+ = (mu - rho K v)_+ and
 * raises rho when the constraint violation stalls.
 *
 * <p>It stops only when all three optimality conditions hold: primal feasibility (violation at
 * most the feasibility tolerance), stationarity and complementary slackness. The last two are
 * checked through the duality gap of {@link Certificate} built from the residual and the updated
 * multipliers: for a feasible point the gap equals sum_i mu_i^T K_i v_i plus the dual
 * infeasibility of the stationarity residual, so a gap below tolerance certifies both.
 *
 * <p>The passes over the data are injected ({@link Passes}): on a single node the multipliers
 * are an n x 2P matrix, on a cluster an RDD aligned with the row blocks; the rounds, the rho
 * schedule and the inner tolerance are this class's.
 *
 * @param <M> how the cone multipliers are held
 */
public final class AugmentedLagrangian<M> {
  private static final double RHO_GROWTH = 10.0;
  private static final double MAX_RHO = 1e8;
  private static final int POWER_ITERATION_ROUNDS = 20;

  /** The passes of a round over the data, local or distributed. */
  public interface Passes<M> {
    /** FISTA on the augmented Lagrangian at the current multipliers and rho. */
    ProxGradientIteration iteration();

    /**
     * Swaps in the augmented Lagrangian at (mu, rho): the iteration keeps its iterate, drops
     * its momentum and takes a step of at least 1 / {@code lipschitz}.
     */
    void reset(M multipliers, double rho, double lipschitz);

    /** mu+ = (mu - rho K B)_+ at the current iterate B. */
    M updatedMultipliers(M multipliers, double rho);

    /** The duality-gap certificate at the current iterate with the multipliers mu+. */
    Certificate certificate(M updated);

    /** Multipliers no longer needed: a buffer to reuse, or cached data to release. */
    void release(M multipliers);

    /**
     * The method stopped for {@code reason} in the round that started from
     * {@code multipliers} and ended with {@code updated}: releases them and returns the
     * multipliers the result reports (null: none).
     */
    DenseMatrix finish(StopReason reason, M multipliers, M updated);
  }

  /** The method's state between rounds (mutable: a checkpoint reads it during a round). */
  public static final class State<M> {
    private int round;
    private double rho;
    private double innerTolerance = 1e-2;
    private double previousViolation = Double.POSITIVE_INFINITY;
    private M multipliers;

    private State(double rho, M multipliers) {
      this.rho = rho;
      this.multipliers = multipliers;
    }

    /** The state saved in {@code round} (which is run again from its start multipliers). */
    public static <M> State<M> resumed(int round, double rho, double innerTolerance,
        double previousViolation, M multipliers) {
      State<M> s = new State<>(rho, multipliers);
      s.round = round - 1;
      s.innerTolerance = innerTolerance;
      s.previousViolation = previousViolation;
      return s;
    }

    /** The current round, from 1. */
    public int round() {
      return round;
    }

    public double rho() {
      return rho;
    }

    /** The gradient-mapping tolerance of the inner solve, relative to beta. */
    public double innerTolerance() {
      return innerTolerance;
    }

    /** The constraint violation at the end of the previous round. */
    public double previousViolation() {
      return previousViolation;
    }

    /** The multipliers the current round started from. */
    public M multipliers() {
      return multipliers;
    }
  }

  private final double beta;
  private final double curvature;
  private final double lossLipschitz;
  private final double dataNorm2;
  private final double feasibilityTolerance;
  private final SolverOptions options;

  /**
   * Measures the program: the loss term's Lipschitz constant (power iteration on the normal
   * operator), ||X||^2 (the penalty's curvature per unit rho) and the feasibility tolerance,
   * relative to max(1, max |y|).
   */
  public AugmentedLagrangian(ConvexProgram program, SolverOptions options) {
    this.beta = program.beta();
    this.curvature = program.loss().curvature();
    this.lossLipschitz = curvature
        * OperatorNorms.lossOperatorNormSquared(program, POWER_ITERATION_ROUNDS);
    this.dataNorm2 = OperatorNorms.gramNormSquared(program.gram());
    this.feasibilityTolerance = options.feasibilityTolerance()
        * Math.max(1.0, program.largestLabel());
    this.options = options;
  }

  /**
   * The state of a fresh start from zero multipliers. The penalty's curvature rho ||X||^2 costs
   * nothing in step size while it stays below the loss term's Lipschitz constant, so rho starts
   * there: fewer rounds for the same inner work.
   */
  public State<M> start(M zeroMultipliers) {
    return new State<>(Math.max(curvature, dataNorm2 > 0.0 ? lossLipschitz / dataNorm2 : 1.0),
        zeroMultipliers);
  }

  /** The Lipschitz constant of the augmented Lagrangian's gradient at rho. */
  public double lipschitz(double rho) {
    return lossLipschitz + rho * dataNorm2;
  }

  /**
   * Runs rounds from {@code state} until a stop reason.
   *
   * @param resumedRound the iteration was restored inside the state's round: that round may end
   *     without a further step, as the uninterrupted one would have
   * @param start {@link System#nanoTime()} when the solve started
   */
  public SolverResult run(Passes<M> passes, State<M> state, boolean resumedRound,
      IterationListener listener, long start) {
    ProxGradientIteration fista = passes.iteration();
    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = null;
    StopReason reason = null;
    M updated = null;
    boolean resumed = resumedRound;
    while (reason == null) {
      state.round++;
      boolean stalled = !innerSolve(fista, state.innerTolerance, resumed, start);
      resumed = false;
      updated = passes.updatedMultipliers(state.multipliers, state.rho);
      cert = passes.certificate(updated);
      double seconds = (System.nanoTime() - start) * 1e-9;
      IterationRecord rec = new IterationRecord(state.round, fista.steps(), cert.objective(),
          cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
      history.add(rec);
      double violation = cert.constraintViolation();
      reason = roundOutcome(cert, rec, stalled, listener, fista.iterate());
      if (reason != null) {
        break;
      }
      state.rho = nextRho(state.rho, violation, state.previousViolation);
      state.previousViolation = violation;
      passes.release(state.multipliers);
      state.multipliers = updated;
      passes.reset(state.multipliers, state.rho, lipschitz(state.rho));
      state.innerTolerance = Math.max(state.innerTolerance * 0.2, 1e-13);
    }
    DenseMatrix multipliers = passes.finish(reason, state.multipliers, updated);
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(fista.iterate().copy(), cert, reason, List.copyOf(history),
        fista.steps(), seconds, multipliers);
  }

  /**
   * FISTA on the augmented Lagrangian until the gradient mapping is within the inner tolerance
   * (at least one step) or a budget runs out.
   *
   * @return false when a step stalled
   */
  private boolean innerSolve(ProxGradientIteration fista, double innerTolerance,
      boolean resumed, long start) {
    long innerStart = resumed ? fista.steps() - 1 : fista.steps();
    while (fista.steps() - innerStart < 1 || fista.gradientMapping() > innerTolerance * beta) {
      if (!fista.step()) {
        return false;
      }
      if (fista.steps() >= options.maxIterations()
          || (System.nanoTime() - start) * 1e-9 >= options.maxSeconds()) {
        break;
      }
    }
    return true;
  }

  /**
   * Why the method stops after a round with this certificate, or null to go on: all three
   * optimality conditions (gap and feasibility), a listener, a budget or a stalled step.
   */
  private StopReason roundOutcome(Certificate cert, IterationRecord rec, boolean stalled,
      IterationListener listener, DenseMatrix weights) {
    if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
      return StopReason.NUMERICAL_FAILURE;
    } else if (cert.relativeGap() <= options.tolerance()
        && cert.constraintViolation() <= feasibilityTolerance) {
      return StopReason.CONVERGED;
    } else if (!listener.onIteration(rec, weights)) {
      return StopReason.STOPPED_BY_LISTENER;
    } else if (rec.innerIterations() >= options.maxIterations()) {
      return StopReason.MAX_ITERATIONS;
    } else if (rec.seconds() >= options.maxSeconds()) {
      return StopReason.TIME_LIMIT;
    }
    return stalled ? StopReason.STALLED : null;
  }

  /** rho grows tenfold while the violation is above tolerance and falls too slowly. */
  private double nextRho(double rho, double violation, double previousViolation) {
    return violation > feasibilityTolerance && violation > 0.25 * previousViolation
        && rho < MAX_RHO ? rho * RHO_GROWTH : rho;
  }
}
