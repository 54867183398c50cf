package io.cvxrelu.deep.study;

import io.cvxrelu.deep.ClosedForm;
import io.cvxrelu.deep.RankOneClosedForm;
import io.cvxrelu.deep.WhitenedClosedForm;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.sgd.DeepAccuracy;
import io.cvxrelu.sgd.DeepSgdOptions;
import io.cvxrelu.sgd.DeepSgdResult;
import io.cvxrelu.sgd.DeepSgdTrainer;
import io.cvxrelu.sgd.EpochRecord;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.train.InvalidSpecException;
import io.cvxrelu.train.ProblemSetup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Seed 003's Figure 2 (Ergen and Pilanci, ICML 2021): for each data set, depth L and beta, the
 * closed-form optimum, the convex program's optimum (L = 2, scalar outputs, every sign pattern,
 * certified), and the best and median final objective of {@code inits} full-batch Adam runs of
 * the L-layer trainer, with the train and test accuracy of the closed-form network and of the
 * best run.
 */
public final class DeepClosedFormStudy {
  private DeepClosedFormStudy() {}

  /**
   * @param betas beta values, or fractions of each data set's {@link #betaMax} when
   *     {@code fractions}
   * @param width hidden width of every layer of the trained networks
   * @param epochs full-batch Adam steps per run (step decaying linearly to zero)
   */
  public record Settings(int[] depths, double[] betas, boolean fractions, int inits, int epochs,
      double learningRate, int width, long seed) {
    public Settings {
      if (depths.length == 0 || betas.length == 0 || inits < 1 || epochs < 1 || width < 1) {
        throw new IllegalArgumentException("need depths, betas, inits >= 1, epochs >= 1, "
            + "width >= 1");
      }
      for (int l : depths) {
        if (l < 2) {
          throw new IllegalArgumentException("depths must be >= 2, got " + l);
        }
      }
    }
  }

  /** One (data set, depth, beta) cell; NaN where a quantity does not apply. */
  public record Row(String data, int depth, double beta, double closedForm, double convex,
      double sgdBest, double sgdMedian, double closedTrainAccuracy, double closedTestAccuracy,
      double sgdTrainAccuracy, double sgdTestAccuracy, double sgdSeconds) {

    public static final String CSV_HEADER = "data,depth,beta,closedForm,convexL2,sgdBest,"
        + "sgdMedian,sgdBestRelativeExcess,closedTrainAccuracy,closedTestAccuracy,"
        + "sgdTrainAccuracy,sgdTestAccuracy,sgdSeconds";

    /** (best SGD objective - closed form) / closed form; negative would refute the formula. */
    public double relativeExcess() {
      return (sgdBest - closedForm) / closedForm;
    }

    public String toCsv() {
      return String.join(",", data, Integer.toString(depth), num(beta), num(closedForm),
          num(convex), num(sgdBest), num(sgdMedian), num(relativeExcess()),
          num(closedTrainAccuracy), num(closedTestAccuracy), num(sgdTrainAccuracy),
          num(sgdTestAccuracy), num(sgdSeconds));
    }

    private static String num(double v) {
      return Double.isNaN(v) ? "" : Double.toString(v);
    }
  }

  /** The objective per epoch of every run of one (data set, depth, beta). */
  public record Trace(String data, int depth, double beta, double closedForm,
      List<double[]> runs) {}

  /** Every row, and the traces at the middle beta of the grid. */
  public record Result(List<Row> rows, List<Trace> traces) {}

  public static Result run(List<StudyData> datasets, Settings s, Consumer<String> log) {
    List<Row> rows = new ArrayList<>();
    List<Trace> traces = new ArrayList<>();
    for (StudyData data : datasets) {
      double scale = s.fractions() ? betaMax(data) : 1.0;
      double traced = scale * s.betas()[s.betas().length / 2];
      for (double fraction : s.betas()) {
        double beta = scale * fraction;
        double convex = convexOptimum(data, beta);
        for (int depth : s.depths()) {
          ClosedForm cf = closedForm(data, beta, depth);
          List<DeepSgdResult> runs = train(data, beta, depth, s);
          double[] finals = runs.stream().mapToDouble(r -> r.last().objective()).sorted()
              .toArray();
          DeepSgdResult best = runs.stream().min((a, b) -> Double.compare(
              a.last().objective(), b.last().objective())).orElseThrow();
          double seconds = runs.stream().mapToDouble(r -> r.last().seconds()).sum();
          Row row = new Row(data.name(), depth, beta, cf.value(), depth == 2 ? convex
              : Double.NaN, finals[0], median(finals),
              DeepAccuracy.of(cf.network().forward(data.x()), data.y()),
              DeepAccuracy.of(cf.network().forward(data.testX()), data.testY()),
              DeepAccuracy.of(best.network().forward(data.x()), data.y()),
              DeepAccuracy.of(best.network().forward(data.testX()), data.testY()), seconds);
          rows.add(row);
          log.accept(String.format(java.util.Locale.ROOT, "%s L=%d beta=%.4g: closed form "
              + "%.10g, convex %.10g, SGD best %.10g (excess %.2e), median %.10g", data.name(),
              depth, beta, cf.value(), row.convex(), row.sgdBest(), row.relativeExcess(),
              row.sgdMedian()));
          if (beta == traced) {
            traces.add(new Trace(data.name(), depth, beta, cf.value(), runs.stream()
                .map(r -> r.history().stream().mapToDouble(EpochRecord::objective).toArray())
                .toList()));
          }
        }
      }
    }
    return new Result(rows, traces);
  }

