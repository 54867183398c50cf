package io.cvxrelu.report;

import io.cvxrelu.train.ModelSelection;
import io.cvxrelu.train.ModelSelection.Candidate;
import io.cvxrelu.train.ModelSelection.Side;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of {@code compare.sh --select-on-validation}: the convex program of Pilanci and
 * Ergen (2020, eq. (8), gated variant) and SGD on their eq. (1), each configured by
 * {@link ModelSelection} on held-out training rows, then both selected models on the test set.
 * Writes {@code selection.csv} (every candidate), {@code report.md} (the selections, the test
 * table and the statement whether the convex model tests at or above the SGD median) and
 * {@code validation_vs_beta.png}.
 */
public final class SelectionReport {
  public static final String CSV = "selection.csv";
  public static final String PLOT = "validation_vs_beta.png";

  private SelectionReport() {}

  /**
   * The selected models on the test set.
   *
   * @param convex the selected convex candidate
   * @param convexCertification the solve's certification label ("certified" or why not)
   * @param convexTrainAccuracy accuracy on the fit rows
   * @param sgd the selected SGD candidate (its epochs are the early-stopping point)
   * @param sgdInits initialisation indices
   * @param sgdValidation per initialisation, validation accuracy after the selected epochs
   * @param sgdTest per initialisation, test accuracy after the selected epochs
   * @param sgdObjective per initialisation, the training objective after the selected epochs
   * @param reproduction largest relative difference of the training objective between the
   *     selection runs and the test runs (the same seeds; 0 when SGD is deterministic)
   */
  public record Final(Candidate convex, String convexCertification, double convexTrainAccuracy,
      double convexTestAccuracy, Candidate sgd, int[] sgdInits, double[] sgdValidation,
      double[] sgdTest, double[] sgdObjective, double reproduction) {

    public double sgdMedianTest() {
      return ModelSelection.median(sgdTest);
    }

    public double sgdBestTest() {
      double b = Double.NEGATIVE_INFINITY;
      for (double v : sgdTest) {
        b = Math.max(b, v);
      }
      return b;
    }

    /** The initialisation with the best validation accuracy (the first of equals). */
    public int sgdBestValidationInit() {
      int best = 0;
      for (int k = 1; k < sgdValidation.length; k++) {
        if (sgdValidation[k] > sgdValidation[best]) {
          best = k;
        }
      }
      return best;
    }

    public boolean convexAtLeastSgdMedian() {
      return convexTestAccuracy >= sgdMedianTest();
    }
  }

