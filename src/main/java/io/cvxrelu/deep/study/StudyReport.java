package io.cvxrelu.deep.study;

import io.cvxrelu.deep.study.DeepClosedFormStudy.Row;
import io.cvxrelu.deep.study.DeepClosedFormStudy.Trace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The study's files: {@code results.csv}, {@code report.md} (the numbers side by side) and per
 * data set {@code objective-vs-beta-DATA.png} (closed form per depth as lines, the convex
 * program and the best SGD run as markers) and {@code sgd-traces-DATA.png} (each run's
 * objective over the epochs relative to the closed form, at the middle beta).
 */
public final class StudyReport {
  private StudyReport() {}

  /** The text files, by name. */
  public static Map<String, String> textFiles(DeepClosedFormStudy.Result r, String command) {
    Map<String, String> files = new LinkedHashMap<>();
    StringBuilder csv = new StringBuilder(Row.CSV_HEADER).append('\n');
    r.rows().forEach(row -> csv.append(row.toCsv()).append('\n'));
    files.put("results.csv", csv.toString());
    files.put("report.md", markdown(r, command));
    return files;
  }

  /** The PNG files, by name. */
  public static Map<String, byte[]> plots(DeepClosedFormStudy.Result r) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String data : names(r.rows())) {
      files.put("objective-vs-beta-" + data + ".png", render("Training objective vs beta: "
          + data, "beta (log)", "objective (log)", c -> objectiveChart(c, r.rows(), data)));
      files.put("sgd-traces-" + data + ".png", render("SGD objective / closed form - 1 at the "
          + "middle beta: " + data, "epoch", "relative excess (log)",
          c -> traceChart(c, r.traces(), data)));
    }
    return files;
  }

  private static String markdown(DeepClosedFormStudy.Result r, String command) {
    StringBuilder sb = new StringBuilder("# Closed-form optima of deep networks against the "
        + "L-layer trainer\n\n");
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append("Objective 1/2 ||f(X) - Y||_F^2 + beta/2 sum_l ||W_l||_F^2 (Ergen and Pilanci, "
        + "ICML 2021, eq. (1)). `closed form`: docs/deep-networks.md; `convex L=2`: the convex "
        + "program over every sign pattern, certified (scalar outputs, small n only); `SGD`: "
        + "full-batch Adam from several initialisations. A negative excess would refute the "
        + "closed form. The seed shows its Figure 2 as curves without a table, so there are no "
        + "seed numbers to put beside these.\n\n");
    sb.append("| data | L | beta | closed form | convex L=2 | SGD best | SGD median | "
        + "best excess | train acc (closed / SGD) | test acc (closed / SGD) |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row row : r.rows()) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.4g | %.10g | %s | %.10g | %.10g | "
          + "%.2e | %s / %s | %s / %s |\n", row.data(), row.depth(), row.beta(),
          row.closedForm(), num(row.convex()), row.sgdBest(), row.sgdMedian(),
          row.relativeExcess(), acc(row.closedTrainAccuracy()), acc(row.sgdTrainAccuracy()),
          acc(row.closedTestAccuracy()), acc(row.sgdTestAccuracy())));
    }
    long below = r.rows().stream().filter(row -> row.relativeExcess() < -1e-9).count();
    sb.append(String.format(Locale.ROOT, "\nRuns whose best objective is below the closed form "
        + "(relative 1e-9): %d of %d cells.\n", below, r.rows().size()));
    return sb.toString();
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.10g", v);
  }

  private static String acc(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static Set<String> names(List<Row> rows) {
    Set<String> s = new LinkedHashSet<>();
    rows.forEach(r -> s.add(r.data()));
    return s;
  }

  private static void objectiveChart(XYChart c, List<Row> rows, String data) {
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisLogarithmic(true);
    Set<Integer> depths = new LinkedHashSet<>();
    rows.stream().filter(r -> r.data().equals(data)).forEach(r -> depths.add(r.depth()));
    for (int depth : depths) {
      List<Row> mine = rows.stream().filter(r -> r.data().equals(data) && r.depth() == depth)
          .toList();
      double[] beta = mine.stream().mapToDouble(Row::beta).toArray();
      c.addSeries("closed form L=" + depth, beta, mine.stream().mapToDouble(Row::closedForm)
          .toArray()).setMarker(SeriesMarkers.NONE);
      XYSeries sgd = c.addSeries("SGD best L=" + depth, beta, mine.stream()
          .mapToDouble(Row::sgdBest).toArray());
      sgd.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      sgd.setMarker(SeriesMarkers.CIRCLE);
      if (depth == 2 && mine.stream().anyMatch(r -> !Double.isNaN(r.convex()))) {
        List<Row> cv = mine.stream().filter(r -> !Double.isNaN(r.convex())).toList();
        XYSeries s = c.addSeries("convex program L=2", cv.stream().mapToDouble(Row::beta)
            .toArray(), cv.stream().mapToDouble(Row::convex).toArray());
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.DIAMOND);
      }
    }
  }

  private static void traceChart(XYChart c, List<Trace> traces, String data) {
    c.getStyler().setYAxisLogarithmic(true);
    for (Trace t : traces) {
      if (!t.data().equals(data)) {
        continue;
      }
      for (int k = 0; k < t.runs().size(); k++) {
        double[] obj = t.runs().get(k);
        double[] x = new double[obj.length];
        double[] y = new double[obj.length];
        for (int e = 0; e < obj.length; e++) {
          x[e] = e;
          // Floored so that a run at the optimum (or a rounding below it) stays on a log axis.
          y[e] = Math.max(obj[e] / t.closedForm() - 1.0, 1e-12);
        }
        c.addSeries(String.format(Locale.ROOT, "L=%d run %d", t.depth(), k), x, y)
            .setMarker(SeriesMarkers.NONE);
      }
    }
  }

  /** A line chart with the legend outside, filled by {@code fill}, as PNG bytes. */
  private static byte[] render(String title, String xTitle, String yTitle,
      Consumer<XYChart> fill) {
    XYChart c = new XYChartBuilder().width(1100).height(650).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    fill.accept(c);
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + title, e);
    }
  }
}
