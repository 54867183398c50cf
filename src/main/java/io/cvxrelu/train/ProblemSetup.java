package io.cvxrelu.train;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Loss;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns labelled data and a {@link TrainingSpec} into the convex program of Pilanci and Ergen
 * (2020, eq. (8)): labels in the loss's canonical form, the design matrix (with the bias column
 * when asked), the sign patterns D_i, beta_max and beta. This is the one place those rules are
 * written; the jobs, the Spark ML estimators and the tools all set their problems up here, so
 * that the same options give the same program everywhere.
 *
 * <p>Errors: data that cannot make a program (labels the loss refuses, one class for a
 * classifier, gates of another dimension, no non-zero pattern, beta_max = 0) are
 * {@link DataFormatException}s; requests that cannot be met (an arrangement too large to
 * enumerate, patterns whose mask and solver cannot fit in memory, see {@link MemoryBudget}) are
 * {@link InvalidSpecException}s.
 */
public final class ProblemSetup {
  private static final Logger LOG = LogManager.getLogger(ProblemSetup.class);
  /** Enumeration budget (subsets of rows, see {@link ArrangementEnumerator}) of "all patterns". */
  public static final long MAX_ENUMERATION_SUBSETS = 5_000_000L;
  /**
   * Budget under which an arrangement counts as small: a certificate over all of its cells is
   * computed by default, and pattern generation prices every cell exactly.
   */
  public static final long SMALL_ARRANGEMENT_SUBSETS = 100_000L;
  /**
   * What "exact" means for an enumerated arrangement: {@link ArrangementEnumerator} decides
   * rank, ties and independence with fixed tolerances in whitened coordinates, so cells thinner
   * than these angles can be merged or missed. Reports that call an enumeration exact say so.
   */
  public static final String ENUMERATION_TOLERANCE = "up to the enumeration's tolerances (rank"
      + " and ties 1e-9, independence 1e-6, in whitened coordinates)";

  private ProblemSetup() {}

  /**
   * Reads the files a pattern spec names; the caller knows the file system (the jobs read
   * through Hadoop).
   */
  public interface PatternFiles {
    /** The gate vectors of {@code path}, one per row. */
    DenseMatrix gates(String path);

    /** The network of {@code path}, checked to have input dimension {@code dimension}. */
    ReluNetwork network(String path, int dimension);

    /** For specs that name no file. */
    PatternFiles NONE = new PatternFiles() {
      @Override
      public DenseMatrix gates(String path) {
        throw new InvalidSpecException("no gate files here: " + path);
      }

      @Override
      public ReluNetwork network(String path, int dimension) {
        throw new InvalidSpecException("no network files here: " + path);
      }
    };
  }

  /**
   * A program ready to solve.
   *
   * @param problem the convex program (design, canonical labels, patterns, loss, beta)
   * @param betaMax beta_max over the sampled, enumerated or given patterns (before the seed
   *     network's are added, so that beta matches a train-sgd run with the same options)
   * @param yTest the test labels in canonical form (null without test data)
   * @param seedNetwork the network whose neurons' patterns were added (null: none)
   */
  public record Setup(ConvexReluProblem problem, double betaMax, double[] yTest,
      ReluNetwork seedNetwork) {
    public DenseMatrix x() {
      return problem.x();
    }

    public double[] y() {
      return problem.y();
    }

    public SignPatterns patterns() {
      return problem.patterns();
    }

    public double beta() {
      return problem.beta();
    }
  }

  /**
   * The program of {@code spec} on {@code train} ({@code test}: null or its labels' source),
   * within this JVM's heap ({@link MemoryBudget.Limits#thisJvm}).
   */
  public static Setup of(TrainingSpec spec, LabeledData train, LabeledData test,
      PatternFiles files) {
    return of(spec, train, test, files, MemoryBudget.Limits.thisJvm());
  }

