package io.cvxrelu.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * A regularisation path's table ({@code path.csv}) and figure ({@code path.png}): per beta the
 * certificate, the neurons kept and the train, validation and test fit, so that a pipeline can
 * see where the fit on held-out rows peaks.
 */
public final class PathPlots {
  private PathPlots() {}

  /**
   * One point of the path.
   *
   * @param fraction beta / beta_max
   * @param train training accuracy or MSE
   * @param validation validation accuracy or MSE (NaN: no validation rows)
   * @param test test accuracy or MSE (NaN: no test data)
   */
  public record Row(double fraction, double beta, double objective, double relativeGap,
      boolean certified, int neurons, double seconds, long iterations, String stopReason,
      double train, double validation, double test) {}

  /** The table, one row per beta in path order; the fit columns named by their metric. */
  public static String csv(List<Row> rows, boolean accuracy) {
    String kind = accuracy ? "Accuracy" : "Mse";
    StringBuilder sb = new StringBuilder("betaFraction,beta,objective,relativeGap,certified,"
        + "neurons,seconds,iterations,stopReason,train" + kind + ",validation" + kind + ",test"
        + kind + "\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%d,%.3f,%d,%s,%s,%s,%s%n",
          r.fraction(), r.beta(), r.objective(), r.relativeGap(), r.certified(), r.neurons(),
          r.seconds(), r.iterations(), r.stopReason(), r.train(), blank(r.validation()),
          blank(r.test())));
    }
    return sb.toString();
  }

  private static String blank(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  /** Train, validation and test fit against beta (log axis), and the neurons kept. */
  public static byte[] png(List<Row> rows, boolean accuracy) {
    XYChart c = new XYChartBuilder().width(1000).height(600)
        .title("Regularisation path: fit and neurons against beta")
        .xAxisTitle("beta (log scale)").yAxisTitle(accuracy ? "accuracy" : "MSE").build();
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    series(c, "train", rows, Row::train, 0);
    series(c, "validation", rows, Row::validation, 0);
    series(c, "test", rows, Row::test, 0);
    series(c, "neurons (right axis)", rows, r -> r.neurons(), 1);
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the path figure", e);
    }
  }

  private static void series(XYChart c, String name, List<Row> rows, ToDoubleFunction<Row> f,
      int axis) {
    List<double[]> pts = new ArrayList<>();
    for (Row r : rows) {
      double v = f.applyAsDouble(r);
      if (Double.isFinite(v) && r.beta() > 0) {
        pts.add(new double[] {r.beta(), v});
      }
    }
    if (pts.isEmpty()) {
      return;
    }
    double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
    XYSeries s = c.addSeries(name, x, y);
    s.setYAxisGroup(axis);
  }
}
