package io.cvxrelu.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.cnn.relaxation.Amplification;
import io.cvxrelu.cnn.relaxation.RelaxationResult;
import io.cvxrelu.cnn.relaxation.RotationRegression.Comparison;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The MNIST rotation-regression outputs (Bartan and Pilanci, Table 1): results.csv, the
 * learned filter as a p x p image, summary.json and report.md with the paper's RMSEs (17.04
 * pixels only, 16.59 with the learned filter) beside ours.
 */
public final class RotationReport {
  /** The paper's test RMSE with pixels only. */
  public static final double PAPER_PIXELS = 17.04;
  /** The paper's test RMSE with pixels and the learned filter. */
  public static final double PAPER_WITH_FILTER = 16.59;

  /** The run's settings, every choice the paper leaves open among them. */
  public record Settings(int nTrain, int nTest, int patch, int blocks, double maxAngle,
      double beta, int draws, long seed, String command, double solveSeconds) {}

  private RotationReport() {}

  public static String csv(Comparison c) {
    return "predictor,lambda,cvRmse,testRmse,paperTestRmse\n"
        + String.format(Locale.ROOT, "ridge on pixels,%g,%.4f,%.4f,%.2f%n", c.pixels().lambda(),
            c.pixels().cvRmse(), c.pixelsTestRmse(), PAPER_PIXELS)
        + String.format(Locale.ROOT, "ridge on pixels + learned filter,%g,%.4f,%.4f,%.2f%n",
            c.withFilter().lambda(), c.withFilter().cvRmse(), c.withFilterTestRmse(),
            PAPER_WITH_FILTER)
        + String.format(Locale.ROOT, "CNN alone (sum_j (X_ij w)_+),,%.4f,%.4f,%n",
            c.cnnTrainRmse(), c.cnnTestRmse());
  }

