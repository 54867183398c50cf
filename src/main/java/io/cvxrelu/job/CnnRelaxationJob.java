package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.cnn.relaxation.Amplification;
import io.cvxrelu.cnn.relaxation.PatchDesign;
import io.cvxrelu.cnn.relaxation.RelaxationResult;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code jobs/cnn-relaxation.sh}: learns the filter of a one-hidden-layer CNN with k
 * non-overlapping patches, f(x) = sum_j (X_ij w)_+, by Bartan and Pilanci's randomized convex
 * relaxation: the LP (9) ({@code --beta 0}) or the QP (8), for T random directions (one Spark
 * task each), keeping the filter with the lowest training loss. {@code --draws 0} solves the
 * naive relaxation r = 0, which admits w = 0 and shows why the random direction is needed.
 *
 * <p>Writes {@code summary.json} (filter, trainLoss, testLoss, draws, bestDraw, unboundedDraws,
 * gaps, seconds, and each draw's values) and {@code filter.csv}, atomically. Losses are mean
 * squared errors (1/n) sum_i (y_i - sum_j (X_ij w)_+)^2. Exit codes as for train-convex.
 */
public final class CnnRelaxationJob {
  private static final Logger LOG = LogManager.getLogger(CnnRelaxationJob.class);

  private CnnRelaxationJob() {}

  static JobOptions options() {
    JobOptions opts = DataLoader.declareOptions(new JobOptions(
        "Usage: cnn-relaxation.sh --train F.csv --blocks K --out DIR [options]\n"
        + "Learns the filter w of f(x) = sum_j (X_j w)_+ over K contiguous patches of the d\n"
        + "features (labels y >= 0) by the randomized convex relaxation of Bartan and Pilanci\n"
        + "(LP (9) for --beta 0, else QP (8)) over --draws random directions, one Spark task\n"
        + "each, and writes summary.json and filter.csv to DIR."))
        .option("out", null, "output folder (written atomically)")
        .flag("overwrite", "replace an existing output folder")
        .option("blocks", null, "number of non-overlapping patches k (must divide d)")
        .option("beta", "0", "0 for the LP (9), else beta > 0 of the QP (8)")
        .option("draws", "30", "T random directions r ~ N(0, I_f); 0 = naive relaxation r = 0")
        .option("seed", "0", "seed of the directions (draw t depends on seed and t only)");
    return JobContext.declareMaster(opts);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the job and returns the exit code (never calls System.exit). */
  public static int run(String[] args) {
    return JobRunner.run("cnn-relaxation", options(), args, CnnRelaxationJob::execute);
  }

  private static void execute(JobOptions opts) {
    opts.require("train");
    String out = opts.require("out");
    int blocks = (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("blocks"));
    double beta = nonNegative(opts, "beta");
    long drawCount = opts.anyLong("draws");
    if (drawCount < 0 || drawCount > 1_000_000) {
      throw new UsageException("--draws must be between 0 and 1000000, got " + drawCount);
    }
    long seed = opts.anyLong("seed");
    if (opts.get("pca") != null || opts.get("random-projection") != null) {
      throw new UsageException("--pca and --random-projection mix the patches; the relaxation "
          + "needs the features as contiguous patches");
    }
    boolean overwrite = opts.flagSet("overwrite");
    try (JobContext job = JobContext.open("cnn-relaxation", opts)) {
      job.io().checkOutput(out, overwrite);
      job.describe("cvxrelu: read data");
      DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
      PatchDesign train = design(data.train(), blocks, "training");
      PatchDesign test = data.test() == null ? null : design(data.test(), blocks, "test");
      double[] y = data.train().y();
      if (beta == 0.0) {
        requireNonNegative(y, "training");
      }
      List<Integer> indices = new ArrayList<>();
      for (int t = 0; t < drawCount; t++) {
        indices.add(t);
      }
      if (drawCount == 0) {
        indices.add(-1);
      }
      LOG.info("CNN relaxation: n={} k={} f={} beta={} draws={}", train.n(), blocks,
          train.filterSize(), beta, drawCount);
      job.describe("cvxrelu: " + indices.size() + " draws of the relaxation");
      long start = System.nanoTime();
      List<Amplification.Draw> draws = CnnTasks.draws(job.spark(), train, y, beta, seed,
          indices);
      double seconds = (System.nanoTime() - start) * 1e-9;
      Amplification.Draw best = Amplification.best(draws);
      double[] filter = best == null ? new double[train.filterSize()] : best.result().filter();
      Map<String, String> files = new LinkedHashMap<>();
      files.put("summary.json", summary(draws, best, filter, train, y, test,
          test == null ? null : data.test().y(), beta, drawCount, seed, seconds));
      files.put("filter.csv", filterCsv(filter));
      job.io().writeAtomically(out, files, overwrite);
      LOG.info("wrote {}", out);
    }
  }

  private static double nonNegative(JobOptions opts, String name) {
    String v = opts.require(name);
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, got '" + v + "'");
    }
    if (!(d >= 0.0) || !Double.isFinite(d)) {
      throw new UsageException("--" + name + " must be finite and >= 0, got " + v);
    }
    return d;
  }

  private static PatchDesign design(LabeledData data, int blocks, String what) {
    try {
      return new PatchDesign(data.x(), blocks);
    } catch (IllegalArgumentException e) {
      throw new UsageException(what + " data: " + e.getMessage());
    }
  }

  private static void requireNonNegative(double[] y, String what) {
    for (int i = 0; i < y.length; i++) {
      if (!(y[i] >= 0.0)) {
        throw new DataFormatException(what + " label of row " + (i + 1) + " is " + y[i]
            + "; the LP (9) (--beta 0) needs labels y >= 0");
      }
    }
  }

  static String summary(List<Amplification.Draw> draws, Amplification.Draw best,
      double[] filter, PatchDesign train, double[] y, PatchDesign test, double[] yTest,
      double beta, long drawCount, long seed, double seconds) {
    ObjectNode s = SummaryJson.object();
    ArrayNode f = s.putArray("filter");
    for (double v : filter) {
      f.add(v);
    }
    s.put("trainLoss", train.meanSquaredError(filter, y));
    if (test != null) {
      s.put("testLoss", test.meanSquaredError(filter, yTest));
    } else {
      s.putNull("testLoss");
    }
    s.put("draws", drawCount);
    s.put("naive", drawCount == 0);
    if (best != null) {
      s.put("bestDraw", best.index());
    } else {
      s.putNull("bestDraw");
    }
    int unbounded = 0;
    ArrayNode gaps = s.putArray("gaps");
    ArrayNode each = s.putArray("perDraw");
    for (Amplification.Draw d : draws) {
      RelaxationResult r = d.result();
      boolean isRay = r.outcome() == RelaxationResult.Outcome.UNBOUNDED;
      unbounded += isRay ? 1 : 0;
      SummaryJson.putFinite(gaps.addObject().put("draw", d.index()), "relativeGap",
          r.relativeGap());
      ObjectNode e = each.addObject();
      e.put("draw", d.index());
      e.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
      e.put("stopReason", r.stopReason().name());
      e.put("certified", r.certified() || isRay);
      SummaryJson.putFinite(e, "primalValue", r.primalValue());
      SummaryJson.putFinite(e, "dualValue", r.dualValue());
      SummaryJson.putFinite(e, "primalResidual", r.primalResidual());
      SummaryJson.putFinite(e, "dualResidual", r.dualResidual());
      e.put("iterations", r.iterations());
      SummaryJson.putFinite(e, "trainLoss", d.trainLoss());
    }
    s.put("unboundedDraws", unbounded);
    s.put("seconds", seconds);
    s.put("beta", beta);
    s.put("program", beta == 0.0 ? "LP (9)" : "QP (8)");
    s.put("seed", seed);
    s.put("n", train.n());
    s.put("blocks", train.blocks());
    s.put("filterSize", train.filterSize());
    if (test != null) {
      s.put("nTest", test.n());
    }
    return SummaryJson.write(s);
  }

  static String filterCsv(double[] filter) {
    StringBuilder sb = new StringBuilder("index,weight\n");
    for (int l = 0; l < filter.length; l++) {
      sb.append(l).append(',').append(Double.toString(filter[l])).append('\n');
    }
    return sb.toString();
  }
}
