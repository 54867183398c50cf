package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.theory.MinimumNormInterpolation;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * train-convex with {@code --beta 0}: the minimum-norm interpolating ReLU network, the
 * equality-constrained program min sum_i (||v_i|| + ||w_i||) s.t. sum_i D_i X (v_i - w_i) = y
 * with the cone constraints (Pilanci and Ergen 2020, Theorem 1 as beta -&gt; 0), solved by
 * {@link MinimumNormInterpolation} on the driver with its certificate LB &lt;= R* &lt;= UB.
 * Writes the files of train-convex: {@code summary.json} (objective = UB, lowerBound = LB,
 * certified only when the bracket is within --tol at an interpolating feasible point),
 * {@code model.json} (beta 0), {@code preprocessing.json} and {@code history.csv} (one row per
 * beta of the squared-loss sequence behind the bracket).
 */
final class InterpolationRun {
  private static final Logger LOG = LogManager.getLogger(InterpolationRun.class);
  /** The program's name in summary.json. */
  static final String PROGRAM = "minimum-norm interpolation (beta = 0)";

  private InterpolationRun() {}

  /**
   * The options --beta 0 cannot be combined with, as one-line usage errors: the program is the
   * squared-loss ReLU one, solved once on the driver.
   */
  static void requireSupported(JobOptions opts, TrainingSpec spec) {
    String clash = !(spec.loss() instanceof SquaredLoss) ? "--loss " + opts.get("loss")
        : spec.formulation() != Formulation.RELU ? "--model " + opts.get("model")
        : PathRun.requested(opts) ? "a regularisation path"
        : spec.generation().enabled() ? "--generate-patterns"
        : spec.placement() == SolverChoice.Placement.DISTRIBUTED || spec.distributed().resume()
            ? "the distributed solver"
        : spec.certifyAll() == TrainingSpec.CertifyAll.TRUE ? "--certify-all true" : null;
    if (clash != null) {
      throw new UsageException("--beta 0 (the minimum-norm interpolating network) needs the "
          + "squared loss and --model relu, solved on the driver; it does not combine with "
          + clash);
    }
  }

  /** Reads the data on the driver, solves and returns the output files. */
  static ConvexRun.Trained train(JobContext job, JobOptions opts, TrainingSpec spec) {
    job.describe("cvxrelu: read data");
    DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
    ProblemSetup.Setup setup = ProblemSetup.of(spec, data.train(), data.test(),
        new PatternInputs(job.io()));
    LOG.info("minimum-norm interpolation: n={} d={} P={} (beta_max={})", setup.x().rows(),
        setup.x().cols(), setup.patterns().count(), setup.betaMax());
    job.describe("cvxrelu: solve (beta = 0)");
    long t0 = System.nanoTime();
    MinimumNormInterpolation.Result r = MinimumNormInterpolation.solve(setup.x(), setup.y(),
        setup.patterns(), spec.solverOptions(), spec.solverOptions().tolerance());
    double seconds = (System.nanoTime() - t0) * 1e-9;
    LOG.info("minimum-norm interpolation: R* in [{}, {}], {}", r.lowerBound(), r.upperBound(),
        r.status());
    ConvexReluModel model = new ConvexReluModel(Formulation.RELU, spec.loss().name(), 0.0,
        spec.bias(), r.patterns().gates(), r.weights());
    // The train-convex log line and exit path read a SolverResult: the bracket is its
    // certificate, CONVERGED only when certified.
    SolverResult result = new SolverResult(r.weights(), new Certificate(r.upperBound(),
        r.lowerBound(), r.relativeGap(), r.constraintViolation(), Double.NaN),
        r.certified() ? StopReason.CONVERGED : StopReason.MAX_ITERATIONS, List.of(),
        r.steps().size(), seconds, null);
    Map<String, String> files = new LinkedHashMap<>();
    files.put("summary.json", summary(spec, setup, data, model, r, seconds));
    files.put("model.json", ModelJson.write(model));
    files.put("history.csv", history(r));
    return new ConvexRun.Trained(ConvexOutputs.withPreprocessing(files, data.transform()),
        result, MinimumNormInterpolation.class.getSimpleName(), false);
  }

  private static String summary(TrainingSpec spec, ProblemSetup.Setup setup,
      DataLoader.Loaded data, ConvexReluModel model, MinimumNormInterpolation.Result r,
      double seconds) {
    ObjectNode s = SummaryJson.object();
    s.put("program", PROGRAM);
    SummaryJson.putFinite(s, "objective", r.upperBound());
    s.put("lowerBound", r.lowerBound());
    SummaryJson.putFinite(s, "relativeGap", r.relativeGap());
    s.put("residual", r.residual());
    s.put("constraintViolation", r.constraintViolation());
    s.put("neurons", model.network().width());
    s.put("patterns", model.patternCount());
    s.put("betaSteps", r.steps().size());
    s.put("lastBeta", r.beta());
    s.put("seconds", seconds);
    s.put("certified", r.certified());
    s.put("certification", r.certified() ? "certified" : "not certified (" + r.status() + ")");
    s.put("trainMse", Metrics.mse(model.predictDesign(setup.x()), setup.y()));
    if (data.test() != null && setup.yTest() != null) {
      s.put("testMse", Metrics.mse(model.predict(data.test().x()), setup.yTest()));
    }
    s.put("model", Formulation.RELU.id());
    s.put("loss", spec.loss().name());
    s.put("beta", 0.0);
    s.put("betaMax", setup.betaMax());
    s.put("bias", spec.bias());
    s.put("n", setup.x().rows());
    s.put("d", data.train().d());
    s.put("tolerance", spec.solverOptions().tolerance());
    s.put("solver", MinimumNormInterpolation.class.getSimpleName() + " over "
        + SolverChoice.algorithm(setup.problem()).getSimpleName());
    s.put("blas", Blas.backend());
    return SummaryJson.write(s);
  }

  private static String history(MinimumNormInterpolation.Result r) {
    StringBuilder sb = new StringBuilder(MinimumNormInterpolation.Step.CSV_HEADER).append('\n');
    for (MinimumNormInterpolation.Step step : r.steps()) {
      sb.append(step.csv()).append('\n');
    }
    return sb.toString();
  }
}
