package io.cvxrelu.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.report.AccuracyHistory;
import io.cvxrelu.report.PathPlots;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.RegularisationPath;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import io.cvxrelu.train.ValidationSplit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * train-convex with {@code --beta-path} or {@code --beta-path-grid}: the program solved along a
 * regularisation path with warm starts ({@link RegularisationPath}), on the driver's rows with
 * the single-node solver. Each beta gets a complete train-convex output under
 * {@code beta-K/} (summary.json, model.json, preprocessing.json, history.csv), and the path
 * {@code path.csv} and {@code path.png}. With {@code --validation-fraction}, that share of the
 * training rows (a seeded random choice) is held out, never the test set, and the beta with
 * the best validation accuracy (or MSE) is written again as {@code best/}.
 */
final class PathRun {
  private static final Logger LOG = LogManager.getLogger(PathRun.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private PathRun() {}

  /** Whether the options ask for a path. */
  static boolean requested(JobOptions opts) {
    return opts.get("beta-path") != null || opts.get("beta-path-grid") != null;
  }

  /** The fractions of the options, largest first; a usage error when malformed. */
  static double[] fractions(JobOptions opts) {
    if (opts.get("beta-path") != null && opts.get("beta-path-grid") != null) {
      throw new UsageException("--beta-path and --beta-path-grid exclude each other");
    }
    if (opts.get("beta") != null) {
      throw new UsageException("--beta fixes one beta; a path takes fractions of beta_max");
    }
    return TrainingSpecs.parse(() -> opts.get("beta-path") != null
        ? RegularisationPath.parse(opts.get("beta-path"))
        : RegularisationPath.grid((int) Math.min(1000, opts.positiveLong("beta-path-grid"))));
  }

  /** Reads the data on the driver, solves the path and returns every file of the output. */
  static ConvexRun.Trained train(JobContext job, JobOptions opts, TrainingSpec spec) {
    double[] fractions = fractions(opts);
    double validation = validationFraction(opts);
    if (spec.generation().enabled() || SolverChoice.distributedForAnyRows(spec, job.master())
        || spec.distributed().resume()) {
      throw new UsageException("a beta path runs the single-node solver on the driver (not"
          + " --solver distributed, --generate-patterns or --resume)");
    }
    job.describe("cvxrelu: read data");
    DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
    LabeledData[] parts = split(data.train(), validation, spec.seed());
    ProblemSetup.Setup setup = ProblemSetup.of(spec, parts[0], data.test(),
        new PatternInputs(job.io()));
    SolverChoice choice = SolverChoice.of(spec, job.master(), setup.x().rows());
    if (choice.distributed()) {
      throw new UsageException("a beta path runs the single-node solver (--solver local)");
    }
    LOG.info("beta path: {} points from {} to {} of beta_max = {}; n={} d={} P={}{}",
        fractions.length, fractions[0], fractions[fractions.length - 1], setup.betaMax(),
        setup.x().rows(), setup.x().cols(), setup.patterns().count(),
        parts[1] == null ? "" : ", " + parts[1].n() + " validation rows");
    Map<Double, AccuracyHistory> histories = new LinkedHashMap<>();
    List<RegularisationPath.Point> path = RegularisationPath.solve(setup.problem(),
        setup.betaMax(), fractions, spec.solverOptions(), beta -> {
          AccuracyHistory h = new AccuracyHistory(new ProgressLogger(
              spec.solverOptions().tolerance(), choice.progressSeconds()), spec.formulation(),
              spec.loss().name(), beta, spec.bias(), setup.patterns().gates(), setup.x(),
              setup.y(), data.test(), setup.yTest());
          histories.put(beta, h);
          return h;
        });
    return outputs(spec, setup, data, parts, path, histories, choice);
  }

  /** --validation-fraction in (0, 1), or 0 when absent. */
  static double validationFraction(JobOptions opts) {
    if (opts.get("validation-fraction") == null) {
      return 0.0;
    }
    double f = opts.positiveDouble("validation-fraction");
    if (f >= 1.0) {
      throw new UsageException("--validation-fraction must be in (0, 1), got " + f);
    }
    return f;
  }

  /**
   * {fit rows, validation rows (null when none)}: a seeded random {@code fraction} of the
   * training rows held out ({@link ValidationSplit}), in their original order.
   */
  static LabeledData[] split(LabeledData train, double fraction, long seed) {
    if (fraction <= 0.0) {
      return new LabeledData[] {train, null};
    }
    ValidationSplit s = ValidationSplit.of(train, fraction, seed);
    return new LabeledData[] {s.fit(), s.validation()};
  }

  private static ConvexRun.Trained outputs(TrainingSpec spec, ProblemSetup.Setup setup,
      DataLoader.Loaded data, LabeledData[] parts, List<RegularisationPath.Point> path,
      Map<Double, AccuracyHistory> histories, SolverChoice choice) {
    Map<String, String> files = new LinkedHashMap<>();
    List<PathPlots.Row> rows = new ArrayList<>();
    List<Map<String, String>> perPoint = new ArrayList<>();
    boolean classification = Metrics.isPlusMinusOne(setup.y());
    int best = -1;
    for (int k = 0; k < path.size(); k++) {
      RegularisationPath.Point p = path.get(k);
      ProblemSetup.Setup at = new ProblemSetup.Setup(p.problem(), setup.betaMax(),
          setup.yTest(), null);
      ConvexRun.Outcome outcome = new ConvexRun.Outcome(p.problem(), p.result(),
          choice.name(p.solver()), null);
      Map<String, String> point = ConvexOutputs.withPreprocessing(ConvexOutputs.files(spec, at,
          parts[0], data.test(), outcome, histories.get(p.beta())), data.transform());
      perPoint.add(point);
      String dir = folder(k);
      point.forEach((name, text) -> files.put(dir + "/" + name, text));
      PathPlots.Row row = row(p, point.get("summary.json"), validationFit(spec, p,
          parts[1], classification));
      rows.add(row);
      if (!Double.isNaN(row.validation()) && (best < 0 || better(row.validation(),
          rows.get(best).validation(), classification))) {
        best = k;
      }
    }
    files.put("path.csv", PathPlots.csv(rows, classification));
    if (best >= 0) {
      final int chosen = best;
      perPoint.get(best).forEach((name, text) -> files.put("best/" + name, text));
      LOG.info("best beta on {} validation rows: {} ({} of beta_max), validation {} {}",
          parts[1].n(), rows.get(chosen).beta(), rows.get(chosen).fraction(),
          classification ? "accuracy" : "MSE", rows.get(chosen).validation());
    }
    RegularisationPath.Point shown = path.get(best >= 0 ? best : path.size() - 1);
    return new ConvexRun.Trained(files, Map.of("path.png", PathPlots.png(rows, classification)),
        shown.result(), choice.name(shown.solver()), false);
  }

  /** Folder of point k: beta-01, beta-02, ... (sorted as the path: largest beta first). */
  static String folder(int k) {
    return String.format(Locale.ROOT, "beta-%02d", k + 1);
  }

  /** A higher accuracy, or a lower MSE; a tie keeps the larger beta (found first). */
  private static boolean better(double candidate, double incumbent, boolean accuracy) {
    return accuracy ? candidate > incumbent : candidate < incumbent;
  }

  /** Accuracy or MSE on the validation rows (NaN without them), as summary.json's test fit. */
  private static double validationFit(TrainingSpec spec, RegularisationPath.Point p,
      LabeledData validation, boolean classification) {
    if (validation == null) {
      return Double.NaN;
    }
    ConvexReluModel model = new ConvexReluModel(spec.formulation(), spec.loss().name(),
        p.beta(), spec.bias(), p.problem().patterns().gates(), p.result().weights());
    double[] y = ProblemSetup.labels(spec.loss(), validation.y(), "validation data");
    double[] f = model.predict(validation.x());
    return classification ? Metrics.accuracy(f, y) : Metrics.mse(f, y);
  }

  /** The path.csv row of a point: its summary.json's numbers and the validation fit. */
  private static PathPlots.Row row(RegularisationPath.Point p, String summaryJson,
      double validation) {
    JsonNode s;
    try {
      s = MAPPER.readTree(summaryJson);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String kind = s.has("trainAccuracy") ? "Accuracy" : "Mse";
    return new PathPlots.Row(p.fraction(), p.beta(), s.get("objective").asDouble(),
        s.get("relativeGap").asDouble(), s.get("certified").asBoolean(),
        s.get("neurons").asInt(), p.result().seconds(), p.result().iterations(),
        p.result().stopReason().name(), s.get("train" + kind).asDouble(), validation,
        s.has("test" + kind) ? s.get("test" + kind).asDouble() : Double.NaN);
  }
}
