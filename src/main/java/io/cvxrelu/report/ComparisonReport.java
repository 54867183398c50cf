package io.cvxrelu.report;

import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compare job's report: {@code report.md} (settings and the final table),
 * {@code comparison.csv} (one row per method and initialisation) and three PNG plots
 * ({@link ObjectivePlots}, after Pilanci and Ergen 2020, Figs. 2 and 5). A convex row's gap is
 * called certified only as {@link Certification} says; otherwise the row says "not certified"
 * with the stop reason and the cone violation.
 */
public final class ComparisonReport {
  public static final String OBJECTIVE_VS_ITERATION = "objective_vs_iteration.png";
  public static final String OBJECTIVE_VS_SECONDS = "objective_vs_seconds.png";
  public static final String TEST_ACCURACY_VS_SECONDS = "test_accuracy_vs_seconds.png";

  /** The group of the convex rows (exact and sampled programs). */
  public static final String CONVEX = "convex";

  /**
   * One curve and its final numbers.
   *
   * @param group {@link #CONVEX}, or the SGD runs a median row summarises ("SGD", "SGD m = 5")
   * @param neurons SGD width m (0 for the convex rows)
   * @param iterations x for the iteration plot (solver steps or epochs)
   * @param objective per row: the objective of the iterate (convex: feasible or not)
   * @param relativeGap the final relative duality gap (NaN for SGD); a certificate only when
   *     {@link #certified()}
   * @param duality what a convex run certifies (null for SGD rows, and for convex rows built
   *     with the twelve-argument constructor, which are then reported as not certified)
   */
  public record Run(String name, String group, int neurons, double[] iterations,
      double[] seconds, double[] objective, double[] testAccuracy, double finalObjective,
      double relativeGap, double trainAccuracy, double testAccuracyFinal, double totalSeconds,
      Duality duality) {

    /** A row without a certificate: an SGD run. */
    public Run(String name, String group, int neurons, double[] iterations, double[] seconds,
        double[] objective, double[] testAccuracy, double finalObjective, double relativeGap,
        double trainAccuracy, double testAccuracyFinal, double totalSeconds) {
      this(name, group, neurons, iterations, seconds, objective, testAccuracy, finalObjective,
          relativeGap, trainAccuracy, testAccuracyFinal, totalSeconds, null);
    }

    /**
     * The row of a convex solve: one point per history row (x: cumulative solver steps), its
     * certification ({@link Certification#of}) and, per row, the lower bound and the cone
     * violation the plots need.
     *
     * @param labelScale max |y| of the training labels ({@link Certification#labelScale})
     * @param history the solve's accuracy history (null: no accuracies)
     */
    public static Run convex(String name, SolverResult result, SolverOptions options,
        double labelScale, AccuracyHistory history) {
      List<IterationRecord> h = result.history();
      List<double[]> rows = history == null ? null : history.rows(result);
      int k = h.size();
      double[] it = new double[k];
      double[] sec = new double[k];
      double[] obj = new double[k];
      double[] acc = new double[k];
      double[] lower = new double[k];
      double[] violation = new double[k];
      for (int i = 0; i < k; i++) {
        IterationRecord r = h.get(i);
        it[i] = r.innerIterations();
        obj[i] = r.objective();
        sec[i] = r.seconds();
        lower[i] = r.lowerBound();
        violation[i] = r.constraintViolation();
        acc[i] = rows == null ? Double.NaN : rows.get(i)[6];
      }
      continueRestarts(it);
      continueRestarts(sec);
      double train = rows == null || rows.isEmpty() ? Double.NaN : rows.get(k - 1)[5];
      double test = rows == null || rows.isEmpty() ? Double.NaN : rows.get(k - 1)[6];
      Certificate c = result.certificate();
      // The scale Certification measures the violation on.
      double allowed = Certification.allowedViolation(options, labelScale);
      Duality d = new Duality(Certification.of(result, options, labelScale),
          result.stopReason(), c.lowerBound(), c.constraintViolation(), lower, violation,
          allowed);
      return new Run(name, CONVEX, 0, it, sec, obj, acc, c.objective(), c.relativeGap(), train,
          test, result.seconds(), d);
    }

    /**
     * A solver that hands over to another (the interior-point method to ADMM) appends the
     * second one's rows, whose clock and step count start again at zero; the plots continue
     * them from the last row before, so that x never goes back.
     */
    private static void continueRestarts(double[] x) {
      double offset = 0.0;
      for (int k = 1; k < x.length; k++) {
        if (x[k] + offset < x[k - 1]) {
          offset = x[k - 1];
        }
        x[k] += offset;
      }
    }

    /**
     * The same row with another final objective (the polish row reports the recovered
     * network's objective, not the convex one).
     */
    public Run withFinalObjective(double value) {
      return new Run(name, group, neurons, iterations, seconds, objective, testAccuracy, value,
          relativeGap, trainAccuracy, testAccuracyFinal, totalSeconds, duality);
    }

    /** Whether the final gap is a certificate ({@link Certification}). */
    public boolean certified() {
      return duality != null && duality.certification().certified();
    }

    /** The report's "certified gap" cell: the gap, "not certified (...)", or "-" for SGD. */
    public String gapCell() {
      if (certified()) {
        return String.format(Locale.ROOT, "%.2e", relativeGap);
      }
      if (duality != null) {
        return duality.certification().label();
      }
      return group.equals(CONVEX) ? "not certified (no certificate recorded)" : "-";
    }

    /**
     * Per row, the least objective over the rows so far whose cone violation is within the
     * allowed one (every SGD row is a network, hence feasible); NaN before the first. It never
     * increases, unlike the objective of the iterates, which an augmented-Lagrangian or SSNAL
     * solver may push far above or below the optimum while the constraints are violated.
     */
    public double[] bestFeasible() {
      double[] out = new double[objective.length];
      double best = Double.NaN;
      for (int k = 0; k < objective.length; k++) {
        boolean feasible = duality == null
            || duality.violations()[k] <= duality.allowedViolation();
        if (feasible && Double.isFinite(objective[k]) && !(objective[k] >= best)) {
          best = objective[k];
        }
        out[k] = best;
      }
      return out;
    }

    /**
     * Per row, the largest lower bound so far (weak duality makes each one a bound on this
     * run's program); NaN before the first finite one, and everywhere for SGD.
     */
    public double[] lowerBoundSoFar() {
      double[] out = new double[objective.length];
      double best = Double.NaN;
      for (int k = 0; k < out.length; k++) {
        double v = duality == null ? Double.NaN : duality.lowerBounds()[k];
        if (Double.isFinite(v) && !(v <= best)) {
          best = v;
        }
        out[k] = best;
      }
      return out;
    }

    /** The least feasible objective of the run, the final one included; NaN if none. */
    public double bestFeasibleObjective() {
      double[] b = bestFeasible();
      double best = b.length == 0 ? Double.NaN : b[b.length - 1];
      boolean finalFeasible = duality == null || duality.violation() <= duality.allowedViolation();
      if (finalFeasible && Double.isFinite(finalObjective) && !(finalObjective >= best)) {
        best = finalObjective;
      }
      return best;
    }

    /**
     * The largest lower bound of a certified run (its history's and its final certificate's);
     * NaN when the run is not certified.
     */
    public double certifiedLowerBound() {
      if (!certified()) {
        return Double.NaN;
      }
      double[] l = lowerBoundSoFar();
      double last = l.length == 0 ? Double.NaN : l[l.length - 1];
      return Double.isNaN(last) ? duality.lowerBound() : Math.max(last, duality.lowerBound());
    }
  }

