package io.cvxrelu.solver.iteration;

import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The loop of the gated-ReLU solvers (Pilanci and Ergen 2020, eq. (8) without the cone
 * constraints; Mishkin, Sahiner and Pilanci 2022, eq. (4)), written once for the single-node and
 * the distributed iteration: proximal-gradient steps until the relative gap of the duality-gap
 * certificate, evaluated every few steps and when a budget runs out, reaches the tolerance.
 */
public final class GatedFistaLoop {
  private GatedFistaLoop() {}

  /**
   * Steps {@code fista} until the relative gap of {@code certify} (evaluated every
   * {@code certificateEvery} steps and at the end) reaches the tolerance or a budget runs out.
   *
   * @param start {@link System#nanoTime()} when the solve started
   */
  public static SolverResult run(ProxGradientIteration fista, Supplier<Certificate> certify,
      int certificateEvery, SolverOptions options, IterationListener listener, long start) {
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
