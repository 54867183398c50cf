package io.cvxrelu.report;

import io.cvxrelu.cnn.relaxation.PhaseTransitionCell;
import io.cvxrelu.cnn.relaxation.PhaseTransitionCell.Result;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The phase-transition experiment's outputs (Bartan and Pilanci, Fig. 1): {@code cells.csv}
 * (one row per (k, f, n/f) cell), heat maps in PNG (x: n/f; y: k and f) of the minimum
 * ||w_hat - w*|| over the runs (log10, the paper's colour scale), the per-run success rate and
 * "any of T" success, for the relaxation and for gradient descent, and {@code report.md}.
 */
public final class PhaseTransitionReport {
  private PhaseTransitionReport() {}

  /** One heat map: its file, title, value and colour range. */
  private record Map2(String file, String title, ToDoubleFunction<Result> value, double min,
      double max, String pattern) {}

  private static final List<Map2> MAPS = List.of(
      new Map2("relaxation-min-error.png", "LP (9), T draws: log10 min ||w - w*||",
          r -> log10(r.relaxMinError()), -12, 1, "0.0"),
      new Map2("gd-min-error.png", "Gradient descent, R starts: log10 min ||w - w*||",
          r -> log10(r.gdMinError()), -12, 1, "0.0"),
      new Map2("relaxation-success-rate.png", "LP (9): per-draw success rate",
          Result::relaxSuccessRate, 0, 1, "0.00"),
      new Map2("gd-success-rate.png", "Gradient descent: per-start success rate",
          Result::gdSuccessRate, 0, 1, "0.00"),
      new Map2("relaxation-any.png", "LP (9): best of T draws succeeds (1) or not (0)",
          r -> r.relaxAny() ? 1 : 0, 0, 1, "0"),
      new Map2("gd-any.png", "Gradient descent: some start succeeds (1) or not (0)",
          r -> r.gdAny() ? 1 : 0, 0, 1, "0"));

  private static double log10(double v) {
    return Double.isFinite(v) ? Math.log10(Math.max(v, 1e-16)) : 1.0;
  }

  /** cells.csv: one row per cell, sorted by k, f and n/f. */
  public static String csv(List<Result> cells) {
    StringBuilder sb = new StringBuilder("k,f,ratio,n,draws,starts,relaxMinError,"
        + "relaxSuccessRate,relaxAny,conePredictedRate,coneDisagreements,uncertified,"
        + "gdMinError,gdSuccessRate,gdAny,gdStep,seconds\n");
    for (Result r : sorted(cells)) {
      PhaseTransitionCell.Spec s = r.spec();
      sb.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%.6e,%.4f,%d,%.4f,%d,%d,%.6e,"
          + "%.4f,%d,%.6e,%.3f%n", s.blocks(), s.filterSize(), s.ratio(), s.n(), s.draws(),
          s.starts(), r.relaxMinError(), r.relaxSuccessRate(), r.relaxAny() ? 1 : 0,
          r.conePredictedRate(), r.coneDisagreements(), r.uncertified(), r.gdMinError(),
          r.gdSuccessRate(), r.gdAny() ? 1 : 0, r.gdStep(), r.seconds()));
    }
    return sb.toString();
  }

  private static List<Result> sorted(List<Result> cells) {
    List<Result> out = new ArrayList<>(cells);
    out.sort((a, b) -> {
      int c = Integer.compare(a.spec().blocks(), b.spec().blocks());
      c = c != 0 ? c : Integer.compare(a.spec().filterSize(), b.spec().filterSize());
      return c != 0 ? c : Integer.compare(a.spec().ratio(), b.spec().ratio());
    });
    return out;
  }

  /** The six heat maps as PNG bytes, by file name. */
  public static Map<String, byte[]> plots(List<Result> cells) {
    List<Integer> ratios = new ArrayList<>(new TreeSet<>(cells.stream()
        .map(r -> r.spec().ratio()).toList()));
    List<String> rows = new ArrayList<>(new TreeSet<>(cells.stream().map(PhaseTransitionReport::row)
        .toList()));
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map2 m : MAPS) {
      HeatMapChart chart = new HeatMapChartBuilder().width(900).height(600).title(m.title())
          .xAxisTitle("n / f").yAxisTitle("k, f").build();
      chart.getStyler().setShowValue(true).setMin(m.min()).setMax(m.max())
          .setHeatMapValueDecimalPattern(m.pattern())
          .setRangeColors(new Color[] {new Color(20, 20, 120), new Color(40, 160, 200),
              new Color(250, 230, 80)});
      List<Number[]> data = new ArrayList<>();
      for (Result r : cells) {
        data.add(new Number[] {ratios.indexOf(r.spec().ratio()), rows.indexOf(row(r)),
            m.value().applyAsDouble(r)});
      }
      chart.addSeries(m.file(), ratios, rows, data);
      try {
        out.put(m.file(), BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot render " + m.file(), e);
      }
    }
    return out;
  }

  /** The y label of a cell; zero-padded so that the sorted labels follow k, then f. */
  private static String row(Result r) {
    return String.format(Locale.ROOT, "k=%d f=%02d", r.spec().blocks(), r.spec().filterSize());
  }

  /** report.md: settings, the checks, and the table of cells. */
  public static String markdown(List<Result> cells, String command, double seconds) {
    int disagreements = cells.stream().mapToInt(Result::coneDisagreements).sum();
    int uncertified = cells.stream().mapToInt(Result::uncertified).sum();
    long draws = cells.stream().mapToLong(r -> r.spec().draws()).sum();
    StringBuilder sb = new StringBuilder("# Phase transition of the CNN relaxation (Bartan and "
        + "Pilanci, Fig. 1)\n\n");
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append(String.format(Locale.ROOT, "Planted Gaussian instances (X, w* ~ N(0, 1), no "
        + "noise); %d cells; wall time %.1f s. Success: ||w - w*|| / ||w*|| <= %.0e.%n%n",
        cells.size(), seconds, PhaseTransitionCell.SUCCESS));
    sb.append("## Checks\n\n");
    sb.append(String.format(Locale.ROOT, "- LP draws whose outcome differs from the NNLS cone "
        + "test of eq. (14): %d of %d%n", disagreements, draws));
    sb.append(String.format(Locale.ROOT, "- LP draws neither certified nor a certified ray: %d"
        + "%n%n", uncertified));
    sb.append("The paper gives Fig. 1 as heat maps only, with no numbers to set beside ours. "
        + "Read the rates against n / d = (n / f) / k as well as n / f: the LP's cone of "
        + "eq. (14) needs n of the order of d = k f.\n\n");
    sb.append("## Cells\n\n| k | f | n/f | LP min err | LP rate | LP any | NNLS rate | GD min err"
        + " | GD rate | GD any | s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : sorted(cells)) {
      PhaseTransitionCell.Spec s = r.spec();
      sb.append(String.format(Locale.ROOT, "| %d | %d | %d | %.1e | %.2f | %s | %.2f | %.1e | "
          + "%.2f | %s | %.1f |%n", s.blocks(), s.filterSize(), s.ratio(), r.relaxMinError(),
          r.relaxSuccessRate(), r.relaxAny() ? "yes" : "no", r.conePredictedRate(),
          r.gdMinError(), r.gdSuccessRate(), r.gdAny() ? "yes" : "no", r.seconds()));
    }
    sb.append("\n## Plots\n\n");
    for (Map2 m : MAPS) {
      sb.append("![").append(m.title()).append("](").append(m.file()).append(")\n");
    }
    return sb.toString();
  }
}
