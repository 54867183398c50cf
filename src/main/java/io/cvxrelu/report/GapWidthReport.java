package io.cvxrelu.report;

import io.cvxrelu.theory.GapAgainstWidth.Result;
import io.cvxrelu.theory.GapAgainstWidth.WidthRow;
import java.awt.BasicStroke;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The files of {@code jobs/gap-width.sh} (survey seed, section 3: width and multi-branch
 * networks): {@code gap-width.csv} (one row per width: best and median SGD objective, their
 * relative gaps to the certified optimum F*, the recovered network's, the seed's 2/I),
 * {@code runs.csv} (every SGD run), {@code gap-width.png} (the gaps against m on a log axis,
 * with 2/m beside them) and {@code objective-width.png} (the objectives themselves, with F* and
 * the certificate's lower bound), and {@code report.md} with the two checks.
 */
public final class GapWidthReport {
  /** Relative deviation of the recovered network from F* that passes the recovery check. */
  public static final double RECOVERY_TOLERANCE = 1e-6;
  /**
   * Best-run gap under which a width counts as reaching F*: Adam at a constant step ends about
   * 1e-5 above a minimum (measured at m &gt;= m*, docs/theory.md); tighter would count its
   * noise.
   */
  public static final double REACHED = 1e-4;

  private GapWidthReport() {}

  /** gap-width.csv. */
  public static String widthsCsv(Result r) {
    StringBuilder sb = new StringBuilder("width,best_objective,median_objective,best_gap,"
        + "median_gap,recovered_objective,recovered_gap,seed_bound_2_over_I,certificate_gap\n");
    for (WidthRow w : r.rows()) {
      sb.append(String.format(Locale.ROOT, "%d,%.12g,%.12g,%.6g,%.6g,%s,%s,%.6g,%.6g%n",
          w.width(), w.best(), w.median(), r.relativeGap(w.best()), r.relativeGap(w.median()),
          num(w.recoveredObjective()), num(r.relativeGap(w.recoveredObjective())),
          2.0 / w.width(), r.certificateGap()));
    }
    return sb.toString();
  }

  /** runs.csv: every SGD run's final objective. */
  public static String runsCsv(Result r) {
    StringBuilder sb = new StringBuilder("width,init,objective,relative_gap\n");
    for (WidthRow w : r.rows()) {
      double[] f = w.objectives();
      for (int k = 0; k < f.length; k++) {
        sb.append(String.format(Locale.ROOT, "%d,%d,%.12g,%.6g%n", w.width(), k, f[k],
            r.relativeGap(f[k])));
      }
    }
    return sb.toString();
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.12g", v);
  }

  /** The PNG plots, by file name. */
  public static Map<String, byte[]> plots(Result r) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put("gap-width.png", Png.of(gapChart(r)));
    out.put("objective-width.png", Png.of(objectiveChart(r)));
    return out;
  }

  /**
   * The floor of the log axis: the certificate's relative gap (at most 1e-12 below it), since
   * a gap within the certificate is indistinguishable from zero.
   */
  static double floor(Result r) {
    return Math.max(r.certificateGap(), 1e-12);
  }

  private static XYChart gapChart(Result r) {
    double floor = floor(r);
    XYChart c = new XYChartBuilder().width(860).height(580)
        .title(String.format(Locale.ROOT, "SGD gap to the certified optimum against width (m* ="
            + " %d)", r.neurons()))
        .xAxisTitle("width m (hidden neurons; branches I = m)")
        .yAxisTitle(String.format(Locale.ROOT, "(F - F*) / F*, log; <= %.0e drawn at it",
            floor)).build();
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    List<WidthRow> rows = r.rows();
    double[] m = rows.stream().mapToDouble(WidthRow::width).toArray();
    line(c, "SGD, best of " + rows.get(0).objectives().length + " inits", m,
        rows.stream().mapToDouble(w -> Math.max(r.relativeGap(w.best()), floor)).toArray(),
        SeriesLines.SOLID);
    line(c, "SGD, median", m,
        rows.stream().mapToDouble(w -> Math.max(r.relativeGap(w.median()), floor)).toArray(),
        SeriesLines.DASH_DASH);
    line(c, "seed's multi-branch bound 2/I (I = m)", m,
        rows.stream().mapToDouble(w -> 2.0 / w.width()).toArray(), SeriesLines.DOT_DOT);
    List<WidthRow> recovered = rows.stream()
        .filter(w -> !Double.isNaN(w.recoveredObjective())).toList();
    if (!recovered.isEmpty()) {
      XYSeries s = c.addSeries("network recovered from the convex solution",
          recovered.stream().mapToDouble(WidthRow::width).toArray(),
          recovered.stream().mapToDouble(w -> Math.max(
              Math.abs(r.relativeGap(w.recoveredObjective())), floor)).toArray());
      s.setMarker(SeriesMarkers.DIAMOND);
      s.setLineStyle(SeriesLines.NONE);
    }
    return c;
  }

  private static XYChart objectiveChart(Result r) {
    XYChart c = new XYChartBuilder().width(860).height(580)
        .title("Final SGD objective against width, with the certified optimum")
        .xAxisTitle("width m").yAxisTitle("objective F").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    List<WidthRow> rows = r.rows();
    double[] m = rows.stream().mapToDouble(WidthRow::width).toArray();
    line(c, "SGD, best", m, rows.stream().mapToDouble(WidthRow::best).toArray(),
        SeriesLines.SOLID);
    line(c, "SGD, median", m, rows.stream().mapToDouble(WidthRow::median).toArray(),
        SeriesLines.DASH_DASH);
    double[] ends = {m[0], m[m.length - 1]};
    line(c, "F* (convex, certified)", ends, new double[] {r.optimum(), r.optimum()},
        SeriesLines.DOT_DOT);
    return c;
  }

  private static void line(XYChart c, String name, double[] x, double[] y,
      BasicStroke style) {
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setLineStyle(style);
  }

  /** Whether no SGD run is below the certificate's lower bound. */
  public static boolean lowerBoundHolds(Result r) {
    return r.runsBelowLowerBound() == 0;
  }

  /** Whether the recovered network is at F* at m* and, padded, at every width m &gt;= m*. */
  public static boolean recoveryHolds(Result r) {
    return r.largestRecoveryDeviation() <= RECOVERY_TOLERANCE;
  }

  /** report.md. */
  public static String markdown(Result r, Map<String, String> settings, String command,
      double seconds) {
    StringBuilder sb = new StringBuilder("# Duality gap against width (survey seed, section 3:"
        + " width and multi-branch networks)\n\n");
    sb.append("Command: `").append(command).append("`\n\n| setting | value |\n|---|---|\n");
    settings.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v)
        .append(" |\n"));
    sb.append(String.format(Locale.ROOT, "%nConvex ReLU program over all %d sign patterns "
        + "(n = %d, d = %d with the bias column), beta = %.6g (beta_max %.6g), %s: F* = %.10g, "
        + "lower bound %.10g, relative gap %.2e, %s, %.1f s. Its solution has m* = %d active "
        + "neurons; the recovered network's objective (SGD trainer's code) is %.10g. SGD: %.1f s;"
        + " wall time %.1f s.%n%n", r.patterns(), r.n(), r.d(), r.beta(), r.betaMax(),
        r.solverName(), r.optimum(), r.lowerBound(), r.certificateGap(),
        r.certification().label(), r.convexSeconds(), r.neurons(), r.recoveredAtOptimum(),
        r.sgdSeconds(), seconds));
    sb.append("## Checks\n\n");
    int runs = r.rows().stream().mapToInt(w -> w.objectives().length).sum();
    sb.append(String.format(Locale.ROOT, "- %s no SGD run is below the certificate's lower "
        + "bound: %d of %d runs below (every relative gap >= -%.2e, minus the certificate's "
        + "gap)%n", lowerBoundHolds(r) ? "PASS" : "FAIL", r.runsBelowLowerBound(), runs,
        r.certificateGap()));
    sb.append(String.format(Locale.ROOT, "- %s network recovery: the recovered network (m* = "
        + "%d), padded with zero neurons, is at F* at every width m >= m* (largest |F - F*| / "
        + "F* = %.2e, tolerance %.0e)%n", recoveryHolds(r) ? "PASS" : "FAIL", r.neurons(),
        r.largestRecoveryDeviation(), RECOVERY_TOLERANCE));
    int reached = r.smallestWidthAtOptimum(REACHED);
    sb.append(String.format(Locale.ROOT, "- smallest width whose best SGD run is within %.0e "
        + "of F*: %s (m* = %d)%n%n", REACHED, reached < 0 ? "none" : Integer.toString(reached),
        r.neurons()));
    sb.append("## Gap against width\n\nRelative gap (F - F*) / F*; the seed's bound 2/I with I "
        + "= m branches beside it (the seed normalises its gap differently, see docs/theory.md)"
        + ".\n\n| m | best F | median F | best gap | median gap | recovered net gap | 2/I |\n"
        + "|---|---|---|---|---|---|---|\n");
    for (WidthRow w : r.rows()) {
      sb.append(String.format(Locale.ROOT, "| %d | %.8g | %.8g | %.2e | %.2e | %s | %.3g |%n",
          w.width(), w.best(), w.median(), r.relativeGap(w.best()), r.relativeGap(w.median()),
          Double.isNaN(w.recoveredObjective()) ? "-" : String.format(Locale.ROOT, "%.1e",
              r.relativeGap(w.recoveredObjective())), 2.0 / w.width()));
    }
    sb.append("\n![gap against width](gap-width.png)\n![objective against width]"
        + "(objective-width.png)\n");
    return sb.toString();
  }
}