  /**
   * The smallest beta at which the L = 2 optimum is the zero network: max_k ||t_k|| for
   * whitened data (the largest path norm), ||Y^T c|| = ||X^T Y||_F for rank-one data.
   */
  public static double betaMax(StudyData data) {
    if (data.kind() == StudyData.Kind.RANK_ONE) {
      io.cvxrelu.linalg.DenseMatrix xty = new io.cvxrelu.linalg.DenseMatrix(data.x().cols(),
          data.y().cols());
      io.cvxrelu.linalg.Blas.gemm(true, false, 1.0, data.x(), data.y(), 0.0, xty);
      return Math.sqrt(io.cvxrelu.linalg.Blas.dot(xty.data().length, xty.data(), xty.data()));
    }
    double max = 0.0;
    for (int k = 0; k < data.y().cols(); k++) {
      double pos = 0.0;
      double neg = 0.0;
      for (int i = 0; i < data.y().rows(); i++) {
        double v = data.y().get(i, k);
        pos += v > 0.0 ? v * v : 0.0;
        neg += v < 0.0 ? v * v : 0.0;
      }
      max = Math.max(max, Math.sqrt(Math.max(pos, neg)));
    }
    return max;
  }

  /** The closed form that applies to the data set's kind. */
  public static ClosedForm closedForm(StudyData data, double beta, int depth) {
    return switch (data.kind()) {
      case WHITENED_ONE_HOT -> WhitenedClosedForm.oneHot(data.x(), data.y(), beta, depth);
      case WHITENED_SCALAR -> WhitenedClosedForm.scalar(data.x(), data.y().column(0), beta,
          depth);
      case RANK_ONE -> RankOneClosedForm.solve(data.x(), data.y(), beta, depth);
    };
  }

  /**
   * The L = 2 convex program over every sign pattern, solved by the interior-point solver, when
   * the output is scalar and the program is small enough for it; NaN otherwise or when the
   * answer is not certified.
   */
  public static double convexOptimum(StudyData data, double beta) {
    if (data.y().cols() != 1) {
      return Double.NaN;
    }
    SignPatterns patterns;
    try {
      patterns = ProblemSetup.enumerated(data.x());
    } catch (InvalidSpecException e) {
      return Double.NaN;
    }
    ConvexReluProblem p = new ConvexReluProblem(data.x(), data.y().column(0), patterns,
        new SquaredLoss(), beta, Formulation.RELU);
    // A few seconds of interior point at most: P d up to 2,000.
    if ((long) patterns.count() * data.x().cols() > 2000
        || !InteriorPointReluSolver.supports(p)) {
      return Double.NaN;
    }
    SolverResult r = new InteriorPointReluSolver().solve(p, null,
        new SolverOptions(1e-11, 1e-11, 500, 120.0), IterationListener.NONE);
    boolean certified = r.stopReason() == StopReason.CONVERGED
        && r.certificate().constraintViolation() <= 1e-9;
    return certified ? r.certificate().objective() : Double.NaN;
  }

  private static List<DeepSgdResult> train(StudyData data, double beta, int depth,
      Settings s) {
    DeepSgdTrainer trainer = new DeepSgdTrainer(data.x(), data.y(), data.testX(), data.testY(),
        beta);
    int[] widths = new int[depth - 1];
    Arrays.fill(widths, s.width());
    List<DeepSgdResult> out = new ArrayList<>();
    for (int k = 0; k < s.inits(); k++) {
      DeepSgdOptions o = new DeepSgdOptions(widths, s.epochs(), data.x().rows(),
          s.learningRate(), Optimizer.ADAM, 0.0, true, s.seed() + k);
      out.add(trainer.train(o, rec -> { }));
    }
    return out;
  }

  private static double median(double[] sorted) {
    int h = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
  }
}
