package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) with gradient-based adaptive
 * restart (O'Donoghue and Candes 2015) for {@link NormRegularizedLeastSquares}: with the
 * nuclear norm its prox is singular value thresholding (the linear CNN), with the group norm
 * block soft thresholding (the circular CNN in the DFT domain). Stateless.
 *
 * <p>The smooth part's gradient A^T A x - A^T y goes through the p x p Gram matrix, formed by one
 * GEMM, so an iteration costs O(p^2) whatever n; the step is 1 / ||A||_2^2 from the Gram's
 * largest singular value. Every {@code certifyEvery} iterations the certificate is evaluated
 * from the true residual y - A x (not the Gram, to keep small gaps accurate). The run is
 * {@link StopReason#CONVERGED} when the relative gap is at most the tolerance.
 */
public final class ProximalGradientSolver {
  private final int certifyEvery;

  /** @param certifyEvery iterations between certificate evaluations (at least 1) */
  public ProximalGradientSolver(int certifyEvery) {
    if (certifyEvery < 1) {
      throw new IllegalArgumentException("certifyEvery must be at least 1");
    }
    this.certifyEvery = certifyEvery;
  }

  /** Certifies every 10 iterations. */
  public ProximalGradientSolver() {
    this(10);
  }

  /** Solves from x = 0. */
  public SolverResult solve(NormRegularizedLeastSquares problem, SolverOptions options,
      IterationListener listener) {
    return solve(problem, new double[problem.a().cols()], options, listener);
  }

  /** Solves from the given start (copied). */
  public SolverResult solve(NormRegularizedLeastSquares problem, double[] start,
      SolverOptions options, IterationListener listener) {
    long t0 = System.nanoTime();
    DenseMatrix a = problem.a();
    int p = a.cols();
    DenseMatrix gram = new DenseMatrix(p, p);
    Blas.gemm(true, false, 1.0, a, a, 0.0, gram);
    double[] aty = NormRegularizedLeastSquares.adjoint(a, problem.y());
    double lipschitz = ThinSvd.spectralNorm(gram);
    List<IterationRecord> history = new ArrayList<>();
    if (start.length != p) {
      throw new IllegalArgumentException("start has " + start.length + " entries, expected " + p);
    }
    double[] x = start.clone();
    // With A = 0 the step is 0 and the prox of the start at t = 0 is the start: x = 0 then
    // certifies itself (the dual norm is 0, the scaled residual is y).
    double step = lipschitz > 0.0 ? 1.0 / lipschitz : 0.0;
    double[] yk = x.clone();
    double[] next = new double[p];
    double[] grad = new double[p];
    double momentum = 1.0;
    StopReason reason = null;
    long it = 0;
    Certificate cert = problem.certificate(x);
    while (true) {
      if (it % certifyEvery == 0) {
        cert = problem.certificate(x);
        double seconds = (System.nanoTime() - t0) * 1e-9;
        IterationRecord rec = new IterationRecord((int) Math.min(it, Integer.MAX_VALUE), it,
            cert.objective(), cert.lowerBound(), cert.relativeGap(), 0.0, seconds);
        history.add(rec);
        reason = stopReason(cert, options, it, seconds);
        if (reason == null && !listener.onIteration(rec, new DenseMatrix(p, 1, x))) {
          reason = StopReason.STOPPED_BY_LISTENER;
        }
        if (reason != null) {
          break;
        }
      }
      // Gradient at the extrapolated point: G yk - A^T y.
      Blas.gemm(false, false, p, 1, p, 1.0, gram.data(), 0, p, yk, 0, p, 0.0, grad, 0, p);
      for (int j = 0; j < p; j++) {
        grad[j] = yk[j] - step * (grad[j] - aty[j]);
      }
      problem.norm().prox(grad, step * problem.beta(), next);
      // Restart when the step opposes the momentum direction: (yk - next).(next - x) > 0.
      double restart = 0.0;
      for (int j = 0; j < p; j++) {
        restart += (yk[j] - next[j]) * (next[j] - x[j]);
      }
      double nextMomentum = restart > 0.0 ? 1.0
          : 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * momentum * momentum));
      double beta = restart > 0.0 ? 0.0 : (momentum - 1.0) / nextMomentum;
      for (int j = 0; j < p; j++) {
        yk[j] = next[j] + beta * (next[j] - x[j]);
      }
      double[] swap = x;
      x = next;
      next = swap;
      momentum = nextMomentum;
      it++;
    }
    return new SolverResult(new DenseMatrix(p, 1, x), cert, reason, history, it,
        (System.nanoTime() - t0) * 1e-9, null);
  }

  private static StopReason stopReason(Certificate cert, SolverOptions options, long it,
      double seconds) {
    if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.relativeGap())) {
      return StopReason.NUMERICAL_FAILURE;
    }
    if (cert.relativeGap() <= options.tolerance()) {
      return StopReason.CONVERGED;
    }
    if (it >= options.maxIterations()) {
      return StopReason.MAX_ITERATIONS;
    }
    if (seconds >= options.maxSeconds()) {
      return StopReason.TIME_LIMIT;
    }
    return null;
  }
}
