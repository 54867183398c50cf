package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.OperatorNorms;
import io.cvxrelu.solver.iteration.PredictionSpaceFista;
import io.cvxrelu.solver.iteration.ProxGradientIteration;
import java.util.ArrayList;
import java.util.List;

/**
 * FISTA with backtracking and restart ({@link PredictionSpaceFista}) for the gated-ReLU group
 * lasso
 * min L(sum_i D_i X u_i, y) + beta sum_i ||u_i|| (Pilanci and Ergen 2020, eq. (8) without the
 * cone constraints; Mishkin, Sahiner and Pilanci 2022, eq. (4)). Stops on the relative duality
 * gap of {@link Certificate}, checked every few steps (one extra GEMM each time).
 */
public final class GatedFistaSolver implements ConvexSolver {
  private final int certificateEvery;

  public GatedFistaSolver() {
    this(5);
  }

  /** @param certificateEvery steps between certificate evaluations */
  public GatedFistaSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (problem.formulation() != Formulation.GATED) {
      throw new IllegalArgumentException("GatedFistaSolver solves the gated formulation only");
    }
    long start = System.nanoTime();
    DenseMatrix b0 = warmStart != null ? warmStart : problem.zeroWeights();
    double lipschitz = problem.loss().curvature()
        * OperatorNorms.lossOperatorNormSquared(problem, 20);
    PredictionSpaceFista fista = new PredictionSpaceFista(problem, b0, lipschitz);
    return iterate(fista, () -> Certificate.atPrediction(problem, fista.iterate(),
        fista.prediction(), 0.0), certificateEvery, options, listener, start);
  }

  /**
   * The gated-ReLU loop: steps until the relative gap of the certificate (evaluated every
   * {@code certificateEvery} steps and at the end) reaches the tolerance or a budget runs out.
   * Shared by the single-node and the distributed solver.
   *
   * @param start {@link System#nanoTime()} when the solve started
   */
  public static SolverResult iterate(ProxGradientIteration fista,
      java.util.function.Supplier<Certificate> certify, int certificateEvery,
      SolverOptions options, IterationListener listener, long start) {
    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = certify.get();
    StopReason reason = null;
    while (reason == null) {
      if (cert.relativeGap() <= options.tolerance()) {
        reason = StopReason.CONVERGED;
        break;
      }
      boolean progressed = fista.step();
      if (!progressed) {
        reason = StopReason.STALLED;
      }
      long k = fista.steps();
      double seconds = (System.nanoTime() - start) * 1e-9;
      boolean budgetOut = k >= options.maxIterations() || seconds >= options.maxSeconds();
      if (k % certificateEvery == 0 || budgetOut || reason != null) {
        cert = certify.get();
        IterationRecord rec = new IterationRecord((int) k, k, cert.objective(), cert.lowerBound(),
            cert.relativeGap(), 0.0, seconds);
        history.add(rec);
        if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
          reason = StopReason.NUMERICAL_FAILURE;
        } else if (cert.relativeGap() <= options.tolerance()) {
          reason = StopReason.CONVERGED;
        } else if (!listener.onIteration(rec, fista.iterate())) {
          reason = StopReason.STOPPED_BY_LISTENER;
        } else if (reason == null && budgetOut) {
          reason = k >= options.maxIterations() ? StopReason.MAX_ITERATIONS
              : StopReason.TIME_LIMIT;
        }
      }
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(fista.iterate().copy(), cert, reason, List.copyOf(history),
        fista.steps(), seconds, null);
  }
}
