package io.cvxrelu.theory;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.theory.RelaxedNeuron.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The relaxed single-neuron experiment of the survey seed, section 2.2: realisable labels
 * y = (X w*)_+ (plus noise sigma z, clipped at 0 so that y &gt;= 0 as L_r needs), gradient descent
 * on L and on L_r ({@link RelaxedNeuron}) from the same Gaussian starts, and per recorded
 * iteration the training loss L(w) / n, the test loss on noise-free labels and ||w - w*||.
 */
public final class RelaxedNeuronStudy {
  private RelaxedNeuronStudy() {}

  /**
   * What to run.
   *
   * @param n training rows
   * @param d features
   * @param nTest test rows
   * @param sigmas noise levels
   * @param starts gradient-descent starts per loss
   * @param iterations steps per run
   * @param every record every this many steps
   * @param seed seeds data and starts
   */
  public record Settings(int n, int d, int nTest, double[] sigmas, int starts, int iterations,
      int every, long seed) {
    public Settings {
      if (n < 1 || d < 1 || nTest < 1 || sigmas.length == 0 || starts < 1 || iterations < 1
          || every < 1) {
        throw new IllegalArgumentException("sizes, starts, iterations and the recording "
            + "interval must be positive, with at least one noise level");
      }
      for (double s : sigmas) {
        if (!(s >= 0.0) || !Double.isFinite(s)) {
          throw new IllegalArgumentException("noise levels must be >= 0, got " + s);
        }
      }
    }
  }

  /**
   * One loss at one noise level: the recorded iterations and, per record and start, the
   * training loss L / n, the test loss (mean squared error) and the distance to w*.
   */
  public record Curves(Objective objective, double sigma, List<Integer> iterations,
      List<double[]> train, List<double[]> test, List<double[]> distance) {

    /** The largest final ||w - w*|| over the starts. */
    public double worstFinalDistance() {
      double worst = 0.0;
      for (double v : distance.get(distance.size() - 1)) {
        worst = Math.max(worst, v);
      }
      return worst;
    }

    /** Starts whose final ||w - w*|| is at most {@code tol}. */
    public int recovered(double tol) {
      int k = 0;
      for (double v : distance.get(distance.size() - 1)) {
        k += v <= tol ? 1 : 0;
      }
      return k;
    }
  }

  /** The data of one noise level: training, test and the planted neuron. */
  public record Data(DenseMatrix x, double[] y, DenseMatrix xTest, double[] yTest,
      double[] wStar) {

    /** Draws X, w*, z and the test rows, in that order. */
    public static Data draw(int n, int d, int nTest, double sigma, SplittableRandom rng) {
      DenseMatrix x = gaussian(n, d, rng);
      double[] wStar = gaussian(d, 1, rng).data();
      double[] y = relu(x, wStar);
      for (int i = 0; i < n; i++) {
        y[i] = Math.max(0.0, y[i] + sigma * rng.nextGaussian());
      }
      DenseMatrix xTest = gaussian(nTest, d, rng);
      return new Data(x, y, xTest, relu(xTest, wStar), wStar);
    }
  }

  /** Runs both losses at every noise level. */
  public static List<Curves> run(Settings s) {
    List<Curves> out = new ArrayList<>();
    for (int k = 0; k < s.sigmas().length; k++) {
      SplittableRandom rng = new SplittableRandom(s.seed() * 1_000_003L + k);
      Data data = Data.draw(s.n(), s.d(), s.nTest(), s.sigmas()[k], rng);
      DenseMatrix starts = gaussian(s.d(), s.starts(), rng);
      for (Objective o : Objective.values()) {
        out.add(descend(data, starts, o, s.sigmas()[k], s.iterations(), s.every()));
      }
    }
    return out;
  }

  /**
   * Both losses on given data, e.g. read from a file: w* is unknown (null in {@code data}), so
   * the distances are NaN and the curves' sigma is NaN.
   *
   * @throws IllegalArgumentException when a label is negative (L_r needs y &gt;= 0)
   */
  public static List<Curves> runOn(Data data, int starts, int iterations, int every,
      long seed) {
    RelaxedNeuron.requireNonNegative(data.y());
    DenseMatrix st = gaussian(data.x().cols(), starts, new SplittableRandom(seed));
    List<Curves> out = new ArrayList<>();
    for (Objective o : Objective.values()) {
      out.add(descend(data, st, o, Double.NaN, iterations, every));
    }
    return out;
  }

  private static Curves descend(Data data, DenseMatrix starts, Objective o, double sigma,
      int iterations, int every) {
    Curves c = new Curves(o, sigma, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>());
    RelaxedNeuron.descend(o, data.x(), data.y(), starts, iterations, every, (it, w) -> {
      c.iterations().add(it);
      c.train().add(scaled(RelaxedNeuron.values(Objective.SQUARED, data.x(), data.y(), w),
          data.x().rows()));
      c.test().add(scaled(RelaxedNeuron.values(Objective.SQUARED, data.xTest(), data.yTest(),
          w), data.xTest().rows()));
      c.distance().add(RelaxedNeuron.distances(w, data.wStar()));
    });
    return c;
  }

  private static double[] scaled(double[] v, int n) {
    double[] out = v.clone();
    for (int k = 0; k < out.length; k++) {
      out[k] /= n;
    }
    return out;
  }

  private static DenseMatrix gaussian(int rows, int cols, SplittableRandom rng) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    double[] md = m.data();
    for (int k = 0; k < md.length; k++) {
      md[k] = rng.nextGaussian();
    }
    return m;
  }

  private static double[] relu(DenseMatrix x, double[] w) {
    DenseMatrix z = RelaxedNeuron.product(x, new DenseMatrix(w.length, 1, w.clone()));
    double[] out = z.data();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(out[i], 0.0);
    }
    return out;
  }
}
