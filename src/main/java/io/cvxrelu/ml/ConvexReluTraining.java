package io.cvxrelu.ml;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
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
   * column-major matrix, sets the problem up with {@link ProblemSetup} (P sampled gates
   * g ~ N(0, I) with the seed, beta, as {@code TrainConvexJob} does, so both give the same
   * model on the same rows), and runs the single-node solver {@link SolverChoice#local} on the
   * convex program of Pilanci and Ergen (2020, eq. (8); the gated variant without cone
   * constraints).
   *
   * <p>This is not distributed: the training set must fit in driver memory (n x d doubles
   * plus the solver's n x P work arrays). It is the single method to replace with a
   * distributed trainer over row blocks; the estimators call nothing else.
   *
   * @throws IllegalArgumentException for labels other than 0/1 in classification, a single
   *     class, or data that make no program (no non-zero pattern, beta_max = 0)
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
    SolverOptions options = new SolverOptions(s.tolerance(),
        SolverOptions.DEFAULTS.feasibilityTolerance(), s.maxIterations(), s.maxSeconds());
    TrainingSpec spec = TrainingSpec.onDriver(s.formulation(), loss, s.beta(),
        s.betaFraction(), TrainingSpec.Patterns.sampled(s.patterns()), s.seed(), s.bias(),
        options);
    ProblemSetup.Setup setup;
    try {
      setup = ProblemSetup.of(spec, rows, null, ProblemSetup.PatternFiles.NONE);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    ConvexReluProblem problem = setup.problem();
    ConvexSolver solver = SolverChoice.local(problem);
    SolverResult result = solver.solve(problem, null, options, IterationListener.NONE);
    ConvexReluModel model = new ConvexReluModel(s.formulation(), loss.name(), setup.beta(),
        s.bias(), setup.patterns().gates(), result.weights());
    return new Fit(model, TrainingSummary.of(result, problem, options, setup.betaMax(),
        solver.getClass().getSimpleName()));
  }
}
