package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.job.ComparisonRuns.Polished;
import io.cvxrelu.job.ComparisonRuns.Solved;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the comparison report states about its runs, and its {@code summary.json}. With every
 * pattern enumerated the exact program's certified lower bound bounds the objective of a
 * network of any width (Pilanci and Ergen 2020, Theorem 1), so the report checks the SGD runs
 * against it.
 */
final class ComparisonSummary {
  /** Relative margin above the optimum beyond which an SGD run is said to stall. */
  static final double STALL_MARGIN = 1e-3;

  private ComparisonSummary() {}

  /**
   * The statements the report makes about the runs. With every pattern enumerated an SGD
   * objective below the exact program's certified lower bound, at any epoch, would be an
   * error; the approximate program uses a subset of the patterns, so its optimum cannot be
   * below that bound either. Without enumeration there is nothing to check.
   */
  static List<String> checks(boolean enumerate, Solved exact, Solved sampled,
      List<ComparisonReport.Run> sgd) {
    List<String> out = new ArrayList<>();
    if (!enumerate) {
      return out;
    }
    double optimum = exact.result().certificate().objective();
    double lower = exact.result().certificate().lowerBound();
    int below = sgdRunsBelow(sgd, lower);
    int above = 0;
    for (ComparisonReport.Run r : sgd) {
      if (r.finalObjective() > optimum * (1 + STALL_MARGIN)) {
        above++;
      }
    }
    out.add(String.format(Locale.ROOT, "SGD runs below the optimum: %s of %d (runs whose "
        + "objective fell below the exact program's certified lower bound %.8g at any epoch; "
        + "none may)", below == 0 ? "none" : Integer.toString(below), sgd.size(), lower));
    out.add(String.format(Locale.ROOT, "SGD runs that stall above the optimum %.8g (final "
        + "objective more than %.1f%% above it): %d of %d", optimum, 100 * STALL_MARGIN, above,
        sgd.size()));
    if (sampled != null) {
      double s = sampled.result().certificate().objective();
      out.add(String.format(Locale.ROOT, "exact <= sampled: %s (exact %.8g, sampled %.8g with "
          + "%d of %d patterns, %.2f%% above)", s >= lower ? "yes" : "NO", optimum, s,
          sampled.problem().patterns().count(), exact.problem().patterns().count(),
          100 * (s - optimum) / Math.abs(optimum)));
    }
    return out;
  }

  /**
   * Each convex row's final test accuracy against the median SGD run's, or null without test
   * data. The summary records the same comparison as booleans.
   */
  static String accuracyCheck(List<ComparisonReport.Run> convex,
      List<ComparisonReport.Run> sgd) {
    double median = ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal);
    if (!Double.isFinite(median)) {
      return null;
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Test accuracy against the median SGD run's %.4f:", median));
    String sep = " ";
    for (ComparisonReport.Run r : convex) {
      double a = r.testAccuracyFinal();
      if (Double.isFinite(a)) {
        sb.append(String.format(Locale.ROOT, "%s%s %.4f (%s)", sep, r.name(), a,
            a >= median ? "at least the median" : "below the median"));
        sep = "; ";
      }
    }
    return sb.append('.').toString();
  }

  /** SGD runs whose objective fell below {@code bound} at some epoch. */
  static int sgdRunsBelow(List<ComparisonReport.Run> sgd, double bound) {
    int below = 0;
    for (ComparisonReport.Run r : sgd) {
      for (double v : r.objective()) {
        if (v < bound) {
          below++;
          break;
        }
      }
    }
    return below;
  }

