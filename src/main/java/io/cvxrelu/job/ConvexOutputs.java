package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.io.TransformJson;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.report.AccuracyHistory;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.generation.ArrangementCertificate;
import io.cvxrelu.solver.generation.ColumnGeneration;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.TrainingSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What train-convex writes: {@code summary.json} (the certificate, whether it is one, the fit,
 * the settings), {@code model.json}, {@code preprocessing.json}, {@code history.csv} and, after
 * pattern generation, {@code generation.csv}.
 */
final class ConvexOutputs {
  private static final Logger LOG = LogManager.getLogger(ConvexOutputs.class);

  private ConvexOutputs() {}

  /** The output files by name, in the order they are listed. */
  static Map<String, String> files(TrainingSpec spec, ProblemSetup.Setup setup,
      LabeledData train, LabeledData test, ConvexRun.Outcome run, AccuracyHistory accuracy) {
    ConvexReluProblem problem = run.problem();
    ConvexReluModel model = new ConvexReluModel(spec.formulation(), spec.loss().name(),
        setup.beta(), spec.bias(), problem.patterns().gates(), run.result().weights());
    Map<String, String> files = new LinkedHashMap<>();
    ObjectNode extras = SummaryJson.object();
    ReluNetwork seed = setup.seedNetwork();
    if (seed != null) {
      extras.put("patternsFromNeurons", seed.width());
      extras.put("patternsFromObjective", seed.objective(setup.x(), setup.y(), spec.loss(),
          setup.beta()));
    }
    ColumnGeneration.Result generation = run.generation();
    if (generation != null) {
      putGeneration(extras, problem, generation);
      files.put("generation.csv", generationCsv(generation.rounds()));
    }
    certifyOverAllPatterns(problem, run.result(), spec.certifyAll(), generation, extras);
    files.put("summary.json", summary(spec, model, run.result(), run.solverName(),
        fit(setup, problem, model, train, test), extras));
    files.put("model.json", ModelJson.write(model));
    files.put("history.csv", generation == null ? accuracy.csv(run.result())
        : historyWithoutAccuracy(run.result()));
    return files;
  }

  private static void putGeneration(ObjectNode extras, ConvexReluProblem problem,
      ColumnGeneration.Result generation) {
    ObjectNode g = extras.putObject("generation");
    List<ColumnGeneration.Round> rounds = generation.rounds();
    g.put("rounds", rounds.size());
    g.put("patternsAdded", problem.patternCount() - rounds.get(0).patterns());
    g.put("noViolationFound", generation.converged());
    g.put("largestViolation", rounds.get(rounds.size() - 1).largestViolation());
  }

  /**
   * Unless {@code mode} is FALSE, checks the solution's dual point against every cell of the
   * arrangement (exact up to the enumeration's tolerances; AUTO skips what is too large).
   * Otherwise, after pattern generation, records that the global statement is a search result.
   */
  static void certifyOverAllPatterns(ConvexReluProblem problem, SolverResult result,
      TrainingSpec.CertifyAll mode, ColumnGeneration.Result generation, ObjectNode extras) {
    if (mode != TrainingSpec.CertifyAll.FALSE) {
      try {
        ArrangementCertificate.Result all = ArrangementCertificate.compute(problem,
            result.weights(), mode.subsetBudget());
        extras.put("globalLowerBound", all.certificate().lowerBound());
        extras.put("globalRelativeGap", all.certificate().relativeGap());
        extras.put("globalCertificate", "exact over all " + all.patternsChecked()
            + " cells of the arrangement " + ProblemSetup.ENUMERATION_TOLERANCE);
        return;
      } catch (IllegalArgumentException tooLarge) {
        if (mode == TrainingSpec.CertifyAll.TRUE) {
          throw new UsageException(tooLarge.getMessage());
        }
        LOG.info("no certificate over all patterns: {}", tooLarge.getMessage());
      }
    }
    if (generation != null) {
      extras.put("globalCertificate", generation.converged()
          ? "search: no violating pattern found (not a proof)"
          : "search: violating patterns remain (round budget)");
    }
  }

  static String generationCsv(List<ColumnGeneration.Round> rounds) {
    StringBuilder sb = new StringBuilder(ColumnGeneration.Round.CSV_HEADER).append('\n');
    for (ColumnGeneration.Round r : rounds) {
      sb.append(r.toCsv()).append('\n');
    }
    return sb.toString();
  }

  static String historyWithoutAccuracy(SolverResult result) {
    StringBuilder sb = new StringBuilder(IterationRecord.CSV_HEADER).append('\n');
    for (IterationRecord r : result.history()) {
      sb.append(r.toCsv()).append('\n');
    }
    return sb.toString();
  }

