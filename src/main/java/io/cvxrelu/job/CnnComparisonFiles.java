package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnnTraining;
import io.cvxrelu.job.CnnComparison.Convex;
import io.cvxrelu.job.CnnComparison.Outcome;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.distributed.DistributedSgd;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code compare.sh --architecture cnn-pooled} writes: {@code report.md} (settings, the
 * table with the SGD median, the checks), {@code comparison.csv}, {@code summary.json}, each
 * convex program's {@code convex-MODEL-history.csv}, each SGD run's {@code sgd-init-K.csv}
 * and {@code sgd-init-K-network.csv}, and the PNG plots of {@link ComparisonReport}.
 *
 * <p>Only the ReLU program with every sign pattern enumerated bounds the non-convex CNN's
 * objective from below (for any number of filters); the report checks the SGD runs against
 * that bound when it holds, and otherwise states what the convex rows are.
 */
record CnnComparisonFiles(Map<String, String> text, Map<String, byte[]> plots) {

  /** The files of a finished comparison. */
  static CnnComparisonFiles of(Outcome o) {
    boolean manyWidths = o.plan().widths().length > 1;
    List<ComparisonReport.Run> convexRows = new ArrayList<>();
    o.convex().forEach(c -> convexRows.add(c.run()));
    List<ComparisonReport.Run> sgdRows = new ArrayList<>();
    for (int t = 0; t < o.tasks().size(); t++) {
      sgdRows.add(ComparisonRuns.sgdRun(o.sgd().get(t), o.tasks().get(t).neurons(),
          manyWidths));
    }
    List<ComparisonReport.Run> rows = new ArrayList<>(convexRows);
    rows.addAll(sgdRows);
    List<String> checks = checks(o, sgdRows);
    String accuracy = ComparisonSummary.accuracyCheck(convexRows, sgdRows);
    List<String> reportChecks = new ArrayList<>(checks);
    if (accuracy != null) {
      reportChecks.add(accuracy);
    }
    Map<String, byte[]> plots = ComparisonReport.plots(rows);
    Map<String, String> settings = settings(o);
    Map<String, String> files = new LinkedHashMap<>();
    files.put("report.md", ComparisonReport.markdown("Convex pooled CNN vs SGD", settings, rows,
        note(o.convex()), reportChecks,
        plots.containsKey(ComparisonReport.TEST_ACCURACY_VS_SECONDS)));
    files.put("comparison.csv", ComparisonReport.csv(rows));
    files.put("summary.json", summary(o, sgdRows, checks, settings));
    for (Convex c : o.convex()) {
      files.put("convex-" + model(c.trained()) + "-history.csv",
          ConvexOutputs.historyWithoutAccuracy(c.trained().result()));
    }
    for (int t = 0; t < o.tasks().size(); t++) {
      DistributedSgd.Init task = o.tasks().get(t);
      String name = (manyWidths ? "sgd-m" + task.neurons() + "-" : "sgd-") + "init-"
          + task.init();
      files.put(name + ".csv", o.sgd().get(t).historyCsv());
      files.put(name + "-network.csv", o.sgd().get(t).networkCsv());
    }
    return new CnnComparisonFiles(files, plots);
  }

  private static String model(PooledCnnTraining.Trained t) {
    return t.spec().relu() ? "relu" : "gated";
  }