  /**
   * What a convex run certifies. By weak duality (Pilanci and Ergen 2020, eq. (8)) every lower
   * bound bounds the run's program from below, but the final gap counts as a certificate only
   * as {@link Certification} says.
   *
   * @param certification the verdict on the final certificate
   * @param stopReason why the solver returned
   * @param lowerBound the final certificate's lower bound
   * @param violation the final certificate's cone-constraint violation
   * @param lowerBounds per history row, the lower bound
   * @param violations per history row, the cone-constraint violation
   * @param allowedViolation the violation up to which an iterate counts as feasible (the
   *     feasibility tolerance times max(1, max |y|))
   */
  public record Duality(Certification certification, StopReason stopReason, double lowerBound,
      double violation, double[] lowerBounds, double[] violations, double allowedViolation) {}

  private ComparisonReport() {}

  /**
   * The least objective any run reached at any row, infeasible iterates included (summary.json's
   * {@code bestObjective}); the plots measure against {@link #reference} instead.
   */
  public static double best(List<Run> runs) {
    double b = Double.POSITIVE_INFINITY;
    for (Run r : runs) {
      for (double v : r.objective()) {
        b = Math.min(b, v);
      }
    }
    return b;
  }

  /** The value the objective plots subtract: a certified bound, never an infeasible iterate. */
  public static ExcessReference reference(List<Run> runs) {
    return ExcessReference.of(runs);
  }

