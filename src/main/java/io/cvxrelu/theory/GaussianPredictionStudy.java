package io.cvxrelu.theory;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.train.SolverChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The Gaussian-data experiment of seed 000, section 3: on draws of {@link GaussianLinearData}
 * for each delta = n / d and lambda = beta / n, the linear network's optimum Phi / n measured
 * by the gated solver ({@link SsnalGatedSolver} on {@link LinearNetworkProgram}) and by the
 * closed form ({@link NormRegularisedLeastSquares}), beside the CGMT prediction
 * ({@link LinearCgmtPrediction}); and the ReLU network's convex program at the same beta, over
 * sampled patterns plus the two patterns of the linear optimum at 2 beta, whose value is then at
 * most Phi_lin(2 beta) (a linear unit x^T theta = (x^T theta)_+ - (-x^T theta)_+ is two ReLUs of
 * total weight 2 ||theta||). Over sampled patterns that value is an upper bound on the ReLU
 * optimum F*_ReLU(beta), which is therefore at most Phi_lin(2 beta) too.
 */
public final class GaussianPredictionStudy {
  /** Relative tolerance of the check F_ReLU(beta) &lt;= Phi_lin(2 beta) (solver accuracy). */
  public static final double BOUND_TOLERANCE = 1e-5;

  private GaussianPredictionStudy() {}

  /**
   * What to run.
   *
   * @param deltas the ratios n / d
   * @param n rows per draw
   * @param lambdas beta / n values
   * @param trials draws per delta for the linear network
   * @param sigma noise level
   * @param r0 ||theta_0||
   * @param seed seeds every draw
   * @param reluTrials draws (the first ones) on which the ReLU program is solved too
   * @param reluPatterns sampled gates of the ReLU program (plus the linear optimum's two)
   * @param reluEvery the ReLU program runs at every reluEvery-th lambda (the first included)
   * @param options stopping rules of every solve
   */
  public record Settings(double[] deltas, int n, double[] lambdas, int trials, double sigma,
      double r0, long seed, int reluTrials, int reluPatterns, int reluEvery,
      SolverOptions options) {
    public Settings {
      if (deltas.length == 0 || lambdas.length == 0 || n < 2 || trials < 2) {
        throw new IllegalArgumentException("need deltas, lambdas, n >= 2 and trials >= 2");
      }
      for (double v : deltas) {
        if (!(v > 0.0) || Math.round(n / v) < 1) {
          throw new IllegalArgumentException("delta must be positive with n / delta >= 1, got "
              + v);
        }
      }
      for (double v : lambdas) {
        if (!(v > 0.0)) {
          throw new IllegalArgumentException("lambda must be positive, got " + v);
        }
      }
      if (!(sigma >= 0.0) || !(r0 >= 0.0) || reluTrials < 0 || reluTrials > trials
          || reluPatterns < 0 || reluEvery < 1) {
        throw new IllegalArgumentException("need sigma, r0 >= 0 and 0 <= relu trials <= trials");
      }
    }

    /** d = round(n / delta). */
    public int d(double delta) {
      return (int) Math.round(n / delta);
    }
  }

  /** Mean, standard error and count of a sample (NaN for an empty one). */
  public record Stats(double mean, double standardError, int count) {
    static Stats of(List<Double> v) {
      int k = v.size();
      if (k == 0) {
        return new Stats(Double.NaN, Double.NaN, 0);
      }
      double m = v.stream().mapToDouble(Double::doubleValue).sum() / k;
      double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
      return new Stats(m, k > 1 ? Math.sqrt(ss / (k - 1) / k) : Double.NaN, k);
    }
  }

  /**
   * Everything measured and predicted at one (delta, lambda).
   *
   * @param phi Phi / n by the gated solver
   * @param closedForm Phi / n by the closed form
   * @param solverDisagreement largest |solver - closed form| / closed form over the trials
   * @param certified solves certified by their stop reason and gap
   * @param error ||theta_hat - theta_0|| (closed form)
   * @param predicted the CGMT prediction at lambda
   * @param predictedDouble the CGMT prediction at 2 lambda (the prediction of the ReLU bound)
   * @param seedPrediction the min-max with g and h swapped, as the seed has it
   * @param linearDouble Phi_lin(2 beta) / n on the ReLU draws (closed form)
   * @param relu F_ReLU(beta) / n over sampled patterns, certified solves only
   * @param reluSolves ReLU solves run
   * @param reluCertified ReLU solves certified
   * @param reluAboveBound certified ReLU values above Phi_lin(2 beta) by more than
   *     {@link #BOUND_TOLERANCE} (must be 0)
   */
  public record Point(double delta, int n, int d, double lambda, Stats phi, Stats closedForm,
      double solverDisagreement, int certified, Stats error,
      LinearCgmtPrediction.Prediction predicted, LinearCgmtPrediction.Prediction predictedDouble,
      LinearCgmtPrediction.Prediction seedPrediction, Stats linearDouble, Stats relu,
      int reluSolves, int reluCertified, int reluAboveBound) {

    /** |measured mean - predicted| &lt;= 3 standard errors + 3% of the mean. */
    public boolean withinTolerance() {
      return within(predicted);
    }

    /** Whether the seed's swapped-dimension prediction meets the same tolerance. */
    public boolean seedWithinTolerance() {
      return within(seedPrediction);
    }

    private boolean within(LinearCgmtPrediction.Prediction p) {
      return Math.abs(phi.mean() - p.phiPerRow())
          <= 3.0 * phi.standardError() + 0.03 * Math.abs(phi.mean());
    }
  }

