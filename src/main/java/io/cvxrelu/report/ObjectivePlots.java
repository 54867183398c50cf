package io.cvxrelu.report;

import io.cvxrelu.report.ComparisonReport.Run;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The compare report's three PNG plots, drawn with XChart after Pilanci and Ergen (2020),
 * Figs. 2 and 5: the training objective against iterations and against seconds, and test
 * accuracy against seconds.
 *
 * <p>The objective plots show, on a log axis, each curve's excess over the
 * {@link ExcessReference}. A convex run is drawn as its best feasible objective so far (the
 * ReLU solvers' iterates violate the cone constraints on the way, and their objectives jump by
 * orders of magnitude), with a shaded band reaching down to its largest lower bound so far: the
 * duality-gap certificate. Where that bound is at or below the reference the band runs to the
 * bottom of the axis. An SGD run is drawn as its objective per epoch. When the runs' spans on
 * the x axis differ by more than {@link #LOG_AXIS_RATIO} (20 s of SGD against 700 s of a convex
 * solve) the x axis is logarithmic too, so no run collapses against the axis.
 */
final class ObjectivePlots {
  /** Spans of the runs on the x axis differing by more than this factor get a log x axis. */
  static final double LOG_AXIS_RATIO = 30.0;
  /** Opacity (of 255) of the certificate bands. */
  private static final int BAND_ALPHA = 45;

  private ObjectivePlots() {}

  static Map<String, byte[]> render(List<Run> runs) {
    ExcessReference reference = ExcessReference.of(runs);
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put(ComparisonReport.OBJECTIVE_VS_ITERATION, png(excessChart(runs, reference, true)));
    out.put(ComparisonReport.OBJECTIVE_VS_SECONDS, png(excessChart(runs, reference, false)));
    XYChart accuracy = accuracyChart(runs);
    if (!accuracy.getSeriesMap().isEmpty()) {
      out.put(ComparisonReport.TEST_ACCURACY_VS_SECONDS, png(accuracy));
    }
    return out;
  }

  /**
   * Whether the runs' spans on the x axis (their largest positive x: seconds, or solver steps
   * and epochs) differ by more than {@link #LOG_AXIS_RATIO}.
   */
  static boolean logAxis(List<Run> runs, boolean byIteration) {
    double shortest = Double.POSITIVE_INFINITY;
    double longest = 0.0;
    for (Run r : runs) {
      double span = 0.0;
      for (double v : x(r, byIteration)) {
        if (Double.isFinite(v)) {
          span = Math.max(span, v);
        }
      }
      if (span > 0.0) {
        shortest = Math.min(shortest, span);
        longest = Math.max(longest, span);
      }
    }
    return longest > LOG_AXIS_RATIO * shortest;
  }

  private static double[] x(Run r, boolean byIteration) {
    return byIteration ? r.iterations() : r.seconds();
  }

  private static String xTitle(String what, boolean log) {
    return log ? what + " (log)" : what;
  }

  /**
   * One line to draw: its points are those a log axis can show; {@code convex} lines are
   * thick, {@code step} lines (a best-so-far series) hold their value until the next point.
   */
  private record Curve(String name, Color color, boolean convex, boolean step,
      List<double[]> points) {}

