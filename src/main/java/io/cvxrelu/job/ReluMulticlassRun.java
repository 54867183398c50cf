package io.cvxrelu.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.TransformJson;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.multiclass.MultiOutputLoss;
import io.cvxrelu.multiclass.MultiOutputReluProgram;
import io.cvxrelu.multiclass.MulticlassTargets;
import io.cvxrelu.multiclass.OneHotSquaredLoss;
import io.cvxrelu.multiclass.ReluMultiOutputSolver;
import io.cvxrelu.multiclass.ReluVectorNetwork;
import io.cvxrelu.multiclass.SeparatedReluSolver;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.SolverChoice;
import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * train-multiclass's {@code --model relu}: the cone-constrained multi-output ReLU program
 * ({@link MultiOutputReluProgram}, a block pair per pattern and class) on the job's design,
 * solved as c certified scalar ReLU programs for the squared loss ({@link SeparatedReluSolver}
 * with {@link SolverChoice#local}) or by the augmented Lagrangian for softmax ({@link
 * ReluMultiOutputSolver}), and the ReLU network recovered from the blocks, which the test rows
 * are scored with. The job writes what this returns.
 *
 * @param summary the summary fields of the solve (the job adds accuracies and times)
 * @param model {@code model.json}: preprocessing, classes and the recovered network
 * @param result the solver's result (weights, certificate, history)
 * @param trainAccuracy accuracy of the program's predictions on the training rows
 * @param testAccuracy accuracy of the recovered network on the test rows
 */
record ReluMulticlassRun(ObjectNode summary, String model, SolverResult result,
    double trainAccuracy, double testAccuracy) {
  private static final Logger LOG = LogManager.getLogger(ReluMulticlassRun.class);

  /**
   * Solves the program with beta = {@code beta}, or {@code betaFrac} beta_max when null.
   *
   * @param trainClasses class index of each training row; {@code testClasses} of each test row
   */
  static ReluMulticlassRun train(DenseMatrix x, DenseMatrix y, DenseMatrix xTest,
      int[] trainClasses, int[] testClasses, SignPatterns gates, MultiOutputLoss loss,
      Double beta, double betaFrac, SolverOptions options, String[] classNames,
      FeatureTransform transform) {
    double betaMax = MultiOutputReluProgram.betaMax(x, y, gates, loss);
    double b = beta != null ? beta : betaFrac * betaMax;
    MultiOutputReluProgram program = new MultiOutputReluProgram(x, y, gates, loss, b);
    LOG.info("ReLU program: n={} d={} c={} P={} ({} block pairs) loss={} beta={} ({} beta_max),"
        + " BLAS {}", program.n(), program.d(), program.outputs(), gates.count(),
        program.patternCount(), loss.name(), b, b / betaMax, Blas.backend());
    double[] lastLog = {Double.NEGATIVE_INFINITY};
    IterationListener progress = rec -> {
      // An interior-point solve records every Newton step: a line every 5 s is enough.
      if (rec.seconds() - lastLog[0] < 5.0 && rec.seconds() >= lastLog[0]) {
        return true;
      }
      lastLog[0] = rec.seconds();
      LOG.info("round {}: {} steps, objective {} gap {} violation {} ({} s)", rec.iteration(),
          rec.innerIterations(), rec.objective(), rec.relativeGap(), rec.constraintViolation(),
          String.format("%.1f", rec.seconds()));
      return true;
    };
    SolverResult result = loss instanceof OneHotSquaredLoss
        ? new SeparatedReluSolver(SolverChoice::local).solve(program, options, progress)
        : new ReluMultiOutputSolver().solve(program, null, options, progress);
    ReluVectorNetwork network = ReluVectorNetwork.recover(program, result.weights());
    double trainAcc = MulticlassTargets.accuracy(program.predict(result.weights()),
        trainClasses);
    double testAcc = MulticlassTargets.accuracy(network.predict(xTest), testClasses);
    boolean certified = Certification.of(result, options, program.largestLabel()).certified();
    LOG.info("{} ({}) after {} steps, {} s: objective {} gap {} violation {}; {} neurons; "
        + "accuracy train {} test {}", result.stopReason(), certified ? "certified"
        : "not certified", result.iterations(), result.seconds(),
        result.certificate().objective(), result.certificate().relativeGap(),
        result.certificate().constraintViolation(), network.width(), trainAcc, testAcc);

    ObjectNode s = SummaryJson.object();
    s.put("formulation", "relu");
    s.put("solver", loss instanceof OneHotSquaredLoss
        ? "SeparatedReluSolver (" + program.outputs() + " scalar programs)"
        : "ReluMultiOutputSolver (augmented Lagrangian)");
    s.put("loss", loss.name());
    s.put("n", program.n());
    s.put("d", program.d());
    s.put("outputs", program.outputs());
    s.put("patterns", gates.count());
    s.put("beta", b);
    s.put("betaMax", betaMax);
    s.put("betaFrac", b / betaMax);
    s.put("objective", result.certificate().objective());
    SummaryJson.putFinite(s, "lowerBound", result.certificate().lowerBound());
    SummaryJson.putFinite(s, "relativeGap", result.certificate().relativeGap());
    s.put("constraintViolation", result.certificate().constraintViolation());
    s.put("tolerance", options.tolerance());
    s.put("certified", certified);
    s.put("stopReason", result.stopReason().name());
    s.put("iterations", result.iterations());
    s.put("solverSeconds", result.seconds());
    s.put("activeBlocks", program.activeBlocks(result.weights()));
    s.put("neurons", network.width());
    s.put("networkObjective", network.objective(x, y, loss, b));
    s.put("blas", Blas.backend());
    return new ReluMulticlassRun(s, model(network, loss, b, classNames, transform), result,
        trainAcc, testAcc);
  }

  /** model.json of a recovered network: the preprocessing, classes and both layers (rows). */
  private static String model(ReluVectorNetwork network, MultiOutputLoss loss, double beta,
      String[] classes, FeatureTransform transform) {
    ObjectNode m = SummaryJson.object();
    m.put("format", "cvxrelu-multiclass");
    m.put("version", 1);
    m.put("formulation", "relu");
    m.put("loss", loss.name());
    m.put("beta", beta);
    m.put("bias", true);
    ArrayNode names = m.putArray("classes");
    Arrays.stream(classes).forEach(names::add);
    try {
      m.set("preprocessing", new ObjectMapper().readTree(TransformJson.write(transform)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ArrayNode neurons = m.putArray("neurons");
    for (int j = 0; j < network.width(); j++) {
      ObjectNode n = neurons.addObject();
      ArrayNode u = n.putArray("hidden");
      for (int r = 0; r < network.hidden().rows(); r++) {
        u.add(network.hidden().get(r, j));
      }
      ArrayNode a = n.putArray("output");
      for (int k = 0; k < network.outputs(); k++) {
        a.add(network.output().get(j, k));
      }
    }
    return SummaryJson.write(m);
  }
}
