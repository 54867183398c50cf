package io.cvxrelu.train;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.WarmStartedSolver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * The convex program of Pilanci and Ergen (2020, eq. (8) and its gated variant) solved along a
 * regularisation path: beta = f_k beta_max for decreasing fractions f_k, each solve started from
 * the previous solution. The constraints (2 D_i - I) X v_i &gt;= 0 do not depend on beta, so the
 * previous solution is a feasible start, and near it when the fractions are close (as the
 * lasso path of Friedman, Hastie and Tibshirani 2010 and scnn's paths use it).
 */
public final class RegularisationPath {
  /** Largest and smallest fraction of beta_max of a {@link #grid}. */
  public static final double GRID_LARGEST = 0.5;
  public static final double GRID_SMALLEST = 1e-3;

  private RegularisationPath() {}

  /**
   * One solved point of the path.
   *
   * @param fraction beta / beta_max
   * @param problem the program at this beta
   * @param solver the single-node algorithm's class
   */
  public record Point(double fraction, ConvexReluProblem problem, SolverResult result,
      Class<?> solver) {
    public double beta() {
      return problem.beta();
    }
  }

  /** {@code k} fractions of beta_max, log-spaced from {@value #GRID_LARGEST} down to 1e-3. */
  public static double[] grid(int k) {
    if (k < 2) {
      throw new IllegalArgumentException("a path grid needs K >= 2 points, got " + k);
    }
    double[] f = new double[k];
    double hi = Math.log10(GRID_LARGEST);
    double lo = Math.log10(GRID_SMALLEST);
    for (int i = 0; i < k; i++) {
      f[i] = Math.pow(10.0, hi + (lo - hi) * i / (k - 1));
    }
    return f;
  }

  /**
   * The fractions of {@code --beta-path F1,F2,...}, each in (0, 1], distinct, sorted from the
   * largest down (the order of the warm starts).
   */
  public static double[] parse(String list) {
    String[] parts = list.split(",");
    double[] f = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        f[i] = Double.parseDouble(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--beta-path takes fractions of beta_max, got '"
            + parts[i].strip() + "'");
      }
      if (!(f[i] > 0.0 && f[i] <= 1.0)) {
        throw new IllegalArgumentException("--beta-path fractions must be in (0, 1], got "
            + parts[i].strip());
      }
    }
    double[] sorted = Arrays.stream(f).boxed().sorted((a, b) -> Double.compare(b, a))
        .mapToDouble(Double::doubleValue).toArray();
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("--beta-path lists " + sorted[i] + " twice");
      }
    }
    return sorted;
  }

  /**
   * Solves {@code base} (whose beta is replaced) at {@code fraction * betaMax} for each
   * fraction, in the given order, each from the previous solution (the gated program from the
   * {@link #secant} predictor once two points are solved, and its first point from B = 0, the
   * optimum at beta_max).
   *
   * @param listeners the listener of the solve at a given beta
   */
  public static List<Point> solve(ConvexReluProblem base, double betaMax, double[] fractions,
      SolverOptions options, DoubleFunction<IterationListener> listeners) {
    List<Point> out = new ArrayList<>();
    // The gated path starts from its optimum at beta_max, B = 0, as a warm start: SSNAL then
    // takes its warm first penalty. On the n = 10^4, d = 100, P = 1,000 instance the first point
    // (0.5 beta_max) took 21 Newton steps and 2.8-3.3 s against 30 and 4.4-4.6 s from no start.
    DenseMatrix warm = base.formulation() == Formulation.GATED ? base.zeroWeights() : null;
    for (int k = 0; k < fractions.length; k++) {
      double f = fractions[k];
      ConvexReluProblem p = base.with(f * betaMax, base.formulation());
      ConvexSolver solver = SolverChoice.local(p);
      if (k >= 2 && p.formulation() == Formulation.GATED) {
        Point before = out.get(k - 2);
        Point last = out.get(k - 1);
        warm = secant(before.fraction(), before.result().weights(), last.fraction(),
            last.result().weights(), f);
      }
      SolverResult r = solver.solve(p, warm, options, listeners.apply(p.beta()));
      warm = r.weights();
      out.add(new Point(f, p, r, WarmStartedSolver.algorithmOf(solver)));
    }
    return out;
  }

  /**
   * The secant predictor of the next point of the path in log beta: B(f) ~ B_k + t (B_k -
   * B_{k-1}) with t = log(f / f_k) / log(f_k / f_{k-1}) (t = 1 on a log-spaced grid), the
   * first-order continuation predictor (Allgower and Georg 1990, Sec. 2.2) through the two
   * last solved points. Only for the gated program, where every B is feasible (an extrapolated
   * ReLU point would leave its cones). On the n = 10^4, d = 100, P = 1,000 path of
   * docs/pipelines.md it cut the SSNAL iterations of the warm points from 157 to 139 and the
   * path's solve time by about a fifth, against starting from B_k itself. The second point
   * starts from the first: a secant through beta_max (B = 0) took 22 iterations there
   * against 17, since the path leaves zero far from linearly in log beta.
   *
   * @param before B at {@code fBefore}, or null for zero
   */
  static DenseMatrix secant(double fBefore, DenseMatrix before, double fLast, DenseMatrix last,
      double fraction) {
    double t = Math.log(fraction / fLast) / Math.log(fLast / fBefore);
    double[] a = last.data();
    DenseMatrix out = new DenseMatrix(last.rows(), last.cols());
    double[] o = out.data();
    for (int i = 0; i < a.length; i++) {
      double b = before == null ? 0.0 : before.data()[i];
      o[i] = a[i] + t * (a[i] - b);
    }
    return out;
  }
}
