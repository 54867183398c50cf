package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) for
 * phi(X B) + beta sum_j ||B_j||_2 with group soft-thresholding as the prox, backtracking on the
 * step and adaptive gradient restart (O'Donoghue and Candes 2015).
 *
 * <p>Each step costs two GEMMs: the gradient X^T dphi/dZ at the extrapolated point and the
 * product X B at the candidate. The extrapolated point's product is a linear combination of
 * the last two iterates' products, which is exact because Z = X B is linear in B. The four
 * n x q buffers are rotated, never reallocated.
 *
 * <p>A stateful iterator: callers run {@link #step()} and decide when to stop (the gated solver
 * on the duality gap, the augmented-Lagrangian solver on the gradient mapping).
 */
public final class Fista implements ProxGradientIteration {
  private static final double SHRINK = 0.5;

  private final ConvexReluProblem problem;
  private final double beta;
  private SmoothPart f;

  private DenseMatrix x;
  private DenseMatrix xPrev;
  private DenseMatrix zx;
  private DenseMatrix zxPrev;
  private DenseMatrix zWork;
  private final DenseMatrix gz;
  private final DenseMatrix y;
  private final DenseMatrix candidate;
  private double momentum = 1.0;
  private double step;
  private double smoothAtX;
  private double objectiveAtX;
  private double gradientMapping = Double.POSITIVE_INFINITY;
  private long steps;
  private long restarts;

  /**
   * @param start initial blocks (copied)
   * @param lipschitz estimate of the gradient's Lipschitz constant; the first step is its
   *     inverse and backtracking corrects an underestimate
   */
  public Fista(ConvexReluProblem problem, SmoothPart f, DenseMatrix start, double lipschitz) {
    this.problem = problem;
    this.beta = problem.beta();
    this.f = f;
    int n = problem.n();
    int d = problem.d();
    int q = start.cols();
    this.x = start.copy();
    this.xPrev = start.copy();
    this.zx = problem.forward(x);
    this.zxPrev = zx.copy();
    this.zWork = new DenseMatrix(n, q);
    this.gz = new DenseMatrix(n, q);
    this.y = new DenseMatrix(d, q);
    this.candidate = new DenseMatrix(d, q);
    this.step = 1.0 / Math.max(lipschitz, Double.MIN_NORMAL);
    refreshValue();
  }

  /** Swaps the smooth part (new multipliers or penalty) keeping the iterate; resets momentum. */
  public void reset(SmoothPart newF, double lipschitz) {
    this.f = newF;
    this.step = Math.max(step, 1.0 / Math.max(lipschitz, Double.MIN_NORMAL));
    System.arraycopy(x.data(), 0, xPrev.data(), 0, x.data().length);
    System.arraycopy(zx.data(), 0, zxPrev.data(), 0, zx.data().length);
    momentum = 1.0;
    refreshValue();
  }

  private void refreshValue() {
    smoothAtX = f.value(zx);
    objectiveAtX = smoothAtX + problem.regularizer(x);
  }

  /**
   * One accelerated step.
   *
   * @return false when the step size underflowed (no further progress is possible)
   */
  @Override
  public boolean step() {
    double nextMomentum = ProximalGradient.nextMomentum(momentum);
    double w = (momentum - 1.0) / nextMomentum;
    ProximalGradient.extrapolate(x.data(), xPrev.data(), w, y.data());
    ProximalGradient.extrapolate(zx.data(), zxPrev.data(), w, zWork.data());
    double fy = f.valueAndGradient(zWork, gz);
    DenseMatrix grad = problem.adjoint(gz);

    double fc;
    ProximalGradient.Step prox;
    while (true) {
      prox = ProximalGradient.proxStep(y, grad, step, beta, candidate);
      Blas.gemm(false, false, 1.0, problem.x(), candidate, 0.0, zWork);
      fc = f.value(zWork);
      if (ProximalGradient.sufficientDecrease(fc, fy, prox, step)) {
        break;
      }
      step *= SHRINK;
      if (step < 1e-300) {
        return false;
      }
    }
    gradientMapping = prox.gradientMapping(step);
    double objC = fc + problem.regularizer(candidate);

    // Gradient restart: drop momentum when the step points against the last move.
    if (ProximalGradient.shouldRestart(y, candidate, x)) {
      nextMomentum = 1.0;
      restarts++;
    }
    momentum = nextMomentum;

    DenseMatrix oldPrev = xPrev;
    xPrev = x;
    x = oldPrev;
    System.arraycopy(candidate.data(), 0, x.data(), 0, candidate.data().length);
    DenseMatrix oldZPrev = zxPrev;
    zxPrev = zx;
    zx = zWork;
    zWork = oldZPrev;
    smoothAtX = fc;
    objectiveAtX = objC;
    steps++;
    return true;
  }

  @Override
  public DenseMatrix iterate() {
    return x;
  }

  /** X B at the current iterate (live view). */
  public DenseMatrix product() {
    return zx;
  }

  /** phi + beta sum ||B_j|| at the current iterate. */
  double objective() {
    return objectiveAtX;
  }

  /** Largest block norm of the last gradient mapping (y - x+) / step. */
  public double gradientMapping() {
    return gradientMapping;
  }

  double stepSize() {
    return step;
  }

  @Override
  public long steps() {
    return steps;
  }

  long restarts() {
    return restarts;
  }
}