  /** Per (delta, lambda), the values of every trial. */
  private static final class Samples {
    final List<Double> phi = new ArrayList<>();
    final List<Double> closed = new ArrayList<>();
    final List<Double> error = new ArrayList<>();
    final List<Double> linearDouble = new ArrayList<>();
    final List<Double> relu = new ArrayList<>();
    double disagreement;
    int certified;
    int reluSolves;
    int reluCertified;
    int reluAbove;
  }

  /** Runs the study; {@code progress} receives one line per draw. */
  public static List<Point> run(Settings s, Consumer<String> progress) {
    List<Point> out = new ArrayList<>();
    for (double delta : s.deltas()) {
      int d = s.d(delta);
      List<Samples> samples = new ArrayList<>();
      for (int l = 0; l < s.lambdas().length; l++) {
        samples.add(new Samples());
      }
      for (int trial = 0; trial < s.trials(); trial++) {
        long t0 = System.nanoTime();
        SplittableRandom rng = new SplittableRandom(s.seed() * 1_000_003L + 7919L * d + trial);
        GaussianLinearData data = GaussianLinearData.draw(s.n(), d, s.sigma(), s.r0(), rng);
        NormRegularisedLeastSquares exact = new NormRegularisedLeastSquares(
            ThinSvd.of(data.a()), data.y());
        for (int l = 0; l < s.lambdas().length; l++) {
          boolean relu = trial < s.reluTrials() && l % s.reluEvery() == 0;
          measure(s, data, exact, s.lambdas()[l], relu, rng.split(),
              samples.get(l));
        }
        progress.accept(String.format(Locale.ROOT, "delta %.3g (n %d, d %d): draw %d of %d in "
            + "%.1f s", delta, s.n(), d, trial + 1, s.trials(), (System.nanoTime() - t0) * 1e-9));
      }
      for (int l = 0; l < s.lambdas().length; l++) {
        double lambda = s.lambdas()[l];
        Samples m = samples.get(l);
        out.add(new Point(delta, s.n(), d, lambda, Stats.of(m.phi), Stats.of(m.closed),
            m.disagreement, m.certified, Stats.of(m.error),
            LinearCgmtPrediction.predict(delta, lambda, s.sigma(), s.r0()),
            LinearCgmtPrediction.predict(delta, 2.0 * lambda, s.sigma(), s.r0()),
            LinearCgmtPrediction.predictWithSwappedDimensions(delta, lambda, s.sigma(), s.r0()),
            Stats.of(m.linearDouble), Stats.of(m.relu), m.reluSolves, m.reluCertified,
            m.reluAbove));
      }
    }
    return out;
  }

  /** One draw at one lambda: the linear network twice, and the ReLU program when asked. */
  private static void measure(Settings s, GaussianLinearData data,
      NormRegularisedLeastSquares exact, double lambda, boolean relu, SplittableRandom rng,
      Samples into) {
    int n = s.n();
    double beta = lambda * n;
    NormRegularisedLeastSquares.Solution closed = exact.solve(beta);
    ConvexReluProblem linear = LinearNetworkProgram.of(data.a(), data.y(), beta);
    SolverResult r = new SsnalGatedSolver().solve(linear, null, s.options(),
        IterationListener.NONE);
    double solved = r.certificate().objective();
    into.phi.add(solved / n);
    into.closed.add(closed.value() / n);
    into.error.add(closed.distanceTo(data.theta0()));
    into.disagreement = Math.max(into.disagreement,
        Math.abs(solved - closed.value()) / Math.max(closed.value(), Double.MIN_NORMAL));
    if (Certification.of(r, s.options(), Certification.labelScale(data.y())).certified()) {
      into.certified++;
    }
    if (!relu) {
      return;
    }
    NormRegularisedLeastSquares.Solution twice = exact.solve(2.0 * beta);
    into.linearDouble.add(twice.value() / n);
    ConvexReluProblem program = reluProgram(data, twice.theta(), beta, s.reluPatterns(),
        rng.nextLong());
    SolverResult rr = SolverChoice.local(program).solve(program, null, s.options(),
        IterationListener.NONE);
    into.reluSolves++;
    if (Certification.of(rr, s.options(), Certification.labelScale(data.y())).certified()) {
      double f = rr.certificate().objective();
      into.reluCertified++;
      into.relu.add(f / n);
      if (f > twice.value() * (1.0 + BOUND_TOLERANCE)) {
        into.reluAbove++;
      }
    }
  }

  /**
   * The ReLU program at {@code beta} over {@code sampled} Gaussian gates plus theta and -theta
   * (the linear optimum at 2 beta, whose two ReLUs make it feasible).
   */
  static ConvexReluProblem reluProgram(GaussianLinearData data, double[] theta, double beta,
      int sampled, long seed) {
    DenseMatrix a = data.a();
    int d = a.cols();
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix gates = new DenseMatrix(d, sampled + 2);
    double[] g = gates.data();
    for (int k = 0; k < sampled * d; k++) {
      g[k] = rng.nextGaussian();
    }
    for (int k = 0; k < d; k++) {
      g[sampled * d + k] = theta[k];
      g[(sampled + 1) * d + k] = -theta[k];
    }
    return new ConvexReluProblem(a, data.y(), SignPatterns.fromGates(a, gates), new SquaredLoss(),
        beta, Formulation.RELU);
  }
}
