package io.cvxrelu.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.spline.SplineFit;
import io.cvxrelu.spline.SplineLasso;
import io.cvxrelu.spline.SplineLassoSolver;
import io.cvxrelu.spline.SplineNetwork;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code train-convex --bias free}: the two-layer ReLU network with its hidden biases and an
 * output intercept outside the weight decay, f(x) = c + sum_j alpha_j (u_j x + b_j)_+ with
 * penalty beta/2 sum_j (u_j^2 + alpha_j^2). The bias coordinate then leaves the group norm of
 * the convex program (Pilanci and Ergen 2020, eq. (8)), and its dual gains one equality per
 * pattern. For 1-D data the program is exactly the Lasso over the ramps at the data points with
 * a free intercept (the 1-D spline corollary, Ergen and Pilanci 2021; {@link SplineLasso}),
 * which is solved and certified here over every pattern of the arrangement at once; for d &gt; 1
 * the option is a usage error, since no solver here certifies the equality-constrained dual.
 * Writes summary.json (the certificate, the kinks and the intercept), model.json (the network
 * as a model over [x, 1], which predict.sh scores), preprocessing.json and history.csv.
 */
final class FreeBiasRun {
  private static final Logger LOG = LogManager.getLogger(FreeBiasRun.class);
  /** The word of {@code --bias free}. */
  static final String FREE = "free";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FreeBiasRun() {}

  /** Whether the options ask for free biases. */
  static boolean requested(JobOptions opts) {
    return FREE.equals(opts.flagWord("bias"));
  }

  /** The options --bias free does not combine with, as one-line usage errors. */
  static void requireSupported(JobOptions opts, TrainingSpec spec) {
    String clash = !(spec.loss() instanceof SquaredLoss) ? "--loss " + opts.get("loss")
        : spec.formulation() != Formulation.RELU ? "--model " + opts.get("model")
        : TrainingSpecs.interpolates(opts) ? "--beta 0"
        : PathRun.requested(opts) ? "a regularisation path"
        : spec.generation().enabled() ? "--generate-patterns"
        : spec.patterns().seedNetworkPath() != null ? "--patterns-from"
        : spec.placement() == SolverChoice.Placement.DISTRIBUTED || spec.distributed().resume()
            ? "the distributed solver" : null;
    if (clash != null) {
      throw new UsageException("--bias free (the linear-spline program of 1-D data) needs the "
          + "squared loss and --model relu, solved on the driver; it does not combine with "
          + clash);
    }
  }

  /** Reads the data on the driver, solves the spline program and returns the output files. */
  static ConvexRun.Trained train(JobContext job, JobOptions opts, TrainingSpec spec) {
    job.describe("cvxrelu: read data");
    DataLoader.Loaded data = DataLoader.load(job.spark(), job.io(), opts);
    LabeledData train = data.train();
    if (train.d() != 1) {
      throw new UsageException("--bias free is exact for 1-D inputs (every sign pattern is a "
          + "kink at a data point); the training data have d = " + train.d() + " features");
    }
    double[] x = train.x().column(0);
    double[] y = train.y();
    double betaMax = SplineLasso.atDataPoints(x, y, 1.0).betaMax();
    double beta = spec.beta() != null ? spec.beta() : spec.betaFraction() * betaMax;
    if (!(beta > 0.0)) {
      throw new UsageException("beta_max is 0 (the labels are constant): no beta to scale");
    }
    SplineLasso program = SplineLasso.atDataPoints(x, y, beta);
    LOG.info("free biases: n={} kinks={} beta={} (beta_max={})", program.n(),
        program.kinks().length, beta, betaMax);
    job.describe("cvxrelu: solve (free biases, 1-D)");
    long t0 = System.nanoTime();
    SplineFit fit = new SplineLassoSolver(spec.solverOptions().tolerance(),
        spec.solverOptions().maxIterations()).solve(program);
    double seconds = (System.nanoTime() - t0) * 1e-9;
    SplineNetwork net = SplineNetwork.recover(program, fit);
    ConvexReluModel model = net.toModel(beta);
    Certificate cert = new Certificate(fit.objective(), fit.dual(), fit.relativeGap(), 0.0,
        Double.NaN);
    IterationRecord rec = new IterationRecord((int) fit.sweeps(), fit.sweeps(), fit.objective(),
        fit.dual(), fit.relativeGap(), 0.0, seconds);
    SolverResult result = new SolverResult(model.weights(), cert, fit.stopReason(),
        List.of(rec), fit.sweeps(), seconds, null);
    String solver = SplineLassoSolver.class.getSimpleName();
    Map<String, String> files = ConvexOutputs.files(spec, model, result, solver,
        fitOf(model, net, program, data.test(), betaMax));
    files.put("summary.json", withSpline(files.get("summary.json"), net));
    return new ConvexRun.Trained(ConvexOutputs.withPreprocessing(files, data.transform()),
        result, solver, false);
  }

  /** What summary.json says about the fit: metrics from the model, J from the network. */
  private static ConvexOutputs.Fit fitOf(ConvexReluModel model, SplineNetwork net,
      SplineLasso program, LabeledData test, double betaMax) {
    double[] y = program.y();
    double[] pred = model.predict(new io.cvxrelu.linalg.DenseMatrix(program.n(), 1,
        program.x()));
    boolean classification = Metrics.isPlusMinusOne(y);
    Double testFit = null;
    if (test != null) {
      double[] predTest = model.predict(test.x());
      testFit = classification ? (Metrics.isPlusMinusOne(test.y())
          ? Metrics.accuracy(predTest, test.y()) : null) : Metrics.mse(predTest, test.y());
    }
    return new ConvexOutputs.Fit(program.n(), 1, betaMax, Certification.labelScale(y),
        net.objective(program.x(), y, program.beta()), classification,
        classification ? Metrics.accuracy(pred, y) : Metrics.mse(pred, y), testFit);
  }

  /** summary.json with the bias mode, the kinks and the intercept. */
  private static String withSpline(String summary, SplineNetwork net) {
    try {
      ObjectNode s = (ObjectNode) MAPPER.readTree(summary);
      s.put("bias", FREE);
      s.put("intercept", net.intercept());
      s.set("kinks", MAPPER.valueToTree(net.kinks()));
      return SummaryJson.write(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
