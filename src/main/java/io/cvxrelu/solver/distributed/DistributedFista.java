package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.iteration.Fista;
import io.cvxrelu.solver.iteration.ProxGradientIteration;
import io.cvxrelu.solver.iteration.ProximalGradient;
import java.util.function.Consumer;

/**
 * FISTA with backtracking and gradient restart (the iteration of the single-node
 * {@code Fista}: same momentum sequence, restart test and step rule, so from the same start
 * and first step it produces the same iterates) with the smooth part summed over row blocks.
 *
 * <p>One pass per step: the driver forms the candidate C = prox(Y - t grad phi(Y)), decides the
 * restart and hence the next extrapolated point Y' = C + w (C - X), and a single pass returns
 * phi(C) for the backtracking test together with phi(Y') and grad phi(Y') for the next step.
 * The look-ahead is wasted only when backtracking rejects C, which is rare after the first
 * steps. The prox, restart and momentum are {@link ProximalGradient}'s, run on the driver.
 */
public final class DistributedFista implements ProxGradientIteration {
  private static final double SHRINK = 0.5;

  /** The smooth part phi summed over the blocks: phi(C) (if C is given) and phi, grad at Y. */
  interface Smooth {
    DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point);
  }

  private final DistributedProblem problem;
  private final double beta;
  private final String phase;
  private Smooth f;
  private DenseMatrix x;
  private DenseMatrix xPrev;
  private DenseMatrix y;
  private DenseMatrix grad;
  private double atY;
  private double momentum;
  private double step;
  private double gradientMapping = Double.POSITIVE_INFINITY;
  private long steps;
  private Consumer<DistributedFista> afterStep = s -> { };

  /**
   * Starts (or resumes) from X with previous iterate X_prev and momentum t (a fresh start has
   * X_prev = X and t = 1).
   */
  DistributedFista(DistributedProblem problem, Smooth f, String phase, DenseMatrix x,
      DenseMatrix xPrev, double momentum, double step, long steps) {
    this.problem = problem;
    this.beta = problem.beta();
    this.phase = phase;
    this.f = f;
    this.x = x.copy();
    this.xPrev = xPrev.copy();
    this.momentum = momentum;
    this.step = step;
    this.steps = steps;
    evaluateAtExtrapolation();
  }

  /** The gradient mapping of the step before a checkpoint (the inner stopping test). */
  void restoreGradientMapping(double value) {
    gradientMapping = value;
  }

  /** Called after every accepted step (checkpoints). */
  void afterStep(Consumer<DistributedFista> hook) {
    this.afterStep = hook;
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
    step = Math.max(step, 1.0 / Math.max(lipschitz, Double.MIN_NORMAL));
    xPrev = x.copy();
    momentum = 1.0;
    evaluateAtExtrapolation();
  }

  @Override
  public boolean step() {
    DenseMatrix candidate = new DenseMatrix(x.rows(), x.cols());
    while (true) {
      ProximalGradient.Step prox = ProximalGradient.proxStep(y, grad, step, beta, candidate);
      double nextMomentum = ProximalGradient.shouldRestart(y, candidate, x) ? 1.0
          : ProximalGradient.nextMomentum(momentum);
      double w = (nextMomentum - 1.0) / ProximalGradient.nextMomentum(nextMomentum);
      DenseMatrix yNext = new DenseMatrix(x.rows(), x.cols());
      ProximalGradient.extrapolate(candidate.data(), x.data(), w, yNext.data());
      problem.context().setJobDescription("cvxrelu: " + phase + " step " + (steps + 1));
      DistributedProblem.Evaluation e = f.evaluate(candidate, yNext);
      if (ProximalGradient.sufficientDecrease(e.atCandidate(), atY, prox, step)) {
        gradientMapping = prox.gradientMapping(step);
        xPrev = x;
        x = candidate;
        y = yNext;
        atY = e.atPoint();
        grad = e.gradient();
        momentum = nextMomentum;
        steps++;
        afterStep.accept(this);
        return true;
      }
      step *= SHRINK;
      if (step < 1e-300) {
        return false;
      }
    }
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public DenseMatrix iterate() {
    return x;
  }

  DenseMatrix previousIterate() {
    return xPrev;
  }

  double momentum() {
    return momentum;
  }

  double stepSize() {
    return step;
  }

  /** Largest block norm of the last gradient mapping (Y - X+) / t. */
  double gradientMapping() {
    return gradientMapping;
  }
}