  private static XYChart excessChart(List<Run> runs, ExcessReference reference,
      boolean byIteration) {
    boolean logX = logAxis(runs, byIteration);
    XYChart c = chart("Training objective minus the " + reference.description(),
        xTitle(byIteration ? "iterations (convex: solver steps; SGD: epochs)" : "seconds", logX),
        "objective - reference (log)");
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setXAxisLogarithmic(logX);
    Color[] palette = c.getStyler().getSeriesColors();
    double ref = reference.value();
    List<Curve> curves = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      double[] y = r.duality() == null ? r.objective() : r.bestFeasible();
      List<double[]> pts = new ArrayList<>();
      double[] xs = x(r, byIteration);
      for (int k = 0; k < xs.length; k++) {
        double excess = y[k] - ref;
        // The reference point itself has excess 0, which a log axis cannot show.
        if (excess > 0 && Double.isFinite(excess) && (!logX || xs[k] > 0)) {
          pts.add(new double[] {xs[k], excess});
        }
      }
      boolean convex = r.duality() != null;
      curves.add(new Curve(r.name(), palette[i % palette.length], convex, convex, pts));
    }
    double floor = floor(curves);
    c.getStyler().setYAxisMin(floor);
    // Bands first, so the lines are drawn over them.
    for (int i = 0; i < runs.size(); i++) {
      if (runs.get(i).duality() != null) {
        band(c, runs.get(i), curves.get(i).color(), x(runs.get(i), byIteration), ref, floor,
            logX);
      }
    }
    curves.forEach(curve -> line(c, curve));
    return c;
  }

  /** A decade below the least excess any line shows: the bottom of the axis. */
  private static double floor(List<Curve> curves) {
    double least = Double.POSITIVE_INFINITY;
    for (Curve curve : curves) {
      for (double[] p : curve.points()) {
        least = Math.min(least, p[1]);
      }
    }
    return Double.isFinite(least) ? Math.pow(10, Math.floor(Math.log10(least)) - 1) : 1e-12;
  }

  /**
   * The certificate of a convex run as a polygon: its best feasible objective so far on top,
   * its largest lower bound so far below (at the floor where it is not above the reference).
   */
  private static void band(XYChart c, Run r, Color color, double[] xs, double ref, double floor,
      boolean logX) {
    double[] upper = r.bestFeasible();
    double[] lower = r.lowerBoundSoFar();
    List<double[]> top = new ArrayList<>();
    List<double[]> bottom = new ArrayList<>();
    for (int k = 0; k < xs.length; k++) {
      if (Double.isNaN(upper[k]) || (logX && !(xs[k] > 0))) {
        continue;
      }
      double l = lower[k] - ref;
      step(top, xs[k], Math.max(upper[k] - ref, floor));
      step(bottom, xs[k], Double.isFinite(l) ? Math.max(l, floor) : floor);
    }
    if (top.isEmpty()) {
      return;
    }
    Collections.reverse(bottom);
    top.addAll(bottom);
    XYSeries s = add(c, r.name() + ": certified [lower bound, best feasible]", top);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
    s.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), BAND_ALPHA));
    s.setLineColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 0));
  }

  /** Appends (x, y) to a step function: both bounds so far hold until the next row. */
  private static void step(List<double[]> pts, double x, double y) {
    if (!pts.isEmpty()) {
      pts.add(new double[] {x, pts.get(pts.size() - 1)[1]});
    }
    pts.add(new double[] {x, y});
  }

  private static XYChart accuracyChart(List<Run> runs) {
    boolean logX = logAxis(runs, false);
    XYChart c = chart("Test accuracy", xTitle("seconds", logX), "test accuracy");
    c.getStyler().setXAxisLogarithmic(logX);
    Color[] palette = c.getStyler().getSeriesColors();
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      List<double[]> pts = new ArrayList<>();
      for (int k = 0; k < r.seconds().length; k++) {
        if (!Double.isNaN(r.testAccuracy()[k]) && (!logX || r.seconds()[k] > 0)) {
          pts.add(new double[] {r.seconds()[k], r.testAccuracy()[k]});
        }
      }
      line(c, new Curve(r.name(), palette[i % palette.length],
          r.group().equals(ComparisonReport.CONVEX), false, pts));
    }
    return c;
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(1200).height(700).title(title).xAxisTitle(x)
        .yAxisTitle(y).build();
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return c;
  }

  private static void line(XYChart c, Curve curve) {
    if (curve.points().isEmpty()) {
      return;
    }
    XYSeries s = add(c, curve.name(), curve.points());
    s.setLineColor(curve.color());
    if (curve.step()) {
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
    }
    if (curve.convex()) {
      s.setLineWidth(3f);
    }
  }

  private static XYSeries add(XYChart c, String name, List<double[]> pts) {
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int k = 0; k < pts.size(); k++) {
      x[k] = pts.get(k)[0];
      y[k] = pts.get(k)[1];
    }
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  private static byte[] png(XYChart c) {
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + c.getTitle(), e);
    }
  }
}