  /**
   * Per convex program, its objective against the SGD median and best; with every pattern
   * enumerated, the SGD runs against the ReLU program's certified lower bound.
   */
  private static List<String> checks(Outcome o, List<ComparisonReport.Run> sgd) {
    List<String> out = new ArrayList<>();
    double median = ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective);
    double best = sgd.stream().mapToDouble(ComparisonReport.Run::finalObjective).min()
        .orElse(Double.NaN);
    for (Convex c : o.convex()) {
      PooledCnnTraining.Trained t = c.trained();
      Certificate cert = t.result().certificate();
      out.add(String.format(Locale.ROOT, "Convex %s: objective %.8g (gap %s; the recovered "
          + "CNN's own objective %.8g, %d filters) against the SGD median %.8g (%+.2f%%) and "
          + "best %.8g (%+.2f%%).", model(t), cert.objective(), c.run().gapCell(),
          t.nonconvexObjective(), t.network().width(), median,
          100 * (cert.objective() - median) / Math.abs(median), best,
          100 * (cert.objective() - best) / Math.abs(best)));
      if (t.spec().relu() && t.spec().exactPatterns() && c.run().certified()) {
        double lower = c.run().certifiedLowerBound();
        int below = ComparisonSummary.sgdRunsBelow(sgd, lower);
        out.add(String.format(Locale.ROOT, "SGD runs below the exact ReLU program's certified "
            + "lower bound %.8g at any epoch: %s of %d (every sign pattern is enumerated, so "
            + "none may)", lower, below == 0 ? "none" : Integer.toString(below), sgd.size()));
      }
    }
    return out;
  }

  private static String note(List<Convex> convex) {
    boolean exact = convex.stream().anyMatch(c -> c.trained().spec().relu()
        && c.trained().spec().exactPatterns());
    String objective = " Every row is the same function 1/2 sum_i (f(x_i) - y_i)^2 + beta/2 "
        + "sum_j (|u_j|^2 + alpha_j^2) of f(x) = sum_j alpha_j sum_k (x_k^T u_j)_+, the gated "
        + "rows with fixed gates in place of the ReLU's own signs.";
    return (exact
        ? "The ReLU program has every sign pattern of the stacked patches: its certified "
            + "lower bound bounds the CNN objective for any number of filters, so no SGD run may "
            + "go below it."
        : "Sign patterns are sampled on the stacked patches: the ReLU program is then a "
            + "restriction of the CNN's training problem (its recovered CNN is a network of the "
            + "same architecture, so SGD may end below it), and the gated program trains the "
            + "gated CNN with the sampled gates, another model; both are solved to the "
            + "certified gap shown.") + objective;
  }

  private static Map<String, String> settings(Outcome o) {
    CnnComparison.Plan plan = o.plan();
    PatchGeometry g = o.geometry();
    PooledCnnTraining.Trained first = o.convex().get(0).trained();
    SolverOptions so = plan.options();
    SgdOptions sgd = plan.sgd();
    Map<String, String> s = new LinkedHashMap<>();
    s.put("data", o.data().description());
    if (plan.classes() != null) {
      s.put("classes (--classes, positive first)", plan.classes());
    }
    s.put("n (train) / n (test) / d", o.train().n() + " / " + (o.test() == null ? "-"
        : o.test().n()) + " / " + o.train().d());
    s.put("image, patches", String.format(Locale.ROOT, "%d x %d x %d, %d x %d patches at "
        + "stride %d: h = %d, K = %d", g.channels(), g.height(), g.width(),
        g.height() == 1 ? 1 : g.patch(), g.patch(), g.stride(), g.patchSize(), g.patchCount()));
    s.put("loss, beta", String.format(Locale.ROOT, "squared, %.6g (beta_max %.6g)",
        first.beta(), first.betaMax()));
    s.put("convex programs", String.format(Locale.ROOT, "%s of the stacked patches, tol %.1e, "
        + "budget %.0f s each", String.join("; ", o.convex().stream().map(c -> model(c.trained())
            + " over " + (c.trained().spec().exactPatterns() ? "all " + c.trained().patternCount()
                + " (enumerated)" : c.trained().patternCount() + " sampled") + " sign patterns")
            .toList()), so.tolerance(), so.maxSeconds()));
    s.put("SGD", String.format(Locale.ROOT,
        "%s, m = %s filters, %d inits each, %d epochs, batch %d, lr %.3g%s", sgd.optimizer().id(),
        java.util.Arrays.toString(plan.widths()).replaceAll("[\\[\\]]", ""), plan.inits(),
        sgd.epochs(), sgd.batchSize(), sgd.learningRate(), sgd.optimizer() == Optimizer.SGD
            ? ", momentum " + sgd.momentum() : ""));
    s.put("BLAS", Blas.backend());
    return s;
  }

  private static String summary(Outcome o, List<ComparisonReport.Run> sgd, List<String> checks,
      Map<String, String> settings) {
    ObjectNode s = SummaryJson.object();
    PatchGeometry g = o.geometry();
    PooledCnnTraining.Trained first = o.convex().get(0).trained();
    s.put("architecture", CnnComparison.ARCHITECTURE);
    s.put("n", o.train().n());
    if (o.test() != null) {
      s.put("nTest", o.test().n());
    }
    ArrayNode shape = s.putArray("imageShape");
    shape.add(g.channels()).add(g.height()).add(g.width());
    s.put("patch", g.patch());
    s.put("stride", g.stride());
    s.put("patchSize", g.patchSize());
    s.put("patchCount", g.patchCount());
    s.put("beta", first.beta());
    s.put("betaMax", first.betaMax());
    double median = ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective);
    double medianTest = ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal);
    ArrayNode convex = s.putArray("convex");
    for (Convex c : o.convex()) {
      putConvex(convex.addObject(), c, median, medianTest);
    }
    ObjectNode sg = s.putObject("sgd");
    ArrayNode inits = sg.putArray("inits");
    for (ComparisonReport.Run r : sgd) {
      ObjectNode e = inits.addObject();
      e.put("filters", r.neurons());
      e.put("objective", r.finalObjective());
      SummaryJson.putFinite(e, "trainAccuracy", r.trainAccuracy());
      SummaryJson.putFinite(e, "testAccuracy", r.testAccuracyFinal());
      e.put("seconds", r.totalSeconds());
    }
    sg.put("medianObjective", median);
    sg.put("bestObjective", sgd.stream().mapToDouble(ComparisonReport.Run::finalObjective)
        .min().orElse(Double.NaN));
    SummaryJson.putFinite(sg, "medianTestAccuracy", medianTest);
    SummaryJson.putFinite(sg, "bestTestAccuracy", sgd.stream()
        .mapToDouble(ComparisonReport.Run::testAccuracyFinal).max().orElse(Double.NaN));
    ArrayNode ch = s.putArray("checks");
    checks.forEach(ch::add);
    ObjectNode st = s.putObject("settings");
    settings.forEach(st::put);
    return SummaryJson.write(s);
  }

  private static void putConvex(ObjectNode e, Convex c, double sgdMedian, double sgdMedianTest) {
    PooledCnnTraining.Trained t = c.trained();
    Certificate cert = t.result().certificate();
    ComparisonReport.Run r = c.run();
    e.put("model", model(t));
    e.put("solver", t.solver());
    e.put("patterns", t.patternCount());
    e.put("exactPatterns", t.spec().exactPatterns());
    SummaryJson.putFinite(e, "objective", cert.objective());
    SummaryJson.putFinite(e, "lowerBound", cert.lowerBound());
    SummaryJson.putFinite(e, "relativeGap", cert.relativeGap());
    SummaryJson.putFinite(e, "constraintViolation", cert.constraintViolation());
    e.put("certified", r.certified());
    e.put("certification", r.gapCell());
    e.put("stopReason", t.result().stopReason().name());
    e.put("iterations", t.result().iterations());
    e.put("seconds", t.result().seconds());
    SummaryJson.putFinite(e, "nonconvexObjective", t.nonconvexObjective());
    e.put("filters", t.network().width());
    SummaryJson.putFinite(e, "trainAccuracy", r.trainAccuracy());
    SummaryJson.putFinite(e, "testAccuracy", r.testAccuracyFinal());
    SummaryJson.putFinite(e, "objectiveOverSgdMedian", cert.objective() / sgdMedian);
    if (Double.isFinite(sgdMedianTest) && Double.isFinite(r.testAccuracyFinal())) {
      e.put("testAccuracyAtLeastSgdMedian", r.testAccuracyFinal() >= sgdMedianTest);
    }
  }
}
