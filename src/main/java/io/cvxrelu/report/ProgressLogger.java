package io.cvxrelu.report;

import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Logs solver progress (objective, lower bound, gap, violation, seconds and an ETA from the
 * gap's decay rate) at most once per {@code minSeconds}; 0 logs every recorded iteration.
 */
public final class ProgressLogger implements IterationListener {
  private static final Logger LOG = LogManager.getLogger(ProgressLogger.class);
  private final double tolerance;
  private final double minSeconds;
  private double lastLog = Double.NEGATIVE_INFINITY;

  public ProgressLogger(double tolerance, double minSeconds) {
    this.tolerance = tolerance;
    this.minSeconds = minSeconds;
  }

  @Override
  public boolean onIteration(IterationRecord r) {
    if (LOG.isDebugEnabled() || r.seconds() - lastLog >= minSeconds) {
      lastLog = r.seconds();
      double gap = Math.max(r.relativeGap(), 1e-300);
      String eta = "?";
      if (gap > tolerance && r.seconds() > 0 && r.relativeGap() > 0) {
        double rate = Math.log(1.0 / gap) / r.seconds();
        if (rate > 0) {
          eta = String.format(Locale.ROOT, "%.0fs", Math.log(gap / tolerance) / rate);
        }
      }
      LOG.info(String.format(Locale.ROOT,
          "iter %d (%d steps): objective %.10g, lower bound %.10g, gap %.2e, violation %.1e, %.1fs, eta %s",
          r.iteration(), r.innerIterations(), r.objective(), r.lowerBound(), r.relativeGap(),
          r.constraintViolation(), r.seconds(), eta));
    }
    return true;
  }
}
