package io.cvxrelu.deep.study;

import io.cvxrelu.deep.study.SplineStudy.Networks;
import io.cvxrelu.deep.study.SplineStudy.Result;
import io.cvxrelu.deep.study.SplineStudy.Row;
import io.cvxrelu.spline.SplineNetwork;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The files of the 1-D panel ({@link SplineStudy}): {@code spline-1d.csv} (one row per beta),
 * {@code spline-1d-networks.csv} (the recovered weights u, b, alpha and the intercept c),
 * {@code spline-1d.png} (the optimal splines over the beta grid with the data points and the
 * kinks marked, seed 003's Figure 1) and {@code spline-1d-adam.png} (the data-point optimum,
 * the midpoint-kink optimum and the best Adam run, at the beta where midpoint kinks lose most),
 * and the report section.
 */
public final class SplineReport {
  private SplineReport() {}

  /** The CSV files, by name. */
  public static Map<String, String> textFiles(Result r) {
    Map<String, String> files = new LinkedHashMap<>();
    StringBuilder csv = new StringBuilder(Row.CSV_HEADER).append('\n');
    r.rows().forEach(row -> csv.append(row.toCsv()).append('\n'));
    files.put("spline-1d.csv", csv.toString());
    StringBuilder w = new StringBuilder("beta,neuron,u,b,alpha,kink,intercept\n");
    for (Networks n : r.networks()) {
      SplineNetwork net = n.convex();
      double[] u = net.u();
      double[] b = net.b();
      double[] a = net.alpha();
      for (int j = 0; j < u.length; j++) {
        w.append(String.format(Locale.ROOT, "%.17g,%d,%.17g,%.17g,%.17g,%.17g,%.17g\n",
            n.beta(), j, u[j], b[j], a[j], -b[j] / u[j], net.intercept()));
      }
    }
    files.put("spline-1d-networks.csv", w.toString());
    return files;
  }

  /** The report section (markdown), to be appended to report.md. */
  public static String markdown(Result r) {
    StringBuilder sb = new StringBuilder("\n## 1-D data: the optimal network is a linear spline "
        + "with kinks at the data points\n\n");
    sb.append(String.format(Locale.ROOT, "n = %d points, x ~ U(-1, 1), y = sin(3x) + noise. "
        + "Network f(x) = c + sum_j alpha_j (u_j x + b_j)_+, objective 1/2 sum_i (f(x_i) - "
        + "y_i)^2 + beta/2 sum_j (u_j^2 + alpha_j^2): the biases b_j and the intercept c are "
        + "not penalised (docs/deep-networks.md, \"The 1-D spline corollary\"). `convex`: the "
        + "Lasso over the atoms (x - x_k)_+, (x_k - x)_+ at the data points, certified by its "
        + "duality gap; `network`: the non-convex objective at the recovered weights; "
        + "`midpoints`, `grid (%d per gap)`: the same program with kinks only off the data "
        + "(never lower, by the corollary); `Adam`: full-batch runs of the non-convex network. "
        + "The seed shows its Figure 1 as a plot without numbers. Panel time %.1f s.\n\n",
        r.x().length, SplineStudy.GRID_PER_GAP, r.seconds()));
    sb.append("| beta / beta_max | beta | convex (certified) | rel. gap | kinks | network | "
        + "midpoints | grid | Adam best | Adam median | best excess |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    int offBelow = 0;
    int runsBelow = 0;
    for (Row row : r.rows()) {
      sb.append(String.format(Locale.ROOT, "| %.3g | %.4g | %.10g | %.1e | %d | %.10g | %.10g "
          + "| %.10g | %.10g | %.10g | %.2e |\n", row.betaFrac(), row.beta(), row.convex(),
          row.relativeGap(), row.kinks(), row.network(), row.midpoints(), row.grid(),
          row.sgdBest(), row.sgdMedian(), row.relativeExcess()));
      offBelow += (row.midpoints() < row.convex() * (1 - 1e-9) ? 1 : 0)
          + (row.grid() < row.convex() * (1 - 1e-9) ? 1 : 0);
      runsBelow += row.sgdBelow();
    }
    sb.append(String.format(Locale.ROOT, "\nOff-data kink sets below the data-point optimum "
        + "(relative 1e-9): %d of %d. Adam runs below it: %d. Largest |network - convex| / "
        + "convex: %.1e.\n", offBelow, 2 * r.rows().size(), runsBelow, r.rows().stream()
        .mapToDouble(row -> Math.abs(row.network() - row.convex()) / row.convex()).max()
        .orElse(0.0)));
    return sb.toString();
  }

  /** The PNG files, by name. */
  public static Map<String, byte[]> plots(Result r) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    XYChart all = chart("Optimal two-layer ReLU networks on 1-D data (free biases): linear "
        + "splines, kinks at data points");
    for (int k = 0; k < r.networks().size(); k++) {
      Networks n = r.networks().get(k);
      Color color = PALETTE[k % PALETTE.length];
      curve(all, String.format(Locale.ROOT, "beta = %.3g", n.beta()), n.convex(), r.x(),
          SeriesLines.SOLID, color);
      kinks(all, String.format(Locale.ROOT, "kinks, beta = %.3g", n.beta()), n.convex(), color);
    }
    points(all, r);
    files.put("spline-1d.png", png(all));
    // The beta at which midpoint kinks lose the most (relative), where the two curves differ.
    int shown = 0;
    for (int k = 1; k < r.rows().size(); k++) {
      if (lossOffData(r.rows().get(k)) > lossOffData(r.rows().get(shown))) {
        shown = k;
      }
    }
    Networks mid = r.networks().get(shown);
    XYChart cmp = chart(String.format(Locale.ROOT, "beta = %.3g: data-point kinks, midpoint "
        + "kinks, best Adam run", mid.beta()));
    curve(cmp, "convex, kinks at data", mid.convex(), r.x(), SeriesLines.SOLID, PALETTE[0]);
    kinks(cmp, "kinks (convex)", mid.convex(), PALETTE[0]);
    curve(cmp, "convex, kinks at midpoints", mid.midpoints(), r.x(), SeriesLines.DASH_DASH,
        PALETTE[1]);
    kinks(cmp, "kinks (midpoints)", mid.midpoints(), PALETTE[1]);
    curve(cmp, "best Adam run", mid.bestAdam(), r.x(), SeriesLines.DOT_DOT, PALETTE[2]);
    points(cmp, r);
    files.put("spline-1d-adam.png", png(cmp));
    return files;
  }

