package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.iteration.Backtracking;
import io.cvxrelu.solver.iteration.ProxGradientIteration;
import io.cvxrelu.solver.iteration.ProximalGradient;
import java.util.function.Consumer;

/**
 * FISTA with backtracking and gradient restart (the iteration of the single-node
 * {@code Fista}: same momentum sequence, restart test and step rule ({@link Backtracking}), so
 * from the same start and first step it produces the same iterates) with the smooth part summed
 * over row blocks.
 *
 * <p>One pass per step: the driver forms the candidate C = prox(Y - t grad phi(Y)), decides the
 * restart and hence the next extrapolated point Y' = C + w (C - X), and a single pass returns
 * phi(C) for the backtracking test together with phi(Y') and grad phi(Y') for the next step.
 * The look-ahead is wasted only when backtracking rejects C, which is rare after the first
 * steps. The prox, restart and momentum are {@link ProximalGradient}'s, run on the driver.
 */
public final class DistributedFista implements ProxGradientIteration {

  /** The smooth part phi summed over the blocks: phi(C) (if C is given) and phi, grad at Y. */
  interface Smooth {
    DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point);
  }

  private final DistributedProblem problem;
  private final double beta;
  private final String phase;
  private final Backtracking backtracking;
  private Smooth f;
  private DenseMatrix x;
  private DenseMatrix xPrev;
  private DenseMatrix y;
  private DenseMatrix grad;
  private double atY;
  private double momentum;
  private long steps;
  private Consumer<DistributedFista> afterStep = s -> { };
  /** The look-ahead of the candidate last evaluated: its momentum, Y' and the pass at Y'. */
  private double nextMomentum;
  private DenseMatrix nextY;
  private DistributedProblem.Evaluation next;

  /**
   * Starts (or resumes) from X with previous iterate X_prev and momentum t (a fresh start has
   * X_prev = X and t = 1).
   */
  private DistributedFista(DistributedProblem problem, Smooth f, String phase, DenseMatrix x,
      DenseMatrix xPrev, double momentum, Backtracking backtracking, long steps) {
    this.problem = problem;
    this.beta = problem.beta();
    this.phase = phase;
    this.f = f;
    this.x = x.copy();
    this.xPrev = xPrev.copy();
    this.momentum = momentum;
    this.backtracking = backtracking;
    this.steps = steps;
    evaluateAtExtrapolation();
  }

  /** A fresh start from B0 with the first step 1 / {@code lipschitz}. */
  static DistributedFista start(DistributedProblem problem, Smooth f, String phase,
      DenseMatrix b0, double lipschitz) {
    return new DistributedFista(problem, f, phase, b0, b0, 1.0,
        Backtracking.forLipschitz(lipschitz), 0);
  }

  /** The iteration saved in a checkpoint, continued bit for bit. */
  static DistributedFista resume(DistributedProblem problem, Smooth f, String phase,
      SolverCheckpoint.State s) {
    DistributedFista it = new DistributedFista(problem, f, phase, s.iterate(),
        s.previousIterate(), s.momentum(), new Backtracking(s.stepSize()), s.steps());
    it.backtracking.restoreGradientMapping(s.gradientMapping());
    return it;
  }

  /**
   * Saves through {@code save} after every step the checkpoint says is due; nothing without a
   * checkpoint.
   */
  void checkpointEvery(SolverCheckpoint checkpoint, Runnable save) {
    if (checkpoint != null) {
      afterStep = it -> {
        if (checkpoint.due(it.steps)) {
          save.run();
        }
      };
    }
  }

  /** This iteration's state for a checkpoint, with the outer method's scalars. */
  SolverCheckpoint.State checkpointState(int round, double rho, double innerTolerance,
      double previousViolation, boolean hasMultipliers) {
    return new SolverCheckpoint.State(SolverCheckpoint.fingerprint(problem), steps, x, xPrev,
        momentum, backtracking.step(), backtracking.gradientMapping(), round, rho,
        innerTolerance, previousViolation, hasMultipliers);
  }

  private void evaluateAtExtrapolation() {
    double w = (momentum - 1.0) / ProximalGradient.nextMomentum(momentum);
    y = new DenseMatrix(x.rows(), x.cols());
    ProximalGradient.extrapolate(x.data(), xPrev.data(), w, y.data());
    problem.context().setJobDescription("cvxrelu: " + phase + " gradient at step " + steps);
    DistributedProblem.Evaluation e = f.evaluate(null, y);
    atY = e.atPoint();
    grad = e.gradient();
  }

  /** Swaps the smooth part (new multipliers or penalty) keeping the iterate; resets momentum. */
  void reset(Smooth newF, double lipschitz) {
    f = newF;
    backtracking.allowAtLeast(lipschitz);
    xPrev = x.copy();
    momentum = 1.0;
    evaluateAtExtrapolation();
  }

  @Override
  public boolean step() {
    DenseMatrix candidate = new DenseMatrix(x.rows(), x.cols());
    if (!backtracking.search(y, grad, atY, beta, candidate, this::lookAhead)) {
      return false;
    }
    xPrev = x;
    x = candidate;
    y = nextY;
    atY = next.atPoint();
    grad = next.gradient();
    momentum = nextMomentum;
    steps++;
    afterStep.accept(this);
    return true;
  }

  /**
   * phi at the candidate C, from the pass that also evaluates phi and its gradient at the
   * extrapolated point Y' that follows C if it is accepted.
   */
  private double lookAhead(DenseMatrix candidate) {
    nextMomentum = ProximalGradient.shouldRestart(y, candidate, x) ? 1.0
        : ProximalGradient.nextMomentum(momentum);
    double w = (nextMomentum - 1.0) / ProximalGradient.nextMomentum(nextMomentum);
    nextY = new DenseMatrix(x.rows(), x.cols());
    ProximalGradient.extrapolate(candidate.data(), x.data(), w, nextY.data());
    problem.context().setJobDescription("cvxrelu: " + phase + " step " + (steps + 1));
    next = f.evaluate(candidate, nextY);
    return next.atCandidate();
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public DenseMatrix iterate() {
    return x;
  }

  @Override
  public double gradientMapping() {
    return backtracking.gradientMapping();
  }
}