  /**
   * The program of {@code spec} on {@code train}; a pattern count whose mask, weights and solver
   * cannot fit {@code limits} is refused before any of it is allocated ({@link #affordable}).
   */
  public static Setup of(TrainingSpec spec, LabeledData train, LabeledData test,
      PatternFiles files, MemoryBudget.Limits limits) {
    Loss loss = spec.loss();
    double[] y = trainingLabels(loss, train.y());
    double[] yTest = test == null ? null : labels(loss, test.y(), "test data");
    DenseMatrix x = design(train.x(), spec.bias());
    TrainingSpec.Patterns p = affordable(spec, x.rows(), x.cols(), limits);
    SignPatterns patterns = p.gatesPath() != null
        ? fromGates(x, affordableGates(spec, x, files.gates(p.gatesPath()), limits),
            p.gatesPath(), spec.bias())
        : sampledOrEnumerated(x, p, spec.seed());
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
    double beta = beta(spec.beta(), spec.betaFraction(), betaMax);
    ReluNetwork seedNetwork = null;
    if (p.seedNetworkPath() != null) {
      seedNetwork = files.network(p.seedNetworkPath(), x.cols());
      patterns = withNeuronPatterns(x, seedNetwork, patterns);
    }
    return new Setup(new ConvexReluProblem(x, y, patterns, loss, beta, spec.formulation()),
        betaMax, yTest, seedNetwork);
  }

  /**
   * The pattern request of {@code spec} for n rows and d design columns when its memory fits
   * {@code limits} ({@link MemoryBudget#requireFits}, solved where {@code spec} places it).
   * Sampling can return no more distinct patterns than the arrangement has cells
   * ({@link MemoryBudget#cellBound}); a count beyond that which would not fit is lowered to it,
   * with a log line, since the lowered request samples every pattern the larger one could. A
   * request that fits is left as asked, so its draws (and results) do not change. Otherwise an
   * {@link InvalidSpecException} names the estimate and the limit.
   */
  public static TrainingSpec.Patterns affordable(TrainingSpec spec, int n, int d,
      MemoryBudget.Limits limits) {
    TrainingSpec.Patterns p = spec.patterns();
    if (p.all() || p.gatesPath() != null || fits(spec, n, d, p.count(), limits)) {
      return p;
    }
    int cells = (int) MemoryBudget.cellBound(n, d, Integer.MAX_VALUE);
    if (cells < p.count() && fits(spec, n, d, cells, limits)) {
      LOG.info("--patterns {} lowered to {}: n = {} rows in d = {} dimensions have at most {}"
          + " sign patterns", p.count(), cells, n, d, cells);
      return new TrainingSpec.Patterns(cells, false, null, p.seedNetworkPath());
    }
    String lowered = cells < p.count() ? "n = " + n + " rows in d = " + d + " dimensions have at"
        + " most " + cells + " sign patterns, and " : "";
    throw new InvalidSpecException(lowered + MemoryBudget.shortfall(request(spec, n, d,
        Math.min(cells, p.count())), placedDistributed(spec, n), limits));
  }

  private static DenseMatrix affordableGates(TrainingSpec spec, DenseMatrix x, DenseMatrix gates,
      MemoryBudget.Limits limits) {
    MemoryBudget.requireFits(request(spec, x.rows(), x.cols(), gates.rows()),
        placedDistributed(spec, x.rows()), limits);
    return gates;
  }

  private static boolean fits(TrainingSpec spec, int n, int d, long p,
      MemoryBudget.Limits limits) {
    return MemoryBudget.shortfall(request(spec, n, d, p), placedDistributed(spec, n),
        limits) == null;
  }

  private static MemoryBudget.Request request(TrainingSpec spec, int n, int d, long p) {
    return new MemoryBudget.Request(n, d, p, spec.formulation(), spec.loss(),
        spec.distributed().partitions());
  }

  /**
   * Where {@code spec} will be solved as far as the data tell: distributed when asked or
   * resuming, local when asked; with --solver auto, distributed from
   * {@link SolverChoice#AUTO_DISTRIBUTED_ROWS} rows, else undecided (null), since the master
   * also decides ({@link SolverChoice#of}).
   */
  private static Boolean placedDistributed(TrainingSpec spec, int n) {
    if (spec.distributed().resume() || spec.placement() == SolverChoice.Placement.DISTRIBUTED) {
      return true;
    }
    if (spec.placement() == SolverChoice.Placement.LOCAL) {
      return false;
    }
    return n >= SolverChoice.AUTO_DISTRIBUTED_ROWS ? true : null;
  }

  /**
   * Training labels in the loss's canonical form (+-1 for a classifier). A classifier needs both
   * classes: with one the logistic loss has no finite minimiser without the regulariser and the
   * model is trivial. (A test set may hold a single class.)
   */
  public static double[] trainingLabels(Loss loss, double[] y) {
    double[] canonical = labels(loss, y, "training data");
    if (loss.isClassification()) {
      requireBothClasses(canonical);
    }
    return canonical;
  }

  /** Labels in the loss's canonical form; {@code what} names them in the error. */
  public static double[] labels(Loss loss, double[] y, String what) {
    try {
      return loss.canonicalLabels(y);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(what + ": " + e.getMessage());
    }
  }

