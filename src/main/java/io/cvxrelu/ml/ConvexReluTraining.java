package io.cvxrelu.ml;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import org.apache.spark.sql.Dataset;

/** How the Spark ML estimators fit: the one place that decides where the solver runs. */
final class ConvexReluTraining {
  private ConvexReluTraining() {}

  /**
   * Training settings, as the estimators' params give them.
   *
   * @param beta beta itself, or null for {@code betaFraction * beta_max}
   */
  record Settings(Formulation formulation, Double beta, double betaFraction, int patterns,
      long seed, boolean bias, double tolerance, int maxIterations, double maxSeconds) {}

  /** A fitted model with the solver's certificate. */
  record Fit(ConvexReluModel model, TrainingSummary summary) {}

  /**
   * Fits on the driver: collects the (features, label) rows of {@code data} into one
   * column-major matrix, samples P gates g ~ N(0, I) with the seed (exactly as
   * {@code TrainConvexJob} does, so both give the same model on the same rows), sets beta, and
   * runs the single-node solver {@link ConvexSolver#forProblem} on the convex program of
   * Pilanci and Ergen (2020, eq. (8); the gated variant without cone constraints).
   *
   * <p>This is not distributed: the training set must fit in driver memory (n x d doubles
   * plus the solver's n x P work arrays). It is the single method to replace with a
   * distributed trainer over row blocks; the estimators call nothing else.
   */
  static Fit fitOnDriver(Dataset<?> data, String featuresCol, String labelCol, Loss loss,
      Settings s) {
    LabeledData rows = CollectedData.collect(data, featuresCol, labelCol, "training data");
    if (loss.isClassification()) {
      for (double label : rows.y()) {
        if (label != 0.0 && label != 1.0) {
          throw new IllegalArgumentException("binary classification needs labels 0 and 1 (Spark ML"
              + " class indices), found " + label);
        }
      }
    }
    double[] y = loss.canonicalLabels(rows.y());
    DenseMatrix x = s.bias() ? rows.x().withOnesColumn() : rows.x();
    SignPatterns patterns = SignPatterns.sample(x, s.patterns(), s.seed(),
        50 * s.patterns() + 1000);
    if (patterns.count() == 0) {
      throw new IllegalArgumentException(
          "no non-zero sign pattern: every sampled gate is inactive on all rows");
    }
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
    double beta = s.beta() != null ? s.beta() : s.betaFraction() * betaMax;
    if (!(beta > 0.0)) {
      throw new IllegalArgumentException("beta_max is 0 (all labels zero?): set beta explicitly");
    }
    ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, beta,
        s.formulation());
    ConvexSolver solver = ConvexSolver.forProblem(problem);
    SolverOptions options = new SolverOptions(s.tolerance(),
        SolverOptions.DEFAULTS.feasibilityTolerance(), s.maxIterations(), s.maxSeconds());
    SolverResult result = solver.solve(problem, null, options, IterationListener.NONE);
    ConvexReluModel model = new ConvexReluModel(s.formulation(), loss.name(), beta, s.bias(),
        patterns.gates(), result.weights());
    return new Fit(model, TrainingSummary.of(result, problem, betaMax,
        solver.getClass().getSimpleName()));
  }
}
