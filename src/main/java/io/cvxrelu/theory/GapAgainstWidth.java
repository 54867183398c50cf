package io.cvxrelu.theory;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.SgdTrainer;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.SolverChoice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The gap between SGD on a width-m two-layer ReLU network and the certified global optimum F*,
 * against m (survey seed, section 3, width and multi-branch networks). Every sign pattern of the
 * data is enumerated, so the convex ReLU program (Pilanci and Ergen 2020, eq. (8)) solved to a
 * certified gap has an optimum F* that no network of any width can beat:
 *
 * <pre>
 *   F(U, alpha) = 1/2 ||sum_j (X u_j)_+ alpha_j - y||^2 + beta/2 sum_j (||u_j||^2 + alpha_j^2)
 *              &gt;= F* &gt;= LB   for every width m,
 * </pre>
 *
 * since every network maps to a feasible point of the convex program with an objective no
 * larger (its balanced rescaling, Theorem 1 there), and LB is the certificate's dual bound. So
 * the relative gap (F_SGD(m) - F*) / F* is never below -(F* - LB) / F*, minus the certificate's
 * relative gap, which {@link Result#runsBelowLowerBound} counts. Conversely, the network
 * recovered from the convex solution (one neuron per non-zero block, Theorem 1) has m* neurons
 * and objective F*; padded with zero neurons it is a width-m network at F* for every m &gt;= m*,
 * which {@link WidthRow#recoveredObjective} measures with the SGD trainer's own objective (an
 * independent code path).
 *
 * <p>Which m SGD needs to reach F* is what the experiment measures: the trainer
 * ({@link SgdTrainer}) runs from {@code inits} initialisations at each width, and the best and
 * median final objectives are compared with F*.
 */
public final class GapAgainstWidth {
  /** Blocks below this fraction of the largest block norm count as zero (solver round-off). */
  public static final double ACTIVE_BLOCK = 1e-6;
  /** Widths tried at most when they are chosen from m* (all integers 1 .. 4 m* up to this). */
  public static final int MAX_AUTO_WIDTHS = 40;

  private GapAgainstWidth() {}

  /**
   * What to run.
   *
   * @param betaFraction beta as a fraction of beta_max (over the enumerated patterns)
   * @param widths SGD widths (null: every integer from 1 to 4 m*, thinned to
   *     {@link #MAX_AUTO_WIDTHS} log-spaced ones when 4 m* is larger)
   * @param inits SGD initialisations per width (init k is seeded by {@code sgd.seed() + k})
   * @param enumerationBudget subsets of rows the enumeration may visit
   */
  public record Settings(double betaFraction, SolverOptions solver, int[] widths, int inits,
      SgdOptions sgd, long enumerationBudget) {
    public Settings {
      if (!(betaFraction > 0.0) || !Double.isFinite(betaFraction) || inits < 1) {
        throw new IllegalArgumentException("need beta fraction > 0 and inits >= 1");
      }
    }
  }

  /**
   * One width.
   *
   * @param objectives the final SGD objective of each initialisation
   * @param recoveredObjective objective of the recovered network padded to width m (NaN for
   *     m &lt; m*)
   */
  public record WidthRow(int width, double[] objectives, double recoveredObjective) {
    public double best() {
      return Arrays.stream(objectives).min().orElse(Double.NaN);
    }

    public double median() {
      double[] s = objectives.clone();
      Arrays.sort(s);
      int h = s.length / 2;
      return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
    }
  }

  /**
   * The outcome.
   *
   * @param optimum F*, the convex objective at the solution
   * @param lowerBound the certificate's dual bound LB
   * @param certification whether F* is certified (stop reason, gap, cone violation)
   * @param neurons m*, the active blocks of the solution
   * @param recoveredAtOptimum objective of the recovered network itself (width m*)
   * @param solverName the convex solver's class
   */
  public record Result(int n, int d, int patterns, double beta, double betaMax, double optimum,
      double lowerBound, Certification certification, int neurons, double recoveredAtOptimum,
      String solverName, double convexSeconds, List<WidthRow> rows, double sgdSeconds) {

    /** The certificate's relative gap (F* - LB) / F*. */
    public double certificateGap() {
      return (optimum - lowerBound) / optimum;
    }

    /** (F - F*) / F*. */
    public double relativeGap(double objective) {
      return (objective - optimum) / optimum;
    }

    /** SGD runs whose objective is below LB (none may be: that would refute the certificate). */
    public int runsBelowLowerBound() {
      int k = 0;
      for (WidthRow r : rows) {
        for (double f : r.objectives()) {
          k += f < lowerBound ? 1 : 0;
        }
      }
      return k;
    }

    /** Largest |F_recovered(m) - F*| / F* over the widths m &gt;= m*. */
    public double largestRecoveryDeviation() {
      double worst = Math.abs(relativeGap(recoveredAtOptimum));
      for (WidthRow r : rows) {
        if (!Double.isNaN(r.recoveredObjective())) {
          worst = Math.max(worst, Math.abs(relativeGap(r.recoveredObjective())));
        }
      }
      return worst;
    }

    /** The smallest width whose best SGD run is within {@code tolerance} of F*, or -1. */
    public int smallestWidthAtOptimum(double tolerance) {
      for (WidthRow r : rows) {
        if (relativeGap(r.best()) <= tolerance) {
          return r.width();
        }
      }
      return -1;
    }
  }

  /**
   * One-dimensional data with a bias column, the task of Pilanci and Ergen's Figure 2: x
   * uniform on [-2, 2], label +1 where |x| &gt; 1 and -1 inside, each flipped with probability
   * 0.1. Rows are (x, 1).
   */
  public static DenseMatrix oneDimensionalDesign(int n, double[] labels, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, 2);
    for (int i = 0; i < n; i++) {
      double v = rng.nextDouble(-2.0, 2.0);
      boolean flip = rng.nextDouble() < 0.1;
      x.set(i, 0, v);
      x.set(i, 1, 1.0);
      labels[i] = Math.abs(v) > 1.0 ^ flip ? 1.0 : -1.0;
    }
    return x;
  }

  /** Solves the convex program over every pattern of {@code x}, then SGD at each width. */
  public static Result run(DenseMatrix x, double[] y, Settings s) {
    SquaredLoss loss = new SquaredLoss();
    SignPatterns patterns = ArrangementEnumerator.enumerate(x, s.enumerationBudget());
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
    if (!(betaMax > 0.0)) {
      throw new IllegalArgumentException("beta_max is 0: the labels are zero on every pattern");
    }
    double beta = s.betaFraction() * betaMax;
    ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, beta,
        Formulation.RELU);
    ConvexSolver solver = SolverChoice.local(problem);
    SolverResult solved = solver.solve(problem, null, s.solver(), IterationListener.NONE);
    Certification certification = Certification.of(solved, s.solver(),
        Certification.labelScale(y));
    ReluNetwork recovered = recover(problem, solved.weights());
    SgdTrainer trainer = SgdTrainer.forDesign(x, y, null, null, loss, beta);
    double atOptimum = trainer.objective(recovered);
    int mStar = recovered.width();
    int[] widths = s.widths() != null ? s.widths() : autoWidths(mStar);
    long t0 = System.nanoTime();
    double[][] finals = sgd(trainer, s, widths);
    double sgdSeconds = (System.nanoTime() - t0) * 1e-9;
    List<WidthRow> rows = new ArrayList<>();
    for (int w = 0; w < widths.length; w++) {
      double rec = widths[w] >= mStar ? trainer.objective(padded(recovered, widths[w]))
          : Double.NaN;
      rows.add(new WidthRow(widths[w], finals[w], rec));
    }
    return new Result(x.rows(), x.cols(), patterns.count(), beta, betaMax,
        solved.certificate().objective(), solved.certificate().lowerBound(), certification,
        mStar, atOptimum, SolverChoice.algorithm(problem).getSimpleName(), solved.seconds(), rows,
        sgdSeconds);
  }

  /**
   * The network of Theorem 1 over the active blocks: blocks below {@link #ACTIVE_BLOCK} of the
   * largest norm are the solver's round-off, not neurons.
   */
  static ReluNetwork recover(ConvexReluProblem problem, DenseMatrix weights) {
    DenseMatrix b = weights.copy();
    double largest = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      largest = Math.max(largest, b.columnNorm(j));
    }
    for (int j = 0; j < b.cols(); j++) {
      if (b.columnNorm(j) <= ACTIVE_BLOCK * largest) {
        for (int k = 0; k < b.rows(); k++) {
          b.set(k, j, 0.0);
        }
      }
    }
    return new ConvexReluModel(Formulation.RELU, problem.loss().name(), problem.beta(), false,
        problem.patterns().gates(), b).network();
  }

  /** {@code net} with zero neurons appended up to width {@code m}. */
  public static ReluNetwork padded(ReluNetwork net, int m) {
    int d = net.hidden().rows();
    DenseMatrix u = new DenseMatrix(d, m);
    System.arraycopy(net.hidden().data(), 0, u.data(), 0, net.hidden().data().length);
    return new ReluNetwork(u, Arrays.copyOf(net.alpha(), m));
  }

  /** Every integer from 1 to 4 m*, or {@link #MAX_AUTO_WIDTHS} log-spaced ones with m*. */
  static int[] autoWidths(int mStar) {
    int top = Math.max(4, 4 * mStar);
    if (top <= MAX_AUTO_WIDTHS) {
      return IntStream.rangeClosed(1, top).toArray();
    }
    TreeSet<Integer> set = new TreeSet<>(List.of(1, Math.max(1, mStar), top));
    for (int k = 0; k < MAX_AUTO_WIDTHS; k++) {
      set.add((int) Math.round(Math.exp(Math.log(top) * k / (MAX_AUTO_WIDTHS - 1))));
    }
    return set.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Final objectives, [width][init]. The runs are independent and seeded, so they run in
   * parallel without changing their results.
   */
  private static double[][] sgd(SgdTrainer trainer, Settings s, int[] widths) {
    int inits = s.inits();
    double[][] out = new double[widths.length][inits];
    IntStream.range(0, widths.length * inits).parallel().forEach(t -> {
      int w = t / inits;
      int k = t % inits;
      SgdOptions o = s.sgd().withNeurons(widths[w]).withSeed(s.sgd().seed() + k);
      out[w][k] = trainer.train(o, r -> { }).last().objective();
    });
    return out;
  }
}
