package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.iteration.Backtracking;
import io.cvxrelu.solver.iteration.ProxGradientIteration;
import io.cvxrelu.solver.iteration.ProximalGradient;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;

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
 *
 * <p>When the gradient of phi is affine (the squared loss of the gated program, phi(B) =
 * 1/2 ||A B - y||^2), a pass evaluates phi and its gradient at the candidate only, two GEMMs
 * instead of three: for Y' = (1 + w) C - w X,
 * <pre>
 *   grad phi(Y') = (1 + w) grad phi(C) - w grad phi(X),
 *   phi(Y') = (1 + w) phi(C) - w phi(X) + w (1 + w) / 2 &lt;C - X, grad phi(C) - grad phi(X)&gt;
 * </pre>
 * (the last term is ||A (C - X)||^2 / 2 times w (1 + w)), with phi and its gradient at the
 * iterate X kept from the pass that accepted it. Every gradient is a fresh pass at an iterate,
 * so no rounding accumulates from step to step. The kept pair also gives the certificate at X
 * without a pass ({@link #atIterate}).
 */
public final class DistributedFista implements ProxGradientIteration {

  /** The smooth part phi summed over the blocks: phi(C) (if C is given) and phi, grad at Y. */
  interface Smooth {
    DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point);
  }

  /** The program of the row blocks, for checkpoints; null for another program's passes. */
  private final DistributedProblem problem;
  private final JavaSparkContext context;
  private final double beta;
  private final String phase;
  private final Backtracking backtracking;
  /** Whether grad phi is affine (see the class comment): one evaluation per pass. */
  private final boolean affine;
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
  /** Affine mode: phi and grad phi at X, and at the candidate of the last look-ahead. */
  private DistributedProblem.Evaluation atX;
  private DistributedProblem.Evaluation atCandidate;

  /**
   * Starts (or resumes) from X with previous iterate X_prev and momentum t (a fresh start has
   * X_prev = X and t = 1).
   */
  private DistributedFista(DistributedProblem problem, JavaSparkContext context, double beta,
      Smooth f, String phase, DenseMatrix x, DenseMatrix xPrev, double momentum,
      Backtracking backtracking, long steps, boolean affine) {
    this.problem = problem;
    this.context = context;
    this.affine = affine;
    this.beta = beta;
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
    return start(problem, f, phase, b0, lipschitz, false);
  }

  /**
   * As {@link #start(DistributedProblem, Smooth, String, DenseMatrix, double)}, with one
   * evaluation per pass when {@code affine} (grad phi affine, see the class comment).
   */
  static DistributedFista start(DistributedProblem problem, Smooth f, String phase,
      DenseMatrix b0, double lipschitz, boolean affine) {
    return new DistributedFista(problem, problem.context(), problem.beta(), f, phase, b0, b0,
        1.0, Backtracking.forLipschitz(lipschitz), 0, affine);
  }

  /**
   * A fresh start for the group lasso phi(B) + beta sum_j ||B_j|| of another program whose
   * passes {@code f} makes (the pooled CNN's stacked patches): the same iteration, without
   * checkpoints ({@link #checkpointState} needs a {@link DistributedProblem}).
   */
  static DistributedFista start(JavaSparkContext context, double beta, Smooth f, String phase,
      DenseMatrix b0, double lipschitz, boolean affine) {
    return new DistributedFista(null, context, beta, f, phase, b0, b0, 1.0,
        Backtracking.forLipschitz(lipschitz), 0, affine);
  }

  /** The iteration saved in a checkpoint, continued (bit for bit when not affine). */
  static DistributedFista resume(DistributedProblem problem, Smooth f, String phase,
      SolverCheckpoint.State s, boolean affine) {
    DistributedFista it = new DistributedFista(problem, problem.context(), problem.beta(), f,
        phase, s.iterate(),
        s.previousIterate(), s.momentum(), new Backtracking(s.stepSize()), s.steps(), affine);
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
    context.setJobDescription("cvxrelu: " + phase + " gradient at step " + steps);
    DistributedProblem.Evaluation e;
    if (affine) {
      atX = f.evaluate(null, x);
      e = w == 0.0 ? atX : extrapolated(atX, x, f.evaluate(null, xPrev), xPrev, w);
    } else {
      e = f.evaluate(null, y);
    }
    atY = e.atPoint();
    grad = e.gradient();
  }

  /**
   * phi and grad phi at (1 + w) U - w V from their values at U and V, for an affine gradient
   * (the identities of the class comment).
   */
  private static DistributedProblem.Evaluation extrapolated(DistributedProblem.Evaluation atU,
      DenseMatrix u, DistributedProblem.Evaluation atV, DenseMatrix v, double w) {
    double[] gu = atU.gradient().data();
    double[] gv = atV.gradient().data();
    double[] ud = u.data();
    double[] vd = v.data();
    DenseMatrix g = new DenseMatrix(u.rows(), u.cols());
    double[] gd = g.data();
    double curvature = 0.0;
    for (int k = 0; k < gd.length; k++) {
      gd[k] = (1.0 + w) * gu[k] - w * gv[k];
      curvature += (ud[k] - vd[k]) * (gu[k] - gv[k]);
    }
    double phi = (1.0 + w) * atU.atPoint() - w * atV.atPoint()
        + 0.5 * w * (1.0 + w) * curvature;
    return new DistributedProblem.Evaluation(Double.NaN, phi, g);
  }

  /** Affine mode: phi and grad phi at the iterate X (from the pass that accepted it). */
  DistributedProblem.Evaluation atIterate() {
    if (!affine) {
      throw new IllegalStateException("phi at the iterate is kept in the affine mode only");
    }
    return atX;
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
    atX = atCandidate;
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
    context.setJobDescription("cvxrelu: " + phase + " step " + (steps + 1));
    if (affine) {
      atCandidate = f.evaluate(null, candidate);
      next = extrapolated(atCandidate, candidate, atX, x, w);
      return atCandidate.atPoint();
    }
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