  /** The three PNGs by file name (the accuracy plot only when some run has test accuracy). */
  public static Map<String, byte[]> plots(List<Run> runs) {
    return ObjectivePlots.render(runs);
  }

  public static String csv(List<Run> runs) {
    StringBuilder sb = new StringBuilder("method,objective,relativeGap,trainAccuracy,"
        + "testAccuracy,seconds,certified,stopReason,constraintViolation\n");
    for (Run r : runs) {
      Duality d = r.duality();
      sb.append(r.name()).append(',').append(r.finalObjective()).append(',')
          .append(field(r.relativeGap())).append(',').append(field(r.trainAccuracy()))
          .append(',').append(field(r.testAccuracyFinal())).append(',')
          .append(r.totalSeconds()).append(',')
          .append(r.group().equals(CONVEX) ? Boolean.toString(r.certified()) : "").append(',')
          .append(d == null ? "" : d.stopReason().name()).append(',')
          .append(d == null ? "" : Double.toString(d.violation())).append('\n');
    }
    return sb.toString();
  }

  private static String field(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  /**
   * report.md: the settings, the final table with a median row per SGD group, the checks (one
   * statement per line, e.g. whether an SGD run ended below the optimum) and the plots.
   */
  public static String markdown(String title, Map<String, String> settings, List<Run> runs,
      String note, List<String> checks, boolean accuracyPlot) {
    StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n## Settings\n\n");
    sb.append("| setting | value |\n|---|---|\n");
    settings.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v)
        .append(" |\n"));
    sb.append("\n## Result\n\n| run | objective | certified gap | train accuracy | "
        + "test accuracy | seconds |\n|---|---|---|---|---|---|\n");
    Map<String, List<Run>> sgdGroups = new LinkedHashMap<>();
    for (Run r : runs) {
      row(sb, r.name(), r.finalObjective(), r.gapCell(), r.trainAccuracy(),
          r.testAccuracyFinal(), r.totalSeconds());
      if (!r.group().equals(CONVEX)) {
        sgdGroups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
      }
    }
    sgdGroups.forEach((group, sgd) -> row(sb, group + " median", median(sgd,
        Run::finalObjective), "-", median(sgd, Run::trainAccuracy),
        median(sgd, Run::testAccuracyFinal), median(sgd, Run::totalSeconds)));
    sb.append("\nA gap is certified only when the solver stopped CONVERGED with the gap within "
        + "the tolerance and the cone violation within the feasibility tolerance; otherwise the "
        + "row says why not.\n\n").append(note).append("\n\n");
    if (!checks.isEmpty()) {
      sb.append("## Checks\n\n");
      checks.forEach(c -> sb.append("- ").append(c).append('\n'));
      sb.append('\n');
    }
    sb.append("## Plots\n\n");
    sb.append("The objective plots subtract the ").append(reference(runs).description())
        .append(". Convex runs show the best feasible objective so far; the shaded band reaches "
            + "down to their largest lower bound so far (the certificate).\n\n");
    sb.append("- objective vs iteration: `").append(OBJECTIVE_VS_ITERATION).append("`\n");
    sb.append("- objective vs seconds: `").append(OBJECTIVE_VS_SECONDS).append("`\n");
    if (accuracyPlot) {
      sb.append("- test accuracy vs seconds: `").append(TEST_ACCURACY_VS_SECONDS)
          .append("`\n");
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, double obj, String gap, double train,
      double test, double seconds) {
    sb.append(String.format(Locale.ROOT, "| %s | %.8g | %s | %s | %s | %.1f |%n", name, obj,
        gap, pct(train), pct(test), seconds));
  }

  private static String pct(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  public static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    double[] v = runs.stream().mapToDouble(f).toArray();
    Arrays.sort(v);
    if (v.length == 0 || Double.isNaN(v[v.length - 1])) {
      return Double.NaN;
    }
    int h = v.length / 2;
    return v.length % 2 == 1 ? v[h] : 0.5 * (v[h - 1] + v[h]);
  }
}
