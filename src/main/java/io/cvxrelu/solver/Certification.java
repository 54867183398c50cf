package io.cvxrelu.solver;

import java.util.Locale;

/**
 * Whether a solve is certified, and the words a report uses for it. A result is certified only
 * when its stop reason is {@link StopReason#CONVERGED}, its relative duality gap is finite and
 * at most the tolerance, and its cone-constraint violation is at most the feasibility tolerance
 * times max(1, max |y|) (the scale every solver uses, {@link SolverOptions}). Anything else is
 * reported as "not certified" with its stop reason and violation, never as a certified gap.
 *
 * @param certified whether the gap is a certificate
 * @param label "certified" or "not certified (REASON, violation V)"
 */
public record Certification(boolean certified, String label) {

  /**
   * @param labelScale max |y| of the training labels (the violation tolerance is relative to
   *     max(1, labelScale))
   */
  public static Certification of(SolverResult result, SolverOptions options, double labelScale) {
    Certificate c = result.certificate();
    double allowed = allowedViolation(options, labelScale);
    boolean ok = result.stopReason() == StopReason.CONVERGED
        && Double.isFinite(c.objective()) && Double.isFinite(c.lowerBound())
        && Double.isFinite(c.relativeGap()) && c.relativeGap() <= options.tolerance()
        && c.constraintViolation() <= allowed;
    if (ok) {
      return new Certification(true, "certified");
    }
    return new Certification(false, String.format(Locale.ROOT,
        "not certified (%s, violation %.1e)", result.stopReason().name(),
        c.constraintViolation()));
  }

  /**
   * The largest cone violation a certified run may have: the feasibility tolerance times
   * max(1, max |y|).
   */
  public static double allowedViolation(SolverOptions options, double labelScale) {
    return options.feasibilityTolerance() * Math.max(1.0, labelScale);
  }

  /** max |y_i|, the scale of the violation tolerance. */
  public static double labelScale(double[] y) {
    double m = 0.0;
    for (double v : y) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
