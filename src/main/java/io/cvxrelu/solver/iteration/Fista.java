package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) for
 * phi(X B) + beta sum_j ||B_j||_2 with group soft-thresholding as the prox, backtracking on the
 * step ({@link Backtracking}) and adaptive gradient restart (O'Donoghue and Candes 2015).
 *
 * <p>Each step costs two GEMMs: the gradient X^T dphi/dZ at the extrapolated point and the
 * product X B at the candidate. The extrapolated point's product is a linear combination of
 * the last two iterates' products, which is exact because Z = X B is linear in B. The four
 * n x q buffers are rotated, never reallocated.
 *
 * <p>A stateful iterator: callers run {@link #step()} and decide when to stop (the
 * augmented-Lagrangian method on the gradient mapping).
 */
public final class Fista extends LocalFistaIterates {
  private final ConvexReluProblem problem;
  private SmoothPart f;
  private DenseMatrix zx;
  private DenseMatrix zxPrev;
  private DenseMatrix zWork;
  private final DenseMatrix gz;

  /**
   * @param start initial blocks (copied)
   * @param lipschitz estimate of the gradient's Lipschitz constant; the first step is its
   *     inverse and backtracking corrects an underestimate
   */
  public Fista(ConvexReluProblem problem, SmoothPart f, DenseMatrix start, double lipschitz) {
    super(problem.beta(), start, lipschitz);
    this.problem = problem;
    this.f = f;
    this.zx = problem.forward(x);
    this.zxPrev = zx.copy();
    this.zWork = new DenseMatrix(problem.n(), start.cols());
    this.gz = new DenseMatrix(problem.n(), start.cols());
  }

  /** Swaps the smooth part (new multipliers or penalty) keeping the iterate; resets momentum. */
  public void reset(SmoothPart newF, double lipschitz) {
    this.f = newF;
    backtracking.allowAtLeast(lipschitz);
    System.arraycopy(x.data(), 0, xPrev.data(), 0, x.data().length);
    System.arraycopy(zx.data(), 0, zxPrev.data(), 0, zx.data().length);
    momentum = 1.0;
  }

  /**
   * One accelerated step.
   *
   * @return false when the step size underflowed (no further progress is possible)
   */
  @Override
  public boolean step() {
    double w = (momentum - 1.0) / ProximalGradient.nextMomentum(momentum);
    ProximalGradient.extrapolate(x.data(), xPrev.data(), w, y.data());
    ProximalGradient.extrapolate(zx.data(), zxPrev.data(), w, zWork.data());
    double fy = f.valueAndGradient(zWork, gz);
    DenseMatrix grad = problem.adjoint(gz);
    boolean accepted = backtracking.search(y, grad, fy, beta, candidate, c -> {
      Blas.gemm(false, false, 1.0, problem.x(), c, 0.0, zWork);
      return f.value(zWork);
    });
    if (!accepted) {
      return false;
    }
    acceptCandidate();
    DenseMatrix oldZPrev = zxPrev;
    zxPrev = zx;
    zx = zWork;
    zWork = oldZPrev;
    return true;
  }

  /** X B at the current iterate (live view). */
  public DenseMatrix product() {
    return zx;
  }
}