  /** Every candidate, convex first, in the order selection saw them; the chosen two marked. */
  public static String csv(List<Candidate> candidates, Candidate convex, Candidate sgd) {
    StringBuilder sb = new StringBuilder("side,patterns,betaFraction,beta,learningRate,epochs,"
        + "validationAccuracy,objective,relativeGap,certified,seconds,selected\n");
    for (Candidate c : candidates) {
      sb.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%d,%s,%s,%s,%s,%.3f,%s%n",
          c.side().id(), c.patterns(), c.betaFraction(), c.beta(), blank(c.learningRate()),
          c.epochs(), blank(c.validationAccuracy()), blank(c.objective()),
          blank(c.relativeGap()), c.certified(), c.seconds(), c == convex || c == sgd));
    }
    return sb.toString();
  }

  private static String blank(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  /**
   * Validation accuracy against beta (log axis): one line per P for the convex program, one per
   * learning rate for SGD (at each beta its best epoch), and the two selected points.
   */
  public static byte[] png(List<Candidate> candidates, Candidate convex, Candidate sgd) {
    XYChart c = new XYChartBuilder().width(1000).height(600)
        .title("Validation accuracy against beta (selection on held-out training rows)")
        .xAxisTitle("beta (log scale)").yAxisTitle("validation accuracy").build();
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    for (Map.Entry<String, List<double[]>> e : curves(candidates).entrySet()) {
      addSeries(c, e.getKey(), e.getValue());
    }
    XYSeries picked = addSeries(c, "selected", List.of(
        new double[] {convex.beta(), convex.validationAccuracy()},
        new double[] {sgd.beta(), sgd.validationAccuracy()}));
    picked.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    picked.setMarker(SeriesMarkers.DIAMOND);
    return Png.of(c);
  }

  /** Per curve, (beta, best validation accuracy at that beta) in beta order of appearance. */
  private static Map<String, List<double[]>> curves(List<Candidate> candidates) {
    Map<String, Map<Double, Double>> best = new LinkedHashMap<>();
    for (Candidate k : candidates) {
      if (!Double.isFinite(k.validationAccuracy())) {
        continue;
      }
      String name = k.side() == Side.CONVEX ? "convex, P = " + k.patterns()
          : "SGD, lr = " + k.learningRate() + " (best epoch)";
      best.computeIfAbsent(name, n -> new LinkedHashMap<>()).merge(k.beta(),
          k.validationAccuracy(), Math::max);
    }
    Map<String, List<double[]>> out = new LinkedHashMap<>();
    best.forEach((name, points) -> {
      List<double[]> xy = new ArrayList<>();
      points.forEach((beta, v) -> xy.add(new double[] {beta, v}));
      xy.sort((a, b) -> Double.compare(a[0], b[0]));
      out.put(name, xy);
    });
    return out;
  }

  private static XYSeries addSeries(XYChart c, String name, List<double[]> xy) {
    double[] x = xy.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = xy.stream().mapToDouble(p -> p[1]).toArray();
    return c.addSeries(name, x, y);
  }

  /**
   * report.md: settings, both selections, the test table and the statement.
   *
   * @param timings wall seconds by phase
   */
  public static String markdown(Map<String, String> settings, List<Candidate> candidates,
      Final f, Map<String, Double> timings) {
    StringBuilder sb = new StringBuilder("# Convex program vs SGD, both selected on validation "
        + "rows\n\n## Settings\n\n| setting | value |\n|---|---|\n");
    settings.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    Candidate cx = f.convex();
    Candidate sg = f.sgd();
    sb.append("\n## Result\n\n").append(statement(f)).append("\n\n");
    sb.append("## Selection (validation rows only; the test set is not read until both are "
        + "chosen)\n\n");
    sb.append(String.format(Locale.ROOT, "- convex: P = %d, beta = %.6g (%s beta_max), "
        + "validation accuracy %.4f, objective %.6g, relative gap %.2e (%s).%n", cx.patterns(),
        cx.beta(), cx.betaFraction(), cx.validationAccuracy(), cx.objective(), cx.relativeGap(),
        f.convexCertification()));
    sb.append(String.format(Locale.ROOT, "- SGD: beta = %.6g (%s beta_max), lr = %s, %d epochs "
        + "(early stopping), median validation accuracy %.4f over %d initialisations.%n",
        sg.beta(), sg.betaFraction(), sg.learningRate(), sg.epochs(), sg.validationAccuracy(),
        f.sgdInits().length));
    for (Candidate k : List.of(cx, sg)) {
      List<String> edges = ModelSelection.gridEdges(candidates, k);
      if (!edges.isEmpty()) {
        sb.append("- Grid edge: the ").append(k.side() == Side.CONVEX ? "convex" : "SGD")
            .append(" choice is at ").append(String.join(" and ", edges)).append(" of its "
                + "grid, so a wider grid might have chosen otherwise.\n");
      }
    }
    sb.append('\n');
    sb.append("Convex candidates (the warm-started path, largest beta first):\n\n"
        + "| P | beta / beta_max | beta | objective | relative gap | certified | validation "
        + "accuracy | seconds |\n|---|---|---|---|---|---|---|---|\n");
    for (Candidate k : candidates) {
      if (k.side() == Side.CONVEX) {
        sb.append(String.format(Locale.ROOT, "| %d | %s | %.6g | %.6g | %.2e | %s | %.4f | "
            + "%.1f |%n", k.patterns(), k.betaFraction(), k.beta(), k.objective(),
            k.relativeGap(), k.certified() ? "yes" : "no", k.validationAccuracy(),
            k.seconds()));
      }
    }
    sb.append("\nSGD candidates, per (beta, lr) its best epoch (every epoch is in `")
        .append(CSV).append("`):\n\n| beta / beta_max | beta | lr | best epoch | median "
            + "validation accuracy | median objective |\n|---|---|---|---|---|---|\n");
    sgdSummary(candidates).forEach(k -> sb.append(String.format(Locale.ROOT,
        "| %s | %.6g | %s | %d | %s | %s |%n", k.betaFraction(), k.beta(), k.learningRate(),
        k.epochs(), cell(k.validationAccuracy(), "%.4f"), cell(k.objective(), "%.6g"))));
    sb.append("\n## Test set (the selected configurations, trained on the fit rows)\n\n"
        + "| run | objective | certified gap | validation accuracy | test accuracy |\n"
        + "|---|---|---|---|---|\n");
    sb.append(String.format(Locale.ROOT, "| convex (P = %d, %s beta_max) | %.6g | %s | %.4f "
        + "| %.4f |%n", cx.patterns(), cx.betaFraction(), cx.objective(),
        f.convexCertification().equals("certified")
            ? String.format(Locale.ROOT, "%.2e", cx.relativeGap()) : f.convexCertification(),
        cx.validationAccuracy(), f.convexTestAccuracy()));
    for (int k = 0; k < f.sgdInits().length; k++) {
      sb.append(String.format(Locale.ROOT, "| SGD init %d (%d epochs) | %.6g | - | %.4f | "
          + "%.4f |%n", f.sgdInits()[k], sg.epochs(), f.sgdObjective()[k],
          f.sgdValidation()[k], f.sgdTest()[k]));
    }
    sb.append(String.format(Locale.ROOT, "| SGD median | %.6g | - | %.4f | %.4f |%n",
        ModelSelection.median(f.sgdObjective()), ModelSelection.median(f.sgdValidation()),
        f.sgdMedianTest()));
    sb.append(String.format(Locale.ROOT, "%nSGD best test accuracy %.4f; the initialisation "
        + "with the best validation accuracy (init %d) tests at %.4f. The SGD test runs repeat "
        + "the selection runs from the same seeds with the test rows in place of the validation "
        + "rows; their training objectives differ from the selection runs' by at most %.1e "
        + "(relative).%n%n", f.sgdBestTest(), f.sgdInits()[f.sgdBestValidationInit()],
        f.sgdTest()[f.sgdBestValidationInit()], f.reproduction()));
    sb.append("## Seconds\n\n");
    timings.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "- %s: %.1f%n", k, v)));
    sb.append("\n## Plot\n\n- validation accuracy vs beta: `").append(PLOT).append("`\n");
    return sb.toString();
  }

  /** The one-line answer: does the selected convex model test at or above the SGD median? */
  public static String statement(Final f) {
    return String.format(Locale.ROOT, "The validation-selected convex model tests at %.4f, %s "
        + "the validation-selected SGD median of %.4f (best SGD run %.4f; %d initialisations).",
        f.convexTestAccuracy(), f.convexAtLeastSgdMedian() ? "at or above" : "below",
        f.sgdMedianTest(), f.sgdBestTest(), f.sgdInits().length);
  }

  private static String cell(double v, String format) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "diverged";
  }

  /** Per SGD (beta, lr), its best epoch's candidate (the first epoch when none is finite). */
  private static List<Candidate> sgdSummary(List<Candidate> candidates) {
    Map<String, List<Candidate>> byConfig = new LinkedHashMap<>();
    for (Candidate k : candidates) {
      if (k.side() == Side.SGD) {
        byConfig.computeIfAbsent(k.beta() + "/" + k.learningRate(), n -> new ArrayList<>())
            .add(k);
      }
    }
    List<Candidate> out = new ArrayList<>();
    for (List<Candidate> group : byConfig.values()) {
      int b = ModelSelection.best(group);
      out.add(group.get(Math.max(b, 0)));
    }
    return out;
  }
}
