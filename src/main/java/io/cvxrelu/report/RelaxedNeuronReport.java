package io.cvxrelu.report;

import io.cvxrelu.theory.RelaxedNeuron.Objective;
import io.cvxrelu.theory.RelaxedNeuronStudy.Curves;
import io.cvxrelu.theory.RelaxedNeuronStudy.Settings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The files of {@code jobs/relaxed-neuron.sh} (survey seed, section 2.2): {@code curves.csv}
 * (one row per loss, noise level, recorded iteration and start), per noise level three PNGs
 * (training loss, test loss and ||w - w*|| against iterations, the median and the worst start
 * of each loss) and {@code report.md} with the recovery check.
 */
public final class RelaxedNeuronReport {
  /** ||w - w*|| below which a start counts as having recovered w*. */
  public static final double RECOVERY_TOLERANCE = 1e-8;
  /** Floor of the log axes (exact zeros would vanish from them). */
  private static final double FLOOR = 1e-32;

  private RelaxedNeuronReport() {}

  /** curves.csv. */
  public static String csv(List<Curves> curves) {
    StringBuilder sb = new StringBuilder("loss,sigma,iteration,start,train_loss,test_loss,"
        + "distance\n");
    for (Curves c : curves) {
      for (int r = 0; r < c.iterations().size(); r++) {
        double[] tr = c.train().get(r);
        for (int s = 0; s < tr.length; s++) {
          sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.10g,%.10g,%.10g%n",
              c.objective().id(), c.sigma(), c.iterations().get(r), s, tr[s],
              c.test().get(r)[s], c.distance().get(r)[s]));
        }
      }
    }
    return sb.toString();
  }

  /** Plot file name for a quantity at a noise level. */
  public static String plotName(String what, double sigma) {
    return what + "-" + label(sigma) + ".png";
  }

  /** "sigma0.1", or "data" for data read from a file (sigma NaN). */
  private static String label(double sigma) {
    return Double.isNaN(sigma) ? "data" : "sigma" + sigma;
  }

  /** The PNG plots, by file name. */
  public static Map<String, byte[]> plots(List<Curves> curves, double[] sigmas) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (double sigma : sigmas) {
      List<Curves> at = curves.stream().filter(c -> Double.compare(c.sigma(), sigma) == 0)
          .toList();
      out.put(plotName("train", sigma), Png.of(chart(at, "training loss L(w) / n", sigma,
          Curves::train)));
      if (!Double.isNaN(sigma)) {
        out.put(plotName("test", sigma), Png.of(chart(at, "test loss (noise-free labels)",
            sigma, Curves::test)));
        out.put(plotName("distance", sigma), Png.of(chart(at, "||w - w*||", sigma,
            Curves::distance)));
      }
    }
    return out;
  }

  private static XYChart chart(List<Curves> at, String what, double sigma,
      Function<Curves, List<double[]>> values) {
    XYChart c = new XYChartBuilder().width(800).height(560)
        .title(String.format(Locale.ROOT, "Single ReLU neuron, %s: %s", label(sigma), what))
        .xAxisTitle("gradient-descent iteration").yAxisTitle(what + " (log)").build();
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    for (Curves cv : at) {
      double[] x = cv.iterations().stream().mapToDouble(Integer::doubleValue).toArray();
      List<double[]> v = values.apply(cv);
      double[] median = v.stream().mapToDouble(RelaxedNeuronReport::median).toArray();
      double[] worst = v.stream().mapToDouble(a -> Arrays.stream(a).max().orElse(0)).toArray();
      XYSeries m = c.addSeries("GD on " + cv.objective().id() + ", median start", x,
          floored(median));
      m.setMarker(SeriesMarkers.NONE);
      XYSeries w = c.addSeries("GD on " + cv.objective().id() + ", worst start", x,
          floored(worst));
      w.setMarker(SeriesMarkers.NONE);
      w.setLineStyle(SeriesLines.DASH_DASH);
    }
    return c;
  }

  private static double[] floored(double[] v) {
    return Arrays.stream(v).map(a -> Math.max(a, FLOOR)).toArray();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
  }

  /** Whether every noise-free L_r run recovered w* from every start. */
  public static boolean recoveryPassed(List<Curves> curves) {
    return curves.stream().filter(c -> c.objective() == Objective.RELAXED && c.sigma() == 0.0)
        .allMatch(c -> c.recovered(RECOVERY_TOLERANCE) == c.distance().get(0).length);
  }

  /** report.md. */
  public static String markdown(List<Curves> curves, Settings s, double seconds,
      String command) {
    StringBuilder sb = new StringBuilder("# Relaxed single-neuron loss (survey seed, section "
        + "2.2)\n\n");
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append(String.format(Locale.ROOT, "n = %d, d = %d, %d test rows; labels y = (X w*)_+ "
        + "plus sigma z clipped at 0 (L_r needs y >= 0), test labels noise-free; gradient "
        + "descent with step 1 / (2 ||X||^2) for %d iterations from %d Gaussian starts (the same"
        + " for both losses), seed %d. L(w) = ||(X w)_+ - y||^2, L_r(w) = ||(X w)_+||^2 - 2 y^T "
        + "X w + ||y||^2. Wall time %.1f s. The seed gives no numbers for this experiment.%n%n",
        s.n(), s.d(), s.nTest(), s.iterations(), s.starts(), s.seed(), seconds));
    sb.append("## Checks\n\n");
    boolean noiseless = Arrays.stream(s.sigmas()).anyMatch(v -> v == 0.0);
    if (noiseless) {
      Curves r = curves.stream().filter(c -> c.objective() == Objective.RELAXED
          && c.sigma() == 0.0).findFirst().orElseThrow();
      sb.append(String.format(Locale.ROOT, "- %s without noise, GD on L_r recovers w* to %.0e "
          + "from %d of %d starts (worst final ||w - w*|| = %.2e)%n",
          recoveryPassed(curves) ? "PASS" : "FAIL", RECOVERY_TOLERANCE,
          r.recovered(RECOVERY_TOLERANCE), s.starts(), r.worstFinalDistance()));
    }
    sb.append("\n## Final values (median over starts; worst start in brackets)\n\n| loss | sigma "
        + "| train L/n | test loss | distance to w* | starts within 1e-8 of w* |\n"
        + "|---|---|---|---|---|---|\n");
    for (Curves c : curves) {
      int last = c.iterations().size() - 1;
      double[] tr = c.train().get(last);
      double[] te = c.test().get(last);
      double[] di = c.distance().get(last);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.3e (%.3e) | %.3e (%.3e) | %.3e (%.3e) "
          + "| %d of %d |%n", c.objective().id(), c.sigma(), median(tr), max(tr), median(te),
          max(te), median(di), max(di), c.recovered(RECOVERY_TOLERANCE), di.length));
    }
    sb.append("\n## Plots\n\n");
    for (double sigma : s.sigmas()) {
      for (String what : new String[] {"train", "test", "distance"}) {
        sb.append("![").append(what).append(" sigma ").append(sigma).append("](")
            .append(plotName(what, sigma)).append(")\n");
      }
    }
    return sb.toString();
  }

  /** report.md for data read from a file: w* unknown, so training loss only. */
  public static String markdownForData(List<Curves> curves, String source, int n, int d,
      int iterations, long seed, double seconds, String command) {
    StringBuilder sb = new StringBuilder("# Relaxed single-neuron loss on " + source + "\n\n");
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append(String.format(Locale.ROOT, "n = %d, d = %d, labels from the file (all >= 0); "
        + "gradient descent with step 1 / (2 ||X||^2) for %d iterations from %d Gaussian starts"
        + " (seed %d). w* is unknown, so only the training loss L(w) / n is reported. Wall time"
        + " %.1f s.%n%n| loss | train L/n, median | worst |%n|---|---|---|%n", n, d, iterations,
        curves.get(0).train().get(0).length, seed, seconds));
    for (Curves c : curves) {
      double[] tr = c.train().get(c.train().size() - 1);
      sb.append(String.format(Locale.ROOT, "| %s | %.4e | %.4e |%n", c.objective().id(),
          median(tr), max(tr)));
    }
    sb.append("\n![train](").append(plotName("train", Double.NaN)).append(")\n");
    return sb.toString();
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }
}