  /**
   * The summary: the exact (and sampled, and polished) convex rows with their certificates, the
   * SGD runs, the checks and the settings.
   *
   * @param options the convex solves' stopping rules (what "certified" is measured against)
   */
  static String json(ConvexReluModel model, Solved exact, Solved sampled, Polished polished,
      List<ComparisonReport.Run> runs, List<String> checks, Map<String, String> settings,
      double betaMax, SolverOptions options) {
    ObjectNode s = SummaryJson.object();
    ConvexReluProblem problem = exact.problem();
    SolverResult result = exact.result();
    ComparisonReport.Run convex = exact.run();
    ObjectNode c = s.putObject("convex");
    putConvex(c, exact, convex, options);
    c.put("nonconvexObjective", model.nonconvexObjective(problem.x(), problem.y(),
        problem.loss()));
    c.put("neurons", model.network().width());
    c.put("patterns", problem.patterns().count());
    if (sampled != null) {
      ObjectNode sc = s.putObject("sampledConvex");
      putConvex(sc, sampled, sampled.run(), options);
      sc.put("patterns", sampled.problem().patterns().count());
    }
    List<ComparisonReport.Run> sgd = new ArrayList<>();
    for (ComparisonReport.Run r : runs) {
      if (!r.group().equals(ComparisonReport.CONVEX)) {
        sgd.add(r);
      }
    }
    double medianTest = putSgd(s.putObject("sgd"), sgd);
    if (Double.isFinite(medianTest) && Double.isFinite(convex.testAccuracyFinal())) {
      s.put("convexTestAccuracyAtLeastSgdMedian", convex.testAccuracyFinal() >= medianTest);
    }
    if (polished != null) {
      putPolish(s.putObject("polish"), polished, sgd, medianTest, options);
    }
    if (!checks.isEmpty()) {
      s.put("sgdRunsBelowOptimum", sgdRunsBelow(sgd, result.certificate().lowerBound()));
      ArrayNode ch = s.putArray("checks");
      checks.forEach(ch::add);
    }
    s.put("bestObjective", ComparisonReport.best(runs));
    s.put("beta", problem.beta());
    s.put("betaMax", betaMax);
    ObjectNode st = s.putObject("settings");
    settings.forEach(st::put);
    return SummaryJson.write(s);
  }

  /** The SGD runs' entries and medians; returns the median test accuracy (NaN: none). */
  private static double putSgd(ObjectNode g, List<ComparisonReport.Run> sgd) {
    ArrayNode arr = g.putArray("inits");
    for (ComparisonReport.Run r : sgd) {
      ObjectNode e = arr.addObject();
      e.put("neurons", r.neurons());
      e.put("objective", r.finalObjective());
      SummaryJson.putFinite(e, "trainAccuracy", r.trainAccuracy());
      SummaryJson.putFinite(e, "testAccuracy", r.testAccuracyFinal());
      e.put("seconds", r.totalSeconds());
    }
    g.put("medianObjective", ComparisonReport.median(sgd, ComparisonReport.Run::finalObjective));
    double medianTest = ComparisonReport.median(sgd, ComparisonReport.Run::testAccuracyFinal);
    SummaryJson.putFinite(g, "medianTestAccuracy", medianTest);
    return medianTest;
  }

  private static void putPolish(ObjectNode p, Polished polished, List<ComparisonReport.Run> sgd,
      double medianTest, SolverOptions options) {
    ComparisonReport.Run pr = polished.solved().run();
    putConvex(p, polished.solved(), pr, options);
    p.put("nonconvexObjective", pr.finalObjective());
    p.put("startObjective", polished.startObjective());
    p.put("sgdInit", polished.sgdInit());
    p.put("model", polished.solved().problem().formulation().id());
    p.put("patterns", polished.solved().problem().patterns().count());
    if (Double.isFinite(medianTest) && Double.isFinite(pr.testAccuracyFinal())) {
      p.put("testAccuracyAtLeastSgdMedian", pr.testAccuracyFinal() >= medianTest);
    }
    double bestSgd = Double.POSITIVE_INFINITY;
    for (ComparisonReport.Run r : sgd) {
      bestSgd = Math.min(bestSgd, r.finalObjective());
    }
    p.put("bestSgdObjective", bestSgd);
    p.put("atOrBelowBestSgd", pr.finalObjective() <= bestSgd);
  }

  private static void putConvex(ObjectNode c, Solved solved, ComparisonReport.Run run,
      SolverOptions options) {
    SolverResult result = solved.result();
    Certificate cert = result.certificate();
    c.put("objective", cert.objective());
    c.put("lowerBound", cert.lowerBound());
    c.put("relativeGap", cert.relativeGap());
    c.put("constraintViolation", cert.constraintViolation());
    c.put("iterations", result.iterations());
    c.put("seconds", result.seconds());
    c.put("stopReason", result.stopReason().name());
    Certification certification = Certification.of(result, options,
        Certification.labelScale(solved.problem().y()));
    c.put("certified", certification.certified());
    c.put("certification", certification.label());
    SummaryJson.putFinite(c, "trainAccuracy", run.trainAccuracy());
    SummaryJson.putFinite(c, "testAccuracy", run.testAccuracyFinal());
  }
}
