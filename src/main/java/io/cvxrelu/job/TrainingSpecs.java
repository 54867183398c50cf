package io.cvxrelu.job;

import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import java.util.function.Supplier;

/**
 * Turns the jobs' options into {@link TrainingSpec}s and SGD settings. Only the syntax of the
 * options is read here (a number, a name); whether the settings make sense together is checked
 * by the spec itself.
 */
final class TrainingSpecs {
  private TrainingSpecs() {}

  /** Declares the SGD options train-sgd and compare share (not the width, which differs). */
  static JobOptions declareSgdOptions(JobOptions opts) {
    return opts
        .option("inits", "5", "SGD: random initialisations (parallel Spark tasks)")
        .option("epochs", "30", "SGD: passes over the training data")
        .option("batch-size", "100", "SGD: rows per mini-batch")
        .option("lr", "0.001", "SGD: learning rate on the per-sample objective F/n")
        .option("optimizer", "sgd", "SGD: sgd (momentum) | adam")
        .option("momentum", "0.9", "SGD: momentum for --optimizer sgd");
  }

  /** Every option of train-convex. */
  static TrainingSpec convex(JobOptions opts) {
    return new TrainingSpec(formulation(opts), loss(opts), interpolates(opts) ? null : beta(opts),
        opts.positiveDouble("beta-frac"), new TrainingSpec.Patterns(patternCount(opts),
            allPatterns(opts), opts.get("gates"), opts.get("patterns-from")),
        opts.anyLong("seed"), opts.flagSet("bias"), solverOptions(opts),
        SolverChoice.Placement.parse(opts.get("solver")),
        new TrainingSpec.Distributed(opts.anyLong("partitions"),
            TrainingSpec.Distributed.parsePatternBlocks(opts.get("pattern-blocks")),
            opts.anyLong("checkpoint-every"), opts.flagSet("resume")),
        new TrainingSpec.Generation(opts.flagSet("generate-patterns"),
            (int) Math.min(TrainingSpec.Generation.MAX_ROUNDS,
                opts.positiveLong("generate-rounds"))),
        TrainingSpec.CertifyAll.parse(opts.get("certify-all")));
  }

  /** The convex program of compare: sampled or enumerated patterns, solved on the driver. */
  static TrainingSpec onDriver(JobOptions opts) {
    return TrainingSpec.onDriver(formulation(opts), loss(opts), beta(opts),
        opts.positiveDouble("beta-frac"), patterns(opts), opts.anyLong("seed"),
        opts.flagSet("bias"), solverOptions(opts));
  }

  /** The SGD settings of width {@code neurons} from the options of {@link #declareSgdOptions}. */
  static SgdOptions sgd(JobOptions opts, int neurons) {
    Optimizer optimizer = parse(() -> Optimizer.parse(opts.get("optimizer")));
    try {
      return new SgdOptions(neurons,
          (int) Math.min(1_000_000, opts.positiveLong("epochs")),
          (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("batch-size")),
          opts.positiveDouble("lr"), optimizer, Double.parseDouble(opts.require("momentum")),
          opts.anyLong("seed"));
    } catch (NumberFormatException e) {
      throw new UsageException("--momentum must be a number, got '" + opts.get("momentum") + "'");
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** --inits: initialisations per width. */
  static int inits(JobOptions opts) {
    return (int) Math.min(10_000, opts.positiveLong("inits"));
  }

  static Formulation formulation(JobOptions opts) {
    return parse(() -> Formulation.parse(opts.get("model")));
  }

  static Loss loss(JobOptions opts) {
    return parse(() -> Loss.forName(opts.get("loss")));
  }

  /** --beta, or null for a fraction of beta_max. */
  static Double beta(JobOptions opts) {
    return opts.get("beta") != null ? opts.positiveDouble("beta") : null;
  }

  /**
   * Whether --beta is 0: train-convex then solves the minimum-norm interpolation program
   * (InterpolationRun), and the spec's own beta is unused.
   */
  static boolean interpolates(JobOptions opts) {
    String b = opts.get("beta");
    try {
      return b != null && Double.parseDouble(b) == 0.0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** --patterns: sampled (a count) or all. */
  static TrainingSpec.Patterns patterns(JobOptions opts) {
    return new TrainingSpec.Patterns(patternCount(opts), allPatterns(opts), null, null);
  }

  private static boolean allPatterns(JobOptions opts) {
    return opts.get("patterns").equals("all");
  }

  private static int patternCount(JobOptions opts) {
    return allPatterns(opts) ? 0
        : (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("patterns"));
  }

  static SolverOptions solverOptions(JobOptions opts) {
    return new SolverOptions(opts.positiveDouble("tol"),
        SolverOptions.DEFAULTS.feasibilityTolerance(), opts.positiveLong("max-iter"),
        opts.positiveDouble("max-seconds"));
  }

  /** A value parsed by a library (which throws IllegalArgumentException): a usage error. */
  static <T> T parse(Supplier<T> s) {
    return parse("", s);
  }

  /** As {@link #parse(Supplier)}, the message after {@code prefix} (the option's name). */
  static <T> T parse(String prefix, Supplier<T> s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(prefix + e.getMessage());
    }
  }
}