  private static void requireBothClasses(double[] y) {
    boolean positive = false;
    boolean negative = false;
    for (double v : y) {
      positive |= v > 0;
      negative |= v < 0;
    }
    if (!(positive && negative)) {
      throw new DataFormatException("training data: only one class present (all labels "
          + (positive ? "positive" : "negative") + "); a classifier needs both");
    }
  }

  /** The design matrix: the features, with a column of ones appended when {@code bias}. */
  public static DenseMatrix design(DenseMatrix features, boolean bias) {
    return bias ? features.withOnesColumn() : features;
  }

  /**
   * Gates drawn at most while looking for {@code count} distinct non-zero patterns: duplicates
   * and all-zero patterns are redrawn, within this budget.
   */
  public static int samplingBudget(int count) {
    return (int) Math.min(Integer.MAX_VALUE, 50L * count + 1000);
  }

  /** {@code count} sampled gates g ~ N(0, I) (Remark 3.3), never empty. */
  public static SignPatterns sampled(DenseMatrix x, int count, long seed) {
    return requirePatterns(SignPatterns.sample(x, count, seed, samplingBudget(count)));
  }

  /**
   * Every cell of the arrangement, {@link #ENUMERATION_TOLERANCE}; an arrangement beyond
   * {@link #MAX_ENUMERATION_SUBSETS} is an {@link InvalidSpecException}.
   */
  public static SignPatterns enumerated(DenseMatrix x) {
    SignPatterns patterns;
    try {
      patterns = ArrangementEnumerator.enumerate(x, MAX_ENUMERATION_SUBSETS);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException(e.getMessage());
    }
    return requirePatterns(patterns);
  }

  /** The patterns of a spec without a gate file: every cell, or {@code count} sampled. */
  public static SignPatterns sampledOrEnumerated(DenseMatrix x, TrainingSpec.Patterns p,
      long seed) {
    return p.all() ? enumerated(x) : sampled(x, p.count(), seed);
  }

  /**
   * The patterns of given gates (one per row of {@code gates}); their dimension must be the
   * design's, bias column included.
   */
  public static SignPatterns fromGates(DenseMatrix x, DenseMatrix gates, String source,
      boolean bias) {
    if (gates.cols() != x.cols()) {
      throw new DataFormatException("gates in " + source + " have dimension " + gates.cols()
          + " but the design has " + x.cols() + " columns" + (bias ? " (features plus bias)"
              : ""));
    }
    return requirePatterns(SignPatterns.fromGates(x, gates.transpose()));
  }

  private static SignPatterns requirePatterns(SignPatterns patterns) {
    if (patterns.count() == 0) {
      throw new DataFormatException("no non-zero sign pattern: every gate is inactive on all "
          + "rows");
    }
    return patterns;
  }

  /**
   * The neurons' patterns 1[X u_j &gt; 0] first, then the others. Each neuron (u_j, alpha_j) is a
   * feasible block of its own pattern (v = u_j |alpha_j| for alpha_j &gt; 0, w for alpha_j &lt; 0),
   * so the convex optimum over these patterns is at most the network's objective.
   */
  public static SignPatterns withNeuronPatterns(DenseMatrix x, ReluNetwork net,
      SignPatterns others) {
    DenseMatrix u = net.hidden();
    DenseMatrix g = others.gates();
    DenseMatrix all = new DenseMatrix(x.cols(), u.cols() + g.cols());
    System.arraycopy(u.data(), 0, all.data(), 0, u.data().length);
    System.arraycopy(g.data(), 0, all.data(), u.data().length, g.data().length);
    return SignPatterns.fromGates(x, all);
  }

  /** beta itself when given, else {@code fraction * betaMax}; it must be positive. */
  public static double beta(Double beta, double fraction, double betaMax) {
    double b = beta != null ? beta : fraction * betaMax;
    if (!(b > 0.0)) {
      throw new DataFormatException("beta_max is 0 (all labels zero?): give beta explicitly");
    }
    return b;
  }

  /**
   * beta_max over the patterns of {@code p} (sampled or enumerated), exactly as {@link #of}
   * computes it: what a run that only needs beta (SGD) uses to match a convex run.
   */
  public static double betaMax(DenseMatrix x, double[] y, Loss loss, TrainingSpec.Patterns p,
      long seed) {
    return ConvexReluProblem.betaMax(x, y, sampledOrEnumerated(x, p, seed), loss);
  }
}
