package io.cvxrelu.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The markdown of {@code jobs/bench.sh --scale}: one row per {@link ScaleOutBench} run, then
 * the issue's checks computed from the rows: per-row cost from n = 10^5 to 10^6 (seconds per
 * Spark job over n, linear within 15%), the driver's peak heap at 10^6 against 10^5 (at most
 * 1.5x), and seconds per pass with two executor cores against one (at least 1.7x faster).
 */
final class ScaleOutReport {
  /** Job descriptions listed per run in "Where the time goes", the costliest first. */
  private static final int MAX_DESCRIPTIONS = 8;

  private ScaleOutReport() {}

  static void write(Path jsonl, Path md) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        rows.add(json.readTree(line));
      }
    }
    StringBuilder out = new StringBuilder("# Scale-out measurements (jobs/bench.sh --scale)\n\n"
        + "Planted teacher generated on the executors, beta = 0.01 beta_max, P sampled gates; "
        + "seconds are the solve's (setup apart).\n\n"
        + "| master | model | loss | n | d | P | solver | setup s | s to 1e-4 | s to 1e-6 | "
        + "Spark jobs | s per job | final gap | violation | stop | certified | driver peak "
        + "heap MiB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonNode r : rows) {
      out.append(String.format(Locale.ROOT,
          "| %s | %s | %s | %,d | %d | %d | %s | %.1f | %s | %s | %d | %.3f | %.2e | %.1e | %s "
              + "| %s | %.0f |%n", r.path("master").asText(), r.path("model").asText(),
          r.path("loss").asText(), r.path("n").asLong(), r.path("d").asInt(),
          r.path("P").asInt(), r.path("solver").asText(), r.path("setupSeconds").asDouble(),
          seconds(r, "secondsTo1e-4"), seconds(r, "secondsTo1e-6"), r.path("sparkJobs").asLong(),
          r.path("secondsPerJob").asDouble(), r.path("relativeGap").asDouble(),
          r.path("violation").asDouble(), r.path("stopReason").asText(),
          r.path("certified").asBoolean() ? "yes" : "no",
          r.path("driverPeakHeapMiB").asDouble()));
    }
    out.append("\n## Checks\n\n");
    for (String model : new String[] {"gated", "relu"}) {
      JsonNode small = find(rows, model, "squared", 100_000, "local-cluster[2");
      JsonNode large = find(rows, model, "squared", 1_000_000, "local-cluster[2");
      if (small != null && large != null) {
        double perRow = (large.path("secondsPerJob").asDouble() / 1e6)
            / (small.path("secondsPerJob").asDouble() / 1e5);
        double heap = large.path("driverPeakHeapMiB").asDouble()
            / small.path("driverPeakHeapMiB").asDouble();
        out.append(String.format(Locale.ROOT, "- %s: per-row cost per job at 10^6 is %.2fx "
            + "that at 10^5 (within 15%%: %s); driver peak heap at 10^6 is %.2fx that at 10^5 "
            + "(at most 1.5x: %s)%n", model, perRow, Math.abs(perRow - 1.0) <= 0.15 ? "yes"
            : "no", heap, heap <= 1.5 ? "yes" : "no"));
        double liveSmall = small.path("driverPeakLiveHeapMiB").asDouble(Double.NaN);
        double liveLarge = large.path("driverPeakLiveHeapMiB").asDouble(Double.NaN);
        if (Double.isFinite(liveSmall) && Double.isFinite(liveLarge)) {
          // The pools' peaks count garbage too; the live heap after a full collection is what
          // the driver holds.
          out.append(String.format(Locale.ROOT, "  - %s: the driver's peak live heap (after a "
              + "full collection, sampled every %d jobs) is %.0f MiB at 10^6 and %.0f MiB at "
              + "10^5, %.2fx (at most 1.5x: %s)%n", model, ScaleOutBench.LIVE_SAMPLE_JOBS,
              liveLarge, liveSmall,
              liveLarge / liveSmall, liveLarge / liveSmall <= 1.5 ? "yes" : "no"));
        }
        double taskSmall = small.path("taskRunSecondsPerPass").asDouble(Double.NaN);
        double taskLarge = large.path("taskRunSecondsPerPass").asDouble(Double.NaN);
        if (Double.isFinite(taskSmall) && Double.isFinite(taskLarge) && taskSmall > 0) {
          // The stage's wall time is the tasks' work (per row) plus Spark's fixed cost per
          // stage (task launches, results): the two are reported apart.
          double taskPerRow = (taskLarge / 1e6) / (taskSmall / 1e5);
          out.append(String.format(Locale.ROOT, "  - %s: the tasks' run time per pass per row "
              + "at 10^6 is %.2fx that at 10^5 (within 15%%: %s; %.3f s against %.3f s per "
              + "pass); a stage of empty tasks costs %.3f s and %.3f s%n", model, taskPerRow,
              Math.abs(taskPerRow - 1.0) <= 0.15 ? "yes" : "no", taskLarge, taskSmall,
              large.path("emptyPassSeconds").asDouble(Double.NaN),
              small.path("emptyPassSeconds").asDouble(Double.NaN)));
        }
      }
    }
    JsonNode one = find(rows, "gated", "squared", 200_000, "local-cluster[1,1");
    JsonNode two = find(rows, "gated", "squared", 200_000, "local-cluster[1,2");
    if (one != null && two != null) {
      double speedup = one.path("secondsPerStep").asDouble()
          / two.path("secondsPerStep").asDouble();
      double perPass = one.path("secondsPerPass").asDouble(Double.NaN)
          / two.path("secondsPerPass").asDouble(Double.NaN);
      boolean resident = one.path("passMeasure").asText("").startsWith("wall seconds per step")
          && two.path("passMeasure").asText("").startsWith("wall seconds per step");
      out.append(String.format(Locale.ROOT, "- two executor cores against one (n = 200,000, "
          + "d = 100, P = 128, gated, over the second half of the run): %.2fx per step "
          + "(driver included), %.2fx per pass (%s: %.3f s against "
          + "%.3f s; at least 1.7x: %s)%n", speedup, perPass,
          resident ? "resident passes, wall time per step" : "median stage wall time",
          two.path("secondsPerPass").asDouble(Double.NaN),
          one.path("secondsPerPass").asDouble(Double.NaN), perPass >= 1.7 ? "yes" : "no"));
      if (!resident) {
        // The tasks' own seconds per pass, summed over a stage's tasks: equal on one core and
        // on two when the kernels do not slow each other down; the stage's wall time beyond
        // them (one core) is what Spark adds per pass.
        out.append(String.format(Locale.ROOT, "  - tasks' run time per pass, summed over the "
            + "stage's tasks: %.3f s on one core, %.3f s on two (%+.0f%% when two run at once); "
            + "stage wall time beyond the tasks on one core: %.3f s; a stage of empty tasks "
            + "over the same blocks: %.3f s on one core, %.3f s on two%n",
            one.path("taskRunSecondsPerPass").asDouble(Double.NaN),
            two.path("taskRunSecondsPerPass").asDouble(Double.NaN),
            100 * (two.path("taskRunSecondsPerPass").asDouble(Double.NaN)
                / one.path("taskRunSecondsPerPass").asDouble(Double.NaN) - 1),
            one.path("secondsPerPass").asDouble(Double.NaN)
                - one.path("taskRunSecondsPerPass").asDouble(Double.NaN),
            one.path("emptyPassSeconds").asDouble(Double.NaN),
            two.path("emptyPassSeconds").asDouble(Double.NaN)));
      }
    }
    appendJobsByDescription(rows, out);
    Files.writeString(md, out.toString(), StandardCharsets.UTF_8);
  }

  /**
   * Where each run's time went: wall seconds and count of its Spark jobs per job description
   * (the solvers name each pass), the costliest first.
   */
  private static void appendJobsByDescription(List<JsonNode> rows, StringBuilder out) {
    boolean header = false;
    for (JsonNode r : rows) {
      JsonNode jobs = r.path("jobsByDescription");
      if (!jobs.isObject() || jobs.isEmpty()) {
        continue;
      }
      if (!header) {
        out.append("\n## Where the time goes\n\nWall seconds of each run's Spark jobs by job "
            + "description (the solvers name their passes), with the job count.\n");
        header = true;
      }
      out.append(String.format(Locale.ROOT, "%n- %s, %s, %s loss, n = %,d, d = %d, P = %d "
          + "(%s):%n", r.path("master").asText(), r.path("model").asText(),
          r.path("loss").asText(), r.path("n").asLong(), r.path("d").asInt(),
          r.path("P").asInt(), r.path("solver").asText()));
      // Grouped with numbers masked, as ScaleOutBench records them (older runs kept them).
      java.util.Map<String, double[]> grouped = new java.util.HashMap<>();
      jobs.fields().forEachRemaining(e -> {
        double[] t = grouped.computeIfAbsent(e.getKey().replaceAll("[0-9]+", "#"),
            k -> new double[2]);
        t[0] += e.getValue().path("seconds").asDouble();
        t[1] += e.getValue().path("jobs").asLong();
      });
      grouped.entrySet().stream()
          .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
          .limit(MAX_DESCRIPTIONS)
          .forEach(e -> out.append(String.format(Locale.ROOT, "  - %s: %.1f s, %d jobs%n",
              e.getKey(), e.getValue()[0], (long) e.getValue()[1])));
    }
  }

  private static String seconds(JsonNode r, String field) {
    double s = r.path(field).asDouble(Double.NaN);
    return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.1f", s);
  }

  private static JsonNode find(List<JsonNode> rows, String model, String loss, long n,
      String masterPrefix) {
    JsonNode found = null;
    for (JsonNode r : rows) {
      if (r.path("model").asText().equals(model) && r.path("loss").asText().equals(loss)
          && r.path("n").asLong() == n && r.path("master").asText().startsWith(masterPrefix)) {
        found = r;
      }
    }
    return found;
  }
}
