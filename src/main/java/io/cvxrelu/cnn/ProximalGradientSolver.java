package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
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
 * <p>The smooth part's gradient A^T A x - A^T y goes through the p x p Gram matrix G, formed by
 * one GEMM, so an iteration costs O(p^2) whatever n. The step is 1 / L with L from a few power
 * iterations on G, checked at every step by the backtracking rule of Beck and Teboulle for a
 * quadratic: the step d is accepted when d^T G d &lt;= L ||d||^2, else L grows and the step is
 * redone (no O(p^3) eigen-decomposition of G). Every {@code certifyEvery} iterations the
 * certificate is evaluated
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
    double lipschitz = powerIteration(gram);
    List<IterationRecord> history = new ArrayList<>();
    if (start.length != p) {
      throw new IllegalArgumentException("start has " + start.length + " entries, expected " + p);
    }
    double[] x = start.clone();
    double[] yk = x.clone();
    double[] next = new double[p];
    double[] grad = new double[p];
    double[] trial = new double[p];
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
        grad[j] -= aty[j];
      }
      lipschitz = proxStep(problem, gram, yk, grad, lipschitz, next, trial);
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

  /**
   * next = prox_{beta/L}(yk - grad / L), with L raised until the step d = next - yk satisfies
   * d^T G d &lt;= L ||d||^2 (the quadratic upper bound FISTA needs); returns the L used. With
   * A = 0 (L = 0) the start is kept: x = 0 then certifies itself.
   */
  private static double proxStep(NormRegularizedLeastSquares problem, DenseMatrix gram,
      double[] yk, double[] grad, double lipschitz, double[] next, double[] gd) {
    int p = yk.length;
    if (!(lipschitz > 0.0)) {
      System.arraycopy(yk, 0, next, 0, p);
      return lipschitz;
    }
    double l = lipschitz;
    while (true) {
      double step = 1.0 / l;
      for (int j = 0; j < p; j++) {
        gd[j] = yk[j] - step * grad[j];
      }
      problem.norm().prox(gd, step * problem.beta(), next);
      for (int j = 0; j < p; j++) {
        gd[j] = next[j] - yk[j];
      }
      double dd = Blas.dot(p, gd, gd);
      double[] d = gd.clone();
      Blas.gemm(false, false, p, 1, p, 1.0, gram.data(), 0, p, d, 0, p, 0.0, gd, 0, p);
      double dgd = Blas.dot(p, d, gd);
      // A relative slack of 1e-12 keeps rounding in d^T G d from rejecting an exact bound.
      if (dgd <= l * dd * (1.0 + 1e-12) || !Double.isFinite(dgd)) {
        return l;
      }
      l = Math.max(2.0 * l, 1.01 * dgd / dd);
    }
  }

  /**
   * An estimate of ||G||_2 from 30 power iterations (a lower bound, raised by 5%); the
   * backtracking in {@link #proxStep} corrects it when it is still too low.
   */
  private static double powerIteration(DenseMatrix gram) {
    int p = gram.rows();
    double[] v = new double[p];
    double[] w = new double[p];
    for (int j = 0; j < p; j++) {
      // A fixed start with no sign pattern a PSD matrix's top eigenvector could be orthogonal
      // to for all structured inputs.
      v[j] = 1.0 + 0.5 * Math.sin(j + 1.0);
    }
    double norm = 0.0;
    for (int it = 0; it < 30; it++) {
      double vv = Math.sqrt(Blas.dot(p, v, v));
      if (!(vv > 0.0)) {
        return 0.0;
      }
      Blas.scal(p, 1.0 / vv, v);
      Blas.gemm(false, false, p, 1, p, 1.0, gram.data(), 0, p, v, 0, p, 0.0, w, 0, p);
      norm = Math.sqrt(Blas.dot(p, w, w));
      double[] t = v;
      v = w;
      w = t;
    }
    if (norm == 0.0) {
      // G v = 0 from this start: G may still be non-zero; its largest diagonal entry bounds
      // ||G||_2 from below, and backtracking does the rest.
      for (int j = 0; j < p; j++) {
        norm = Math.max(norm, gram.get(j, j));
      }
    }
    return 1.05 * norm;
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
