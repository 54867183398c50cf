package io.cvxrelu.solver.generation;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.DualPatternSearch;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Dual-guided pattern generation (column generation) for the convex program. The program over
 * a subset of sign patterns is a restriction of the full one (Pilanci and Ergen 2020, eq. (8));
 * its optimal dual point lambda is feasible for the full dual exactly when no gate u has
 * |lambda^T (X u)_+| &gt; beta. Each round solves the current program, searches for such gates
 * with {@link DualPatternSearch} (started from the current gates, the current neurons and
 * random directions), adds the patterns of the most violating ones and warm-starts the next
 * solve. It stops when the search finds no violation, or at the round or time budget.
 *
 * <p>The objective never increases from round to round (the previous optimum stays feasible).
 * Where the arrangement can be enumerated the pricing is exact (every cell is checked, as in
 * {@link ArrangementCertificate}) and "no violation" is a proof of global optimality;
 * otherwise it is a search result.
 */
public final class ColumnGeneration {

  /**
   * Budgets of the generation loop.
   *
   * @param maxRounds solve-and-search rounds (the first solve counts as round 1)
   * @param randomStarts random unit directions added to the search's starts each round
   * @param searchSteps fixed-point ascent steps per start
   * @param maxAddedPerRound patterns added per round at most (the most violating first)
   * @param seed seed of the random starts
   * @param exactPricingSubsets when positive and the arrangement of the data can be enumerated
   *     within this budget (see {@link ArrangementEnumerator}), price every cell exactly (as
   *     {@link ArrangementCertificate} does) instead of searching; 0 always searches
   */
  public record Options(int maxRounds, int randomStarts, int searchSteps, int maxAddedPerRound,
      long seed, long exactPricingSubsets) {
    public static final Options DEFAULTS = new Options(20, 64, 30, 16, 1L, 100_000L);

    public Options {
      if (maxRounds < 1 || randomStarts < 0 || searchSteps < 0 || maxAddedPerRound < 1
          || exactPricingSubsets < 0) {
        throw new IllegalArgumentException("column generation budgets must be positive");
      }
    }
  }

  /**
   * One round of the loop.
   *
   * @param round 1-based round
   * @param patterns patterns in the program solved this round
   * @param added patterns added after it
   * @param objective convex objective of this round's solution
   * @param relativeGap its certificate against this round's program
   * @param largestViolation the largest |lambda^T (X u)_+| / beta found by the search (with the
   *     scaled, restricted-feasible lambda); at most 1 means no violation was found
   * @param seconds since the start
   */
  public record Round(int round, int patterns, int added, double objective, double relativeGap,
      double largestViolation, double seconds) {
    public static final String CSV_HEADER =
        "round,patterns,added,objective,relativeGap,largestViolation,seconds";

    public String toCsv() {
      return round + "," + patterns + "," + added + "," + objective + "," + relativeGap + ","
          + largestViolation + "," + seconds;
    }
  }

  /**
   * What the loop returns.
   *
   * @param problem the program of the last round (its patterns include every generated one)
   * @param solution that program's solution
   * @param rounds one entry per round
   * @param converged true when the last search found no violating gate
   */
  public record Result(ConvexReluProblem problem, SolverResult solution, List<Round> rounds,
      boolean converged) {}

  /**
   * Where the rounds' solves and the search's passes run: on this node ({@link #LOCAL}), or
   * over row blocks on a cluster (the Spark layer's implementation). The loop, the starts, the
   * pricing decisions and the pattern bookkeeping are the same for both.
   */
  public interface Backend {
    /** Solves a round's program from the warm start (null: from zero). */
    SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
        SolverOptions options, IterationListener listener);