  /**
   * What summary.json says about the data and the fit, however it was computed: on the
   * driver's rows ({@link #fit}) or by aggregations over the executors' blocks.
   *
   * @param labelScale max |y| of the canonical training labels
   * @param classification every training label is +-1: accuracies are reported, else MSEs
   * @param train training accuracy or MSE
   * @param test test accuracy or MSE (null: no test data, or test labels not +-1 for a
   *     classification)
   */
  record Fit(long n, int d, double betaMax, double labelScale, double nonconvexObjective,
      boolean classification, double train, Double test) {}

  private static Fit fit(ProblemSetup.Setup setup, ConvexReluProblem problem,
      ConvexReluModel model, LabeledData train, LabeledData test) {
    double[] y = setup.y();
    double[] yTest = setup.yTest();
    double[] predTrain = model.predictDesign(problem.x());
    boolean classification = Metrics.isPlusMinusOne(y);
    double trainFit;
    Double testFit = null;
    if (classification) {
      trainFit = Metrics.accuracy(predTrain, y);
      if (yTest != null && Metrics.isPlusMinusOne(yTest)) {
        testFit = Metrics.accuracy(model.predict(test.x()), yTest);
      }
    } else {
      trainFit = Metrics.mse(predTrain, y);
      if (yTest != null) {
        testFit = Metrics.mse(model.predict(test.x()), yTest);
      }
    }
    return new Fit(problem.n(), train.d(), setup.betaMax(), Certification.labelScale(y),
        model.nonconvexObjective(problem.x(), y, problem.loss()), classification, trainFit,
        testFit);
  }

  /**
   * The files of a solve over blocks read on the executors, whose fit was aggregated there:
   * the same summary.json and model.json keys; history.csv has the accuracy columns, filled on
   * its last row only (an accuracy per certificate would cost a pass over the data each).
   */
  static Map<String, String> files(TrainingSpec spec, ConvexReluModel model,
      SolverResult result, String solverName, Fit fit) {
    if (spec.certifyAll() != TrainingSpec.CertifyAll.FALSE) {
      LOG.info("no certificate over all patterns: the rows stay on the executors");
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put("summary.json", summary(spec, model, result, solverName, fit,
        SummaryJson.object()));
    files.put("model.json", ModelJson.write(model));
    StringBuilder history = new StringBuilder(IterationRecord.CSV_HEADER)
        .append(",trainAccuracy,testAccuracy\n");
    List<IterationRecord> rows = result.history();
    for (int r = 0; r < rows.size(); r++) {
      boolean last = r == rows.size() - 1 && fit.classification();
      history.append(rows.get(r).toCsv()).append(',')
          .append(last ? Double.toString(fit.train()) : "").append(',')
          .append(last && fit.test() != null ? fit.test().toString() : "").append('\n');
    }
    files.put("history.csv", history.toString());
    return files;
  }

  /**
   * {@code files} with {@code preprocessing.json}: the standardisation and projection fitted on
   * the training rows, which the predict job applies to new rows before the model.
   */
  static Map<String, String> withPreprocessing(Map<String, String> files,
      FeatureTransform transform) {
    files.put(SavedModel.PREPROCESSING, TransformJson.write(transform));
    return files;
  }

  private static String summary(TrainingSpec spec, ConvexReluModel model, SolverResult result,
      String solverName, Fit fit, ObjectNode extras) {
    ObjectNode s = SummaryJson.object();
    Certificate cert = result.certificate();
    s.put("objective", cert.objective());
    s.put("lowerBound", cert.lowerBound());
    s.put("relativeGap", cert.relativeGap());
    s.put("nonconvexObjective", fit.nonconvexObjective());
    s.put("constraintViolation", cert.constraintViolation());
    s.put("neurons", model.network().width());
    s.put("patterns", model.patternCount());
    s.put("iterations", result.iterations());
    s.put("seconds", result.seconds());
    s.put("stopReason", result.stopReason().name());
    Certification certification = Certification.of(result, spec.solverOptions(),
        fit.labelScale());
    s.put("certified", certification.certified());
    s.put("certification", certification.label());
    String kind = fit.classification() ? "Accuracy" : "Mse";
    s.put("train" + kind, fit.train());
    if (fit.test() != null) {
      s.put("test" + kind, fit.test());
    }
    s.put("model", model.formulation().id());
    s.put("loss", spec.loss().name());
    s.put("beta", model.beta());
    s.put("betaMax", fit.betaMax());
    s.put("bias", model.bias());
    s.put("n", fit.n());
    s.put("d", fit.d());
    s.put("tolerance", spec.solverOptions().tolerance());
    s.put("solver", solverName);
    s.put("blas", Blas.backend());
    s.setAll(extras);
    return SummaryJson.write(s);
  }
}
