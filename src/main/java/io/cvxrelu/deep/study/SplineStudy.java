package io.cvxrelu.deep.study;

import io.cvxrelu.spline.OffDataKinks;
import io.cvxrelu.spline.SplineAdam;
import io.cvxrelu.spline.SplineFit;
import io.cvxrelu.spline.SplineLasso;
import io.cvxrelu.spline.SplineLassoSolver;
import io.cvxrelu.spline.SplineNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The 1-D panel of the experiment (Ergen and Pilanci, ICML 2021, the 1-D spline corollary and
 * Figure 1): a two-layer ReLU network with free biases and intercept on scalar data. For each
 * beta: the certified optimum of the convex program with kinks at the data points
 * ({@link SplineLasso}), the non-convex objective of the recovered network, the optima with
 * kinks only off the data (midpoints; a dense grid), and the best and median of several
 * full-batch Adam runs of the non-convex network ({@link SplineAdam}).
 */
public final class SplineStudy {
  /** Kinks per gap of the off-data grid. */
  static final int GRID_PER_GAP = 10;

  private SplineStudy() {}

  /**
   * @param n data points, x ~ U(-1, 1) sorted, y = sin(3 x) + noise N(0, noise^2)
   * @param betaFracs the beta grid as fractions of beta_max (the smallest beta at which the
   *     constant fit is optimal)
   * @param inits Adam runs per beta
   * @param epochs full-batch Adam steps per run
   * @param width hidden width of the trained networks
   */
  public record Settings(int n, double noise, double[] betaFracs, int inits, int epochs,
      double learningRate, int width, long seed) {
    public Settings {
      if (n < 2 || !(noise >= 0.0) || betaFracs.length == 0 || inits < 1 || epochs < 1
          || width < 1 || !(learningRate > 0.0)) {
        throw new IllegalArgumentException("the 1-D set needs n >= 2 points, noise >= 0, a beta "
            + "grid, inits >= 1, epochs >= 1, width >= 1 and a positive step");
      }
      for (double f : betaFracs) {
        if (!(f > 0.0) || !Double.isFinite(f)) {
          throw new IllegalArgumentException("beta fractions must be positive, got "
              + Arrays.toString(betaFracs));
        }
      }
      betaFracs = betaFracs.clone();
    }

    @Override
    public double[] betaFracs() {
      return betaFracs.clone();
    }
  }

  /**
   * One beta. {@code convex}: the certified optimum over data-point kinks; {@code network}: J
   * at the recovered network; {@code midpoints}, {@code grid}: optima over off-data kinks.
   */
  public record Row(double betaFrac, double beta, double convex, double relativeGap,
      String stop, long sweeps, int kinks, double network, double midpoints, double grid,
      double sgdBest, double sgdMedian, int sgdBelow) {

    public static final String CSV_HEADER = "betaFrac,beta,convex,relativeGap,stop,sweeps,"
        + "kinks,recoveredNetwork,midpointKinks,gridKinks,adamBest,adamMedian,"
        + "adamBestRelativeExcess,adamRunsBelow";

    /** (best Adam objective - convex optimum) / convex optimum. */
    public double relativeExcess() {
      return (sgdBest - convex) / convex;
    }

    public String toCsv() {
      return String.format(Locale.ROOT, "%.6g,%.17g,%.17g,%.3e,%s,%d,%d,%.17g,%.17g,%.17g,"
          + "%.17g,%.17g,%.6e,%d", betaFrac, beta, convex, relativeGap, stop, sweeps, kinks,
          network, midpoints, grid, sgdBest, sgdMedian, relativeExcess(), sgdBelow);
    }
  }

  /** One beta's networks, for the plots and the weights file. */
  public record Networks(double beta, SplineNetwork convex, SplineNetwork midpoints,
      SplineNetwork bestAdam) {}

  /** The panel: the data, one row and one set of networks per beta. */
  public record Result(double[] x, double[] y, List<Row> rows, List<Networks> networks,
      double seconds) {}

  /** The data set: sorted x ~ U(-1, 1), y = sin(3 x) + noise. */
  static double[][] data(int n, double noise, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble(-1.0, 1.0);
    }
    Arrays.sort(x);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = Math.sin(3.0 * x[i]) + noise * r.nextGaussian();
    }
    return new double[][] {x, y};
  }

  /** Runs the panel. */
  public static Result run(Settings s, Consumer<String> log) {
    long start = System.nanoTime();
    double[][] d = data(s.n(), s.noise(), s.seed());
    double[] x = d[0];
    double[] y = d[1];
    SplineLasso base = SplineLasso.atDataPoints(x, y, 1.0);
    double betaMax = base.betaMax();
    SplineLassoSolver solver = SplineLassoSolver.exact();
    List<Row> rows = new ArrayList<>();
    List<Networks> nets = new ArrayList<>();
    for (double frac : s.betaFracs()) {
      double beta = frac * betaMax;
      SplineLasso p = base.withBeta(beta);
      SplineFit fit = solver.solve(p);
      SplineNetwork net = SplineNetwork.recover(p, fit);
      SplineLasso mid = SplineLasso.withKinks(x, y, beta, OffDataKinks.midpoints(x));
      SplineFit midFit = solver.solve(mid);
      SplineFit gridFit = solver.solve(SplineLasso.withKinks(x, y, beta,
          OffDataKinks.grid(x, GRID_PER_GAP)));
      double[] finals = new double[s.inits()];
      SplineAdam.Run best = null;
      for (int k = 0; k < s.inits(); k++) {
        SplineAdam.Run run = SplineAdam.train(x, y, beta, s.width(), s.epochs(),
            s.learningRate(), s.seed() * 1000 + k);
        finals[k] = run.last();
        if (best == null || run.last() < best.last()) {
          best = run;
        }
      }
      double[] sorted = finals.clone();
      Arrays.sort(sorted);
      int below = (int) Arrays.stream(finals).filter(v -> v < fit.dual() * (1 - 1e-9)).count();
      Row row = new Row(frac, beta, fit.objective(), fit.relativeGap(),
          fit.stopReason().name(), fit.sweeps(), net.width(), net.objective(x, y, beta),
          offDataValue(midFit), offDataValue(gridFit), sorted[0], sorted[sorted.length / 2],
          below);
      rows.add(row);
      nets.add(new Networks(beta, net, SplineNetwork.recover(mid, midFit), best.network()));
      log.accept(String.format(Locale.ROOT, "spline-1d beta %.4g: convex %.12g (gap %.1e, %s), "
          + "%d kinks; midpoints %.12g; grid %.12g; Adam best %.12g", beta, row.convex(),
          row.relativeGap(), row.stop(), row.kinks(), row.midpoints(), row.grid(),
          row.sgdBest()));
    }
    return new Result(x, y, rows, nets, (System.nanoTime() - start) / 1e9);
  }

  /**
   * An off-data optimum: its certified objective, or NaN when the solver did not certify it
   * (an uncertified value could not show the data-point optimum wrong).
   */
  private static double offDataValue(SplineFit fit) {
    return fit.certified() ? fit.objective() : Double.NaN;
  }
}
