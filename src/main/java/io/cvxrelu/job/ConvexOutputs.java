package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.ModelJson;
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
 * the settings), {@code model.json}, {@code history.csv} and, after pattern generation,
 * {@code generation.csv}.
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
    files.put("summary.json", summary(spec, setup, model, run, train, test, extras));
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

  private static String summary(TrainingSpec spec, ProblemSetup.Setup setup,
      ConvexReluModel model, ConvexRun.Outcome run, LabeledData train, LabeledData test,
      ObjectNode extras) {
    ConvexReluProblem problem = run.problem();
    SolverResult result = run.result();
    double[] y = setup.y();
    double[] yTest = setup.yTest();
    ObjectNode s = SummaryJson.object();
    Certificate cert = result.certificate();
    s.put("objective", cert.objective());
    s.put("lowerBound", cert.lowerBound());
    s.put("relativeGap", cert.relativeGap());
    s.put("nonconvexObjective", model.nonconvexObjective(problem.x(), y, problem.loss()));
    s.put("constraintViolation", cert.constraintViolation());
    s.put("neurons", model.network().width());
    s.put("patterns", problem.patternCount());
    s.put("iterations", result.iterations());
    s.put("seconds", result.seconds());
    s.put("stopReason", result.stopReason().name());
    Certification certification = Certification.of(result, spec.solverOptions(),
        Certification.labelScale(y));
    s.put("certified", certification.certified());
    s.put("certification", certification.label());
    double[] predTrain = model.predictDesign(problem.x());
    if (Metrics.isPlusMinusOne(y)) {
      s.put("trainAccuracy", Metrics.accuracy(predTrain, y));
      if (yTest != null && Metrics.isPlusMinusOne(yTest)) {
        s.put("testAccuracy", Metrics.accuracy(model.predict(test.x()), yTest));
      }
    } else {
      s.put("trainMse", Metrics.mse(predTrain, y));
      if (yTest != null) {
        s.put("testMse", Metrics.mse(model.predict(test.x()), yTest));
      }
    }
    s.put("model", model.formulation().id());
    s.put("loss", problem.loss().name());
    s.put("beta", problem.beta());
    s.put("betaMax", setup.betaMax());
    s.put("bias", model.bias());
    s.put("n", problem.n());
    s.put("d", train.d());
    s.put("tolerance", spec.solverOptions().tolerance());
    s.put("solver", run.solverName());
    s.put("blas", Blas.backend());
    s.setAll(extras);
    return SummaryJson.write(s);
  }
}
