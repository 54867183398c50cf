package io.cvxrelu.ml;

import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.DistributedInput;
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
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.solver.distributed.DistributedSetup;
import io.cvxrelu.solver.distributed.DistributedTraining;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import org.apache.spark.sql.Dataset;

/**
 * How the Spark ML estimators fit: the one place that decides where the solver runs, on the
 * driver or over row blocks on the executors.
 */
final class ConvexReluTraining {
  private ConvexReluTraining() {}

  /**
   * Training settings, as the estimators' params give them.
   *
   * @param beta beta itself, or null for {@code betaFraction * beta_max}
   */
  record Settings(Formulation formulation, Double beta, double betaFraction, int patterns,
      long seed, boolean bias, double tolerance, int maxIterations, double maxSeconds,
      SolverChoice.Placement placement) {

    SolverOptions options() {
      return new SolverOptions(tolerance, SolverOptions.DEFAULTS.feasibilityTolerance(),
          maxIterations, maxSeconds);
    }

    TrainingSpec spec(Loss loss, SolverChoice.Placement where) {
      return new TrainingSpec(formulation, loss, beta, betaFraction,
          TrainingSpec.Patterns.sampled(patterns), seed, bias, options(), where,
          TrainingSpec.Distributed.DEFAULTS, TrainingSpec.Generation.NONE,
          TrainingSpec.CertifyAll.FALSE);
    }
  }

  /** A fitted model with the solver's certificate. */
  record Fit(ConvexReluModel model, TrainingSummary summary) {}

  /**
   * Fits where the settings say: {@code local} on the driver ({@link #fitOnDriver}),
   * {@code distributed} over row blocks on the executors ({@link #fitOnExecutors}), and
   * {@code auto} as train-convex decides ({@link SolverChoice#of}): on the executors on a
   * cluster master or from {@link SolverChoice#AUTO_DISTRIBUTED_ROWS} rows.
   */
  static Fit fit(Dataset<?> data, String featuresCol, String labelCol, Loss loss, Settings s) {
    TrainingSpec spec = s.spec(loss, s.placement());
    String master = data.sparkSession().sparkContext().master();
    boolean distributed = SolverChoice.distributedForAnyRows(spec, master)
        || s.placement() == SolverChoice.Placement.AUTO
        && SolverChoice.of(spec, master, (int) Math.min(Integer.MAX_VALUE, data.count()))
            .distributed();
    return distributed ? fitOnExecutors(data, featuresCol, labelCol, loss, s)
        : fitOnDriver(data, featuresCol, labelCol, loss, s);
  }

  /**
   * Fits over row blocks: the (features, label) rows are blocked on the executors
   * ({@link DistributedInput#fromDataset}), the program is set up there
   * ({@link DistributedSetup}: the same gates, beta_max and beta as {@link ProblemSetup} on the
   * same rows) and solved by the distributed solver train-convex uses. The driver holds the
   * gates and the weights, never a row.
   *
   * @throws IllegalArgumentException as {@link #fitOnDriver}
   */
  static Fit fitOnExecutors(Dataset<?> data, String featuresCol, String labelCol, Loss loss,
      Settings s) {
    SolverOptions options = s.options();
    TrainingSpec spec = s.spec(loss, SolverChoice.Placement.DISTRIBUTED);
    try (BlockedDataset rows = DistributedInput.fromDataset(data, featuresCol, labelCol,
            "training data", DistributedData.DEFAULT_BLOCK_ROWS)) {
      if (loss.isClassification()) {
        for (double label : DistributedData.labelSet(rows.blocks())) {
          requireClassIndex(label);
        }
      }
      try (DistributedSetup.Setup setup = DistributedSetup.of(spec, rows,
          ProblemSetup.PatternFiles.NONE)) {
        DistributedProblem problem = new DistributedProblem(setup.data(), loss, setup.beta(),
            s.formulation(), DistributedProblem.autoPatternBlocks(setup.data().d(),
                setup.patternCount(), s.formulation()));
        DistributedTraining.Outcome o = DistributedTraining.solve(problem, options,
            IterationListener.NONE, null, false);
        ConvexReluModel model = new ConvexReluModel(s.formulation(), loss.name(), setup.beta(),
            s.bias(), setup.gates(), o.result().weights());
        return new Fit(model, TrainingSummary.of(o.result(), options, problem.n(),
            setup.patternCount(), setup.beta(), setup.betaMax(), problem.largestLabel(),
            o.solverName()));
      }
    } catch (DataFormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static void requireClassIndex(double label) {
    if (label != 0.0 && label != 1.0) {
      throw new IllegalArgumentException("binary classification needs labels 0 and 1 (Spark ML"
          + " class indices), found " + label);
    }
  }

  /**
   * Fits on the driver: collects the (features, label) rows of {@code data} into one
   * column-major matrix, sets the problem up with {@link ProblemSetup} (P sampled gates
   * g ~ N(0, I) with the seed, beta, as {@code TrainConvexJob} does, so both give the same
   * model on the same rows), and runs the single-node solver {@link SolverChoice#local} on the
   * convex program of Pilanci and Ergen (2020, eq. (8); the gated variant without cone
   * constraints).
   *
   * <p>The training set must fit in driver memory (n x d doubles plus the solver's n x P work
   * arrays): {@link #fit} sends large data to {@link #fitOnExecutors} instead.
   *
   * @throws IllegalArgumentException for labels other than 0/1 in classification, a single
   *     class, or data that make no program (no non-zero pattern, beta_max = 0)
   */
  static Fit fitOnDriver(Dataset<?> data, String featuresCol, String labelCol, Loss loss,
      Settings s) {
    LabeledData rows = CollectedData.collect(data, featuresCol, labelCol, "training data");
    if (loss.isClassification()) {
      for (double label : rows.y()) {
        requireClassIndex(label);
      }
    }
    SolverOptions options = s.options();
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
        SolverChoice.algorithm(problem).getSimpleName()));
  }
}
