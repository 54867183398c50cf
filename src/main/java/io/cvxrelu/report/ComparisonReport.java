package io.cvxrelu.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The compare job's report: {@code report.md} (settings and the final table),
 * {@code comparison.csv} (one row per method and initialisation) and three PNG plots drawn
 * with XChart, after Pilanci and Ergen (2020), Figs. 2 and 5: training objective against
 * iterations and against seconds (log scale of the excess over the best objective any run
 * reached), and test accuracy against seconds.
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
   * @param relativeGap certified gap (NaN for SGD)
   */
  public record Run(String name, String group, int neurons, double[] iterations, double[] seconds,
      double[] objective, double[] testAccuracy, double finalObjective, double relativeGap, double trainAccuracy,
      double testAccuracyFinal, double totalSeconds) {}

  private ComparisonReport() {}

  /** The best objective any run reached at any point (the reference of the log plots). */
  public static double best(List<Run> runs) {
    double b = Double.POSITIVE_INFINITY;
    for (Run r : runs) {
      for (double v : r.objective()) {
        b = Math.min(b, v);
      }
    }
    return b;
  }

  public static Map<String, byte[]> plots(List<Run> runs) {
    double best = best(runs);
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(OBJECTIVE_VS_ITERATION, png(excessChart(runs, best, true)));
    out.put(OBJECTIVE_VS_SECONDS, png(excessChart(runs, best, false)));
    XYChart acc = chart("Test accuracy", "seconds", "test accuracy");
    for (Run r : runs) {
      List<double[]> pts = new ArrayList<>();
      for (int k = 0; k < r.seconds().length; k++) {
        if (!Double.isNaN(r.testAccuracy()[k])) {
          pts.add(new double[] {r.seconds()[k], r.testAccuracy()[k]});
        }
      }
      add(acc, r.name(), r.group().equals(CONVEX), pts);
    }
    if (!acc.getSeriesMap().isEmpty()) {
      out.put(TEST_ACCURACY_VS_SECONDS, png(acc));
    }
    return out;
  }

  private static XYChart excessChart(List<Run> runs, double best, boolean byIteration) {
    XYChart c = chart("Training objective minus the best reached ("
        + String.format(Locale.ROOT, "%.6g", best) + ")",
        byIteration ? "iterations (convex: solver steps; SGD: epochs)" : "seconds",
        "objective - best (log)");
    c.getStyler().setYAxisLogarithmic(true);
    for (Run r : runs) {
      List<double[]> pts = new ArrayList<>();
      double[] x = byIteration ? r.iterations() : r.seconds();
      for (int k = 0; k < x.length; k++) {
        double excess = r.objective()[k] - best;
        // The best point itself is the reference: zero has no place on a log axis.
        if (excess > 0 && Double.isFinite(excess)) {
          pts.add(new double[] {x[k], excess});
        }
      }
      add(c, r.name(), r.group().equals(CONVEX), pts);
    }
    return c;
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(1000).height(640).title(title).xAxisTitle(x)
        .yAxisTitle(y).build();
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    return c;
  }

  private static void add(XYChart c, String name, boolean convex, List<double[]> pts) {
    if (pts.isEmpty()) {
      return;
    }
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int k = 0; k < pts.size(); k++) {
      x[k] = pts.get(k)[0];
      y[k] = pts.get(k)[1];
    }
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    if (convex) {
      s.setLineWidth(3f);
    }
  }

  private static byte[] png(XYChart c) {
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + c.getTitle(), e);
    }
  }

  public static String csv(List<Run> runs) {
    StringBuilder sb = new StringBuilder(
        "method,objective,relativeGap,trainAccuracy,testAccuracy,seconds\n");
    for (Run r : runs) {
      sb.append(r.name()).append(',').append(r.finalObjective()).append(',')
          .append(field(r.relativeGap())).append(',').append(field(r.trainAccuracy()))
          .append(',').append(field(r.testAccuracyFinal())).append(',')
          .append(r.totalSeconds()).append('\n');
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
      row(sb, r.name(), r.finalObjective(), r.relativeGap(), r.trainAccuracy(),
          r.testAccuracyFinal(), r.totalSeconds());
      if (!r.group().equals(CONVEX)) {
        sgdGroups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r);
      }
    }
    sgdGroups.forEach((group, sgd) -> row(sb, group + " median", median(sgd,
        Run::finalObjective), Double.NaN, median(sgd, Run::trainAccuracy),
        median(sgd, Run::testAccuracyFinal), median(sgd, Run::totalSeconds)));
    sb.append('\n').append(note).append("\n\n");
    if (!checks.isEmpty()) {
      sb.append("## Checks\n\n");
      checks.forEach(c -> sb.append("- ").append(c).append('\n'));
      sb.append('\n');
    }
    sb.append("## Plots\n\n");
    sb.append("- objective vs iteration: `").append(OBJECTIVE_VS_ITERATION).append("`\n");
    sb.append("- objective vs seconds: `").append(OBJECTIVE_VS_SECONDS).append("`\n");
    if (accuracyPlot) {
      sb.append("- test accuracy vs seconds: `").append(TEST_ACCURACY_VS_SECONDS)
          .append("`\n");
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, double obj, double gap, double train,
      double test, double seconds) {
    sb.append(String.format(Locale.ROOT, "| %s | %.8g | %s | %s | %s | %.1f |%n", name, obj,
        Double.isNaN(gap) ? "-" : String.format(Locale.ROOT, "%.2e", gap), pct(train),
        pct(test), seconds));
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