    /**
     * The search's passes for the dual point lambda = -s grad L at the round's solution
     * (s the certificate's scale, so that lambda is feasible for the restricted dual).
     */
    DualPatternSearch.PassFunction passes(ConvexReluProblem problem, SolverResult result,
        double dualScale);
  }

  /**
   * Solves each round on this node with the solver {@code choice} picks for its program (the
   * training layer's rule, injected so that this package does not depend on it) and searches
   * over the rows in memory.
   */
  public static Backend local(Function<ConvexReluProblem, ConvexSolver> choice) {
    return new Backend() {
      @Override
      public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
          SolverOptions options, IterationListener listener) {
        return choice.apply(problem).solve(problem, warmStart, options, listener);
      }

      @Override
      public DualPatternSearch.PassFunction passes(ConvexReluProblem problem,
          SolverResult result, double dualScale) {
        double[] lambda = scaledDual(problem, result.weights(), dualScale);
        return (u, sign) -> DualPatternSearch.pass(problem.x(), lambda, sign, u);
      }
    };
  }

  private static final double[] PERTURBATIONS = {0.01, 0.03, 0.1, 0.3};

  private ColumnGeneration() {}

  /** Runs the loop from {@code initial}'s patterns with the given backend. */
  public static Result run(ConvexReluProblem initial, Options options,
      SolverOptions solverOptions, IterationListener listener, Backend backend) {
    long start = System.nanoTime();
    ConvexReluProblem problem = initial;
    DenseMatrix warm = null;
    List<Round> rounds = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(options.seed());
    SolverResult result = null;
    boolean converged = false;
    for (int round = 1; round <= options.maxRounds(); round++) {
      double left = solverOptions.maxSeconds() - (System.nanoTime() - start) * 1e-9;
      SolverOptions roundOptions = new SolverOptions(solverOptions.tolerance(),
          solverOptions.feasibilityTolerance(), solverOptions.maxIterations(),
          Math.max(left, 1e-3));
      result = backend.solve(problem, warm, roundOptions, listener);
      Certificate cert = result.certificate();
      double beta = problem.beta();
      List<double[]> violating = new ArrayList<>();
      double largest;
      SignPatterns cells = enumerable(problem, options.exactPricingSubsets());
      if (cells != null) {
        // Exact pricing: every cell's dual-constraint norm, most violated first (enumerable
        // data is small, so lambda is formed here whatever the backend).
        double[] lambda = scaledDual(problem, result.weights(), cert.dualScale());
        double[] norms = ArrangementCertificate.dualNorms(problem, lambda, cells);
        Integer[] order = new Integer[norms.length];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(norms[b], norms[a]));
        largest = norms.length == 0 ? 0.0 : norms[order[0]] / beta;
        for (int i : order) {
          if (norms[i] > beta * (1.0 + 1e-7) && violating.size() < 4 * options.maxAddedPerRound()) {
            violating.add(cells.gates().column(i));
          }
        }
      } else {
        DenseMatrix starts = starts(problem, result.weights(), options.randomStarts(), rng);
        List<DualPatternSearch.Candidate> found = DualPatternSearch.search(
            backend.passes(problem, result, cert.dualScale()), starts, options.searchSteps(),
            problem.formulation() == Formulation.GATED);
        largest = found.isEmpty() ? 0.0 : found.get(0).value() / beta;
        for (DualPatternSearch.Candidate c : found) {
          if (c.value() > beta * (1.0 + 1e-7)
              && violating.size() < 4 * options.maxAddedPerRound()) {
            violating.add(c.gate());
          }
        }
      }
      SignPatterns next = violating.isEmpty() ? problem.patterns()
          : extend(problem, violating, options.maxAddedPerRound());
      int added = next.count() - problem.patternCount();
      double seconds = (System.nanoTime() - start) * 1e-9;
      rounds.add(new Round(round, problem.patternCount(), added, cert.objective(),
          cert.relativeGap(), largest, seconds));
      if (added == 0) {
        converged = violating.isEmpty();
        break;
      }
      // The returned problem must be the one the returned solution solves: extend only when
      // another round will run.
      if (round == options.maxRounds() || seconds >= solverOptions.maxSeconds()) {
        break;
      }
      warm = extendWeights(problem, result.weights(), next.count());
      problem = new ConvexReluProblem(problem.x(), problem.y(), next, problem.loss(),
          problem.beta(), problem.formulation());
    }
    return new Result(problem, result, List.copyOf(rounds), converged);
  }

  /** All cells of the data's arrangement, or null when pricing is not exact. */
  private static SignPatterns enumerable(ConvexReluProblem problem, long maxSubsets) {
    if (maxSubsets <= 0) {
      return null;
    }
    try {
      return ArrangementEnumerator.enumerate(problem.x(), maxSubsets);
    } catch (IllegalArgumentException tooLarge) {
      return null;
    }
  }

  /** lambda = -grad L at the weights, times the certificate's scale (restricted-feasible). */
  private static double[] scaledDual(ConvexReluProblem problem, DenseMatrix weights, double s) {
    double[] pred = problem.predictWeights(weights);
    double[] g = new double[pred.length];
    problem.loss().valueAndGradient(pred, problem.y(), g);
    double[] lambda = new double[g.length];
    for (int k = 0; k < g.length; k++) {
      lambda[k] = -s * g[k];
    }
    return lambda;
  }

  /**
   * Current gates, current non-zero blocks, small perturbations of both (violating cells are
   * often thin neighbours of the current ones, which the fixed-point steps jump over), and
   * random unit directions, as columns.
   */
  private static DenseMatrix starts(ConvexReluProblem problem, DenseMatrix weights, int random,
      SplittableRandom rng) {
    int d = problem.d();
    DenseMatrix gates = problem.patterns().gates();
    List<double[]> cols = new ArrayList<>();
    for (int j = 0; j < gates.cols(); j++) {
      cols.add(gates.column(j));
    }
    for (int j = 0; j < weights.cols(); j++) {
      if (weights.columnNorm(j) > 0.0) {
        cols.add(weights.column(j));
      }
    }
    int anchors = cols.size();
    for (int a = 0; a < anchors; a++) {
      double[] base = cols.get(a);
      double nrm = 0.0;
      for (double v : base) {
        nrm += v * v;
      }
      nrm = Math.sqrt(nrm);
      for (double eps : PERTURBATIONS) {
        double[] u = base.clone();
        for (int k = 0; k < d; k++) {
          u[k] += eps * nrm * rng.nextGaussian();
        }
        cols.add(u);
      }
    }
    for (int r = 0; r < random; r++) {
      double[] u = new double[d];
      for (int k = 0; k < d; k++) {
        u[k] = rng.nextGaussian();
      }
      cols.add(u);
    }
    DenseMatrix out = new DenseMatrix(d, cols.size());
    for (int c = 0; c < cols.size(); c++) {
      System.arraycopy(cols.get(c), 0, out.data(), c * d, d);
    }
    return out;
  }

  /** The current patterns plus up to {@code max} new distinct ones, in order of violation. */
  private static SignPatterns extend(ConvexReluProblem problem, List<double[]> gates, int max) {
    DenseMatrix old = problem.patterns().gates();
    int d = old.rows();
    DenseMatrix all = new DenseMatrix(d, old.cols() + gates.size());
    System.arraycopy(old.data(), 0, all.data(), 0, old.data().length);
    for (int c = 0; c < gates.size(); c++) {
      System.arraycopy(gates.get(c), 0, all.data(), (old.cols() + c) * d, d);
    }
    SignPatterns merged = SignPatterns.fromGates(problem.x(), all);
    int keep = Math.min(merged.count(), problem.patternCount() + max);
    if (keep == merged.count()) {
      return merged;
    }
    return SignPatterns.fromGates(problem.x(), merged.gates().columns(0, keep));
  }

  /**
   * Weights of P patterns laid out for P' &gt;= P (the first P patterns unchanged, the new
   * blocks zero): [v_1..v_P, 0, w_1..w_P, 0] for ReLU.
   */
  public static DenseMatrix extendWeights(ConvexReluProblem problem, DenseMatrix b,
      int newCount) {
    int d = b.rows();
    int p = problem.patternCount();
    boolean relu = problem.formulation() == Formulation.RELU;
    DenseMatrix out = new DenseMatrix(d, relu ? 2 * newCount : newCount);
    System.arraycopy(b.data(), 0, out.data(), 0, d * p);
    if (relu) {
      System.arraycopy(b.data(), d * p, out.data(), d * newCount, d * p);
    }
    return out;
  }
}