  private static final Color[] PALETTE = {new Color(0, 90, 200), new Color(220, 60, 20),
      new Color(0, 150, 60), new Color(150, 0, 170), new Color(200, 150, 0),
      new Color(0, 170, 190)};

  private static double lossOffData(Row row) {
    return (row.midpoints() - row.convex()) / row.convex();
  }

  private static XYChart chart(String title) {
    XYChart c = new XYChartBuilder().width(1100).height(650).title(title).xAxisTitle("x")
        .yAxisTitle("f(x)").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return c;
  }

  /** f on a fine grid over the data range and a margin, so the kinks show as corners. */
  private static void curve(XYChart c, String name, SplineNetwork net, double[] x,
      BasicStroke line, Color color) {
    double lo = Arrays.stream(x).min().orElse(-1.0);
    double hi = Arrays.stream(x).max().orElse(1.0);
    double margin = 0.1 * (hi - lo);
    int steps = 1000;
    double[] gx = new double[steps + 1];
    double[] gy = new double[steps + 1];
    for (int t = 0; t <= steps; t++) {
      gx[t] = lo - margin + (hi - lo + 2 * margin) * t / steps;
      gy[t] = net.evaluate(gx[t]);
    }
    XYSeries s = c.addSeries(name, gx, gy);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineStyle(line);
    s.setLineColor(color);
  }

  private static void kinks(XYChart c, String name, SplineNetwork net, Color color) {
    double[] k = Arrays.stream(net.kinks()).distinct().sorted().toArray();
    if (k.length == 0) {
      return;
    }
    double[] v = Arrays.stream(k).map(net::evaluate).toArray();
    XYSeries s = c.addSeries(name, k, v);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarker(SeriesMarkers.DIAMOND);
    s.setMarkerColor(color);
  }

  private static void points(XYChart c, Result r) {
    XYSeries s = c.addSeries("data", r.x(), r.y());
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setMarkerColor(Color.BLACK);
  }

  private static byte[] png(XYChart c) {
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + c.getTitle(), e);
    }
  }
}