  public static String json(Settings s, Comparison c, List<Amplification.Draw> draws,
      Amplification.Draw best) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = mapper.createObjectNode();
    o.put("pixelsTestRmse", c.pixelsTestRmse());
    o.put("withFilterTestRmse", c.withFilterTestRmse());
    o.put("cnnTestRmse", c.cnnTestRmse());
    o.put("pixelsLambda", c.pixels().lambda());
    o.put("withFilterLambda", c.withFilter().lambda());
    o.put("paperPixelsTestRmse", PAPER_PIXELS);
    o.put("paperWithFilterTestRmse", PAPER_WITH_FILTER);
    o.put("bestDraw", best.index());
    ArrayNode f = o.putArray("filter");
    for (double v : best.result().filter()) {
      f.add(v);
    }
    ArrayNode d = o.putArray("draws");
    for (Amplification.Draw dr : draws) {
      RelaxationResult r = dr.result();
      ObjectNode e = d.addObject().put("draw", dr.index()).put("outcome", r.outcome().name())
          .put("certified", r.certified()).put("iterations", r.iterations());
      if (Double.isFinite(r.relativeGap())) {
        e.put("relativeGap", r.relativeGap());
      }
      if (Double.isFinite(dr.trainLoss())) {
        e.put("trainMse", dr.trainLoss());
      }
    }
    o.put("nTrain", s.nTrain()).put("nTest", s.nTest()).put("patch", s.patch())
        .put("blocks", s.blocks()).put("maxAngle", s.maxAngle()).put("beta", s.beta())
        .put("seed", s.seed()).put("solveSeconds", s.solveSeconds());
    try {
      return mapper.writeValueAsString(o) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String markdown(Settings s, Comparison c, List<Amplification.Draw> draws,
      Amplification.Draw best) {
    long unbounded = draws.stream()
        .filter(d -> d.result().outcome() == RelaxationResult.Outcome.UNBOUNDED).count();
    long certified = draws.stream().filter(d -> d.result().certified()).count();
    StringBuilder sb = new StringBuilder("# MNIST rotation regression (Bartan and Pilanci, "
        + "Table 1)\n\n");
    sb.append("Command: `").append(s.command()).append("`\n\n");
    sb.append(String.format(Locale.ROOT, "- Data: the first %d of /work/shared/data/mnist-10k "
        + "for training, the next %d for testing.%n", s.nTrain(), s.nTest()));
    sb.append(String.format(Locale.ROOT, "- Angle uniform in [-%.0f, %.0f] degrees (bilinear "
        + "rotation about the centre); label = angle + %.0f, in [0, %.0f].%n", s.maxAngle(),
        s.maxAngle(), s.maxAngle(), 2 * s.maxAngle()));
    sb.append(String.format(Locale.ROOT, "- Patches %dx%d, non-overlapping: k = %d, f = %d; "
        + "pixels in [0, 1] centred by the training mean of each pixel (uncentred, "
        + "non-negative patches make almost every direction unbounded).%n", s.patch(),
        s.patch(), s.blocks(), s.patch() * s.patch()));
    sb.append(String.format(Locale.ROOT, "- Relaxation: %s, T = %d draws (%d certified, %d "
        + "unbounded), best draw %d by training loss; %.1f s for the draws.%n",
        s.beta() == 0 ? "LP (9) (beta = 0)" : "QP (8) with beta = " + s.beta(), s.draws(),
        certified, unbounded, best.index(), s.solveSeconds()));
    sb.append("- Ridge: features standardised on the training set (scale sqrt(var + 1% of "
        + "the mean variance)), unpenalised intercept, lambda from 10^-2..10^5 (half "
        + "decades) by 5-fold cross-validation on the training set.\n\n");
    sb.append("| predictor | lambda | CV RMSE | test RMSE | paper test RMSE |\n"
        + "|---|---|---|---|---|\n");
    sb.append(String.format(Locale.ROOT, "| ridge on pixels | %g | %.2f | %.2f | %.2f |%n",
        c.pixels().lambda(), c.pixels().cvRmse(), c.pixelsTestRmse(), PAPER_PIXELS));
    sb.append(String.format(Locale.ROOT, "| ridge on pixels + learned filter | %g | %.2f | "
        + "%.2f | %.2f |%n", c.withFilter().lambda(), c.withFilter().cvRmse(),
        c.withFilterTestRmse(), PAPER_WITH_FILTER));
    sb.append(String.format(Locale.ROOT, "| CNN alone, sum_j (X_ij w)_+ | | %.2f (train) | "
        + "%.2f | |%n%n", c.cnnTrainRmse(), c.cnnTestRmse()));
    sb.append(c.withFilterTestRmse() < c.pixelsTestRmse()
        ? "The learned filter's features lower the test RMSE, as in the paper.\n"
        : "The learned filter's features do not lower the test RMSE here; see "
            + "docs/cnn-relaxation.md for why.\n");
    sb.append("\n![learned filter](filter.png)\n");
    return sb.toString();
  }

  /** The filter as a p x p heat map. */
  public static byte[] filterPng(double[] filter, int patch) {
    HeatMapChart chart = new HeatMapChartBuilder().width(500).height(450)
        .title("Learned filter (" + patch + "x" + patch + ")").build();
    double m = 0.0;
    for (double v : filter) {
      m = Math.max(m, Math.abs(v));
    }
    chart.getStyler().setMin(-m).setMax(m).setRangeColors(new Color[] {new Color(30, 60, 200),
        Color.WHITE, new Color(200, 40, 30)});
    List<Integer> idx = new ArrayList<>();
    for (int a = 0; a < patch; a++) {
      idx.add(a);
    }
    List<Number[]> data = new ArrayList<>();
    for (int l = 0; l < filter.length; l++) {
      data.add(new Number[] {l % patch, patch - 1 - l / patch, filter[l]});
    }
    chart.addSeries("w", idx, idx, data);
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the filter", e);
    }
  }
}
