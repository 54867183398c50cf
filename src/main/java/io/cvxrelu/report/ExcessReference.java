package io.cvxrelu.report;

import io.cvxrelu.report.ComparisonReport.Run;
import java.util.List;
import java.util.Locale;

/**
 * The value the objective plots subtract before their log axis: the best certified value, so
 * that a curve's height is its excess over an optimum rather than over an iterate that violates
 * the cone constraints (the ReLU program's iterates can lie far below the optimum while
 * infeasible).
 *
 * <p>Each certified run certifies its own program (exact, sampled, polish), whose optimum lies
 * at or above that run's largest lower bound; the lowest such bound is the best certified value.
 * With every sign pattern enumerated it bounds every network of any width (Pilanci and Ergen
 * 2020, Theorem 1). With sampled patterns a network can go below it, and then the lowest
 * feasible objective is the reference, as it is when no run is certified.
 *
 * @param value the subtracted value (0 when no run reached a feasible point)
 * @param certified whether {@code value} is a certified lower bound
 * @param description the words for the plot titles and report.md, with the value and its run
 */
public record ExcessReference(double value, boolean certified, String description) {

  /** The reference of these runs. */
  public static ExcessReference of(List<Run> runs) {
    Run bound = null;
    Run feasible = null;
    for (Run r : runs) {
      double l = r.certifiedLowerBound();
      if (Double.isFinite(l) && (bound == null || l < bound.certifiedLowerBound())) {
        bound = r;
      }
      double f = r.bestFeasibleObjective();
      if (Double.isFinite(f) && (feasible == null || f < feasible.bestFeasibleObjective())) {
        feasible = r;
      }
    }
    if (bound != null && (feasible == null
        || feasible.bestFeasibleObjective() >= bound.certifiedLowerBound())) {
      return new ExcessReference(bound.certifiedLowerBound(), true, String.format(Locale.ROOT,
          "certified lower bound %.6g (%s)", bound.certifiedLowerBound(), bound.name()));
    }
    if (feasible == null) {
      return new ExcessReference(0.0, false, "zero (no run reached a feasible point)");
    }
    String lowest = String.format(Locale.ROOT, "lowest feasible objective %.6g (%s)",
        feasible.bestFeasibleObjective(), feasible.name());
    return new ExcessReference(feasible.bestFeasibleObjective(), false, bound == null
        ? lowest + "; no run is certified"
        : String.format(Locale.ROOT, "%s, below the certified lower bound %.6g of %s", lowest,
            bound.certifiedLowerBound(), bound.name()));
  }
}
