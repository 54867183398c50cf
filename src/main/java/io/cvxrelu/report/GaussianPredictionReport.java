package io.cvxrelu.report;

import io.cvxrelu.theory.GaussianPredictionStudy.Point;
import io.cvxrelu.theory.GaussianPredictionStudy.Settings;
import io.cvxrelu.theory.GaussianPredictionStudy.Stats;
import java.util.ArrayList;
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
 * The files of {@code jobs/gaussian-prediction.sh} (seed 000, section 3): {@code results.csv}
 * (one row per delta and lambda), one PNG per delta with the measured Phi / n (mean and 3
 * standard errors), the CGMT prediction, the ReLU program's value and its bound
 * Phi_lin(2 beta) / n, a PNG of the estimation error, and {@code report.md} with the checks.
 */
public final class GaussianPredictionReport {
  /** Name of the error plot. */
  public static final String ERROR_PLOT = "error.png";

  private GaussianPredictionReport() {}

  /** Name of the plot of one delta. */
  public static String plotName(double delta) {
    return String.format(Locale.ROOT, "phi-delta%s.png", trim(delta));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** results.csv. */
  public static String csv(List<Point> points) {
    StringBuilder sb = new StringBuilder("delta,n,d,lambda,beta,phi_mean,phi_se,"
        + "phi_closed_form_mean,solver_disagreement,certified,trials,phi_predicted,within,"
        + "error_mean,error_se,error_predicted,relu_mean,relu_se,relu_certified,relu_solves,"
        + "relu_above_bound,phi_lin_2beta_mean,phi_lin_2beta_predicted,phi_seed_swapped,"
        + "seed_within\n");
    for (Point p : points) {
      sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.6g,%.6g,%.8g,%.3g,%.8g,%.2e,%d,%d,%.8g,"
          + "%b,%.6g,%.3g,%.6g,%s,%s,%d,%d,%d,%s,%.8g,%.8g,%b%n", trim(p.delta()), p.n(), p.d(),
          p.lambda(), p.lambda() * p.n(), p.phi().mean(), p.phi().standardError(),
          p.closedForm().mean(), p.solverDisagreement(), p.certified(), p.phi().count(),
          p.predicted().phiPerRow(), p.withinTolerance(), p.error().mean(),
          p.error().standardError(), p.predicted().error(), num(p.relu().mean()),
          num(p.relu().standardError()), p.reluCertified(), p.reluSolves(), p.reluAboveBound(),
          num(p.linearDouble().mean()), p.predictedDouble().phiPerRow(),
          p.seedPrediction().phiPerRow(), p.seedWithinTolerance()));
    }
    return sb.toString();
  }

  private static String num(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.8g", v) : "";
  }

  /** The PNG plots, by file name. */
  public static Map<String, byte[]> plots(List<Point> points, double[] deltas) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (double delta : deltas) {
      List<Point> at = points.stream().filter(p -> p.delta() == delta).toList();
      out.put(plotName(delta), Png.of(phiChart(at, delta)));
    }
    out.put(ERROR_PLOT, Png.of(errorChart(points, deltas)));
    return out;
  }

  private static XYChart phiChart(List<Point> at, double delta) {
    XYChart c = new XYChartBuilder().width(800).height(560)
        .title(String.format(Locale.ROOT, "Phi / n on Gaussian data, delta = n/d = %s (n = %d, "
            + "d = %d)", trim(delta), at.get(0).n(), at.get(0).d()))
        .xAxisTitle("lambda = beta / n (log)").yAxisTitle("objective / n (log)").build();
    style(c);
    double[] x = at.stream().mapToDouble(Point::lambda).toArray();
    XYSeries pred = c.addSeries("CGMT prediction, linear network",
        x, at.stream().mapToDouble(p -> p.predicted().phiPerRow()).toArray());
    pred.setMarker(SeriesMarkers.NONE);
    XYSeries meas = c.addSeries("measured, linear network (mean, 3 SE)", x,
        at.stream().mapToDouble(p -> p.phi().mean()).toArray(),
        at.stream().mapToDouble(p -> 3 * p.phi().standardError()).toArray());
    meas.setMarker(SeriesMarkers.CIRCLE);
    meas.setLineStyle(SeriesLines.NONE);
    XYSeries seed = c.addSeries("seed's min-max (g and h swapped), linear network", x,
        at.stream().mapToDouble(p -> p.seedPrediction().phiPerRow()).toArray());
    seed.setMarker(SeriesMarkers.NONE);
    seed.setLineStyle(SeriesLines.DOT_DOT);
    XYSeries bound = c.addSeries("CGMT prediction of Phi_lin(2 beta), the ReLU bound", x,
        at.stream().mapToDouble(p -> p.predictedDouble().phiPerRow()).toArray());
    bound.setMarker(SeriesMarkers.NONE);
    bound.setLineStyle(SeriesLines.DASH_DASH);
    List<Double> rx = new ArrayList<>();
    List<Double> ry = new ArrayList<>();
    for (Point p : at) {
      if (p.relu().count() > 0) {
        rx.add(p.lambda());
        ry.add(p.relu().mean());
      }
    }
    if (!rx.isEmpty()) {
      XYSeries relu = c.addSeries("ReLU program over sampled patterns (upper bound on F*_ReLU)",
          rx, ry);
      relu.setMarker(SeriesMarkers.DIAMOND);
      relu.setLineStyle(SeriesLines.NONE);
    }
    return c;
  }

  private static XYChart errorChart(List<Point> points, double[] deltas) {
    XYChart c = new XYChartBuilder().width(800).height(560)
        .title("Estimation error ||theta_hat - theta_0||: measured (markers) and CGMT (lines)")
        .xAxisTitle("lambda = beta / n (log)").yAxisTitle("||theta_hat - theta_0||").build();
    style(c);
    c.getStyler().setYAxisLogarithmic(false);
    for (double delta : deltas) {
      List<Point> at = points.stream().filter(p -> p.delta() == delta).toList();
      double[] x = at.stream().mapToDouble(Point::lambda).toArray();
      XYSeries pred = c.addSeries("CGMT, delta " + trim(delta), x,
          at.stream().mapToDouble(p -> p.predicted().error()).toArray());
      pred.setMarker(SeriesMarkers.NONE);
      XYSeries meas = c.addSeries("measured, delta " + trim(delta), x,
          at.stream().mapToDouble(p -> p.error().mean()).toArray(),
          at.stream().mapToDouble(p -> 3 * p.error().standardError()).toArray());
      meas.setMarker(SeriesMarkers.CIRCLE);
      meas.setLineStyle(SeriesLines.NONE);
    }
    return c;
  }

  private static void style(XYChart c) {
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setErrorBarsColorSeriesColor(true);
  }

  /** Counts of the report's checks. */
  public record Checks(int within, int seedWithin, int points, int uncertified,
      double worstDisagreement, int reluSolves, int reluCertified, int reluAboveBound) {
    /** Whether every check passed. */
    public boolean passed() {
      return within == points && uncertified == 0 && reluAboveBound == 0
          && reluCertified == reluSolves;
    }
  }

  /** The checks over all points. */
  public static Checks checks(List<Point> points) {
    int within = 0;
    int seedWithin = 0;
    int uncertified = 0;
    double worst = 0.0;
    int rs = 0;
    int rc = 0;
    int above = 0;
    for (Point p : points) {
      within += p.withinTolerance() ? 1 : 0;
      seedWithin += p.seedWithinTolerance() ? 1 : 0;
      uncertified += p.phi().count() - p.certified();
      worst = Math.max(worst, p.solverDisagreement());
      rs += p.reluSolves();
      rc += p.reluCertified();
      above += p.reluAboveBound();
    }
    return new Checks(within, seedWithin, points.size(), uncertified, worst, rs, rc, above);
  }

  /** report.md. */
  public static String markdown(List<Point> points, Settings s, double seconds, String command) {
    Checks k = checks(points);
    StringBuilder sb = new StringBuilder("# Gaussian-data prediction for the linear network "
        + "(seed 000, section 3)\n\n");
    sb.append("Command: `").append(command).append("`\n\n");
    sb.append(String.format(Locale.ROOT, "A in R^{n x d} with N(0, 1) entries, ||theta_0|| = "
        + "%s, y = A theta_0 + sigma z with sigma = %s; Phi = min 1/2 ||A theta - y||^2 + beta "
        + "||theta||, beta = lambda n. n = %d, delta = n/d in %s, %d values of lambda, %d draws "
        + "per delta (seed %d); the ReLU program on the first %d draw(s) at every %s lambda, over"
        + " %d sampled patterns plus the two of the linear optimum at 2 beta. Wall time %.0f s."
        + "%n%n", trim(s.r0()), trim(s.sigma()), s.n(), java.util.Arrays.toString(s.deltas()),
        s.lambdas().length, s.trials(), s.seed(), s.reluTrials(),
        s.reluEvery() == 1 ? "" : ordinal(s.reluEvery()), s.reluPatterns(), seconds));
    sb.append("Derivation and assumptions: docs/theory.md. The seed gives no "
        + "numbers for this experiment to set beside ours.\n\n## Checks\n\n");
    sb.append(String.format(Locale.ROOT, "- %s CGMT prediction within 3 standard errors + 3%% of "
        + "the measured mean of Phi / n: %d of %d points%n", mark(k.within() == k.points()),
        k.within(), k.points()));
    sb.append(String.format(Locale.ROOT, "- (for comparison) the seed's min-max, with the "
        + "dimensions of g and h swapped, meets the same tolerance at %d of %d points%n",
        k.seedWithin(), k.points()));
    sb.append(String.format(Locale.ROOT, "- %s gated solver certified on every draw (%d not); "
        + "largest relative difference from the closed form %.1e%n", mark(k.uncertified() == 0),
        k.uncertified(), k.worstDisagreement()));
    sb.append(String.format(Locale.ROOT, "- %s ReLU program: %d of %d solves certified; %d "
        + "certified values above Phi_lin(2 beta) (F*_ReLU(beta) <= Phi_lin(2 beta))%n",
        mark(k.reluAboveBound() == 0 && k.reluCertified() == k.reluSolves()), k.reluCertified(),
        k.reluSolves(), k.reluAboveBound()));
    sb.append("\n## Results\n\n| delta | d | lambda | Phi/n measured (SE) | Phi/n CGMT | Phi/n "
        + "seed (swapped) | error measured | error CGMT | F_ReLU/n | Phi_lin(2 beta)/n |\n"
        + "|---|---|---|---|---|---|---|---|---|---|\n");
    for (Point p : points) {
      Stats r = p.relu();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.3g | %.5f (%.1e) | %.5f | %.5f | %.4f |"
          + " %.4f | %s | %s |%n", trim(p.delta()), p.d(), p.lambda(), p.phi().mean(),
          p.phi().standardError(), p.predicted().phiPerRow(), p.seedPrediction().phiPerRow(),
          p.error().mean(),
          p.predicted().error(), r.count() > 0 ? String.format(Locale.ROOT, "%.5f", r.mean())
              : "-", p.linearDouble().count() > 0 ? String.format(Locale.ROOT, "%.5f",
              p.linearDouble().mean()) : "-"));
    }
    sb.append("\n## Plots\n\n");
    for (double delta : s.deltas()) {
      sb.append("![delta ").append(trim(delta)).append("](").append(plotName(delta))
          .append(")\n");
    }
    sb.append("![error](").append(ERROR_PLOT).append(")\n");
    return sb.toString();
  }

  private static String ordinal(int k) {
    return k == 2 ? "2nd" : k == 3 ? "3rd" : k + "th";
  }

  private static String mark(boolean ok) {
    return ok ? "PASS" : "FAIL";
  }
}
