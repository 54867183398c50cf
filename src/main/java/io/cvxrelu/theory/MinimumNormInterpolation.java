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
import io.cvxrelu.train.SolverChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The minimum-norm interpolating ReLU network, the beta -&gt; 0 limit of the convex program
 * (Pilanci and Ergen 2020, Theorem 1 with beta -&gt; 0; seed 000):
 *
 * <pre>
 *   R* = min sum_i (||v_i|| + ||w_i||)  s.t.  sum_i D_i X (v_i - w_i) = y,
 *        (2 D_i - I) X v_i &gt;= 0,  (2 D_i - I) X w_i &gt;= 0,
 * </pre>
 *
 * with its certificate, a bracket LB &lt;= R* &lt;= UB:
 *
 * <ul>
 *   <li><b>Lower bound</b> (weak duality): the dual is max y^T lambda s.t. for every i there are
 *       mu_i, nu_i &gt;= 0 with ||X^T D_i lambda + K_i^T mu_i|| &lt;= 1 and ||-X^T D_i lambda +
 *       K_i^T nu_i|| &lt;= 1 (K_i = (2 D_i - I) X). The squared-loss program at a small beta gives
 *       lambda = y - f (the residual) and cone multipliers; dividing both by the largest of those
 *       norms makes them feasible (the constraints are positively homogeneous), so
 *       LB = y^T lambda / max_i ||.||.
 *   <li><b>Upper bound</b>: the same weights plus a correction that interpolates exactly. When
 *       the residual r lies in the range of X (always when rank X = n), u = X^+ r gives
 *       X u = r = D_a X u - D_b X (-u) with D_a = 1[X u &gt; 0], D_b = 1[-X u &gt; 0]; adding u to
 *       v_a and -u to w_b keeps every cone constraint (each cone is convex) and interpolates,
 *       at a cost of at most 2 ||u||. It needs patterns a and b in the set (always when every
 *       pattern is enumerated); otherwise UB is infinite and nothing is certified.
 * </ul>
 *
 * <p>beta runs down beta_max 10^-2, 10^-3, ... (warm started, solver chosen by
 * {@link SolverChoice#local}) until (UB - LB) / UB is within the tolerance. When the correction
 * needs a pattern the set lacks (sampled patterns), the gates u and -u are added to the set and
 * the next beta is solved over the larger set: its optimum R* is then that of the larger set,
 * which the result's {@code patterns} name. For whitened data (X X^T = I, spike-free)
 * R* = ||y_+|| + ||y_-||, which the tests check.
 */
public final class MinimumNormInterpolation {
  /** Smallest beta / beta_max tried. */
  private static final int LAST_EXPONENT = 10;

  private MinimumNormInterpolation() {}

  /**
   * The outcome.
   *
   * @param weights d x 2P interpolating blocks (the upper bound's), or the last regularised
   *     solution when no correction was possible
   * @param patterns the sign patterns of {@code weights}: the given ones, plus those the
   *     correction added
   * @param upperBound sum of block norms of an interpolating feasible point (infinite if none)
   * @param lowerBound the dual bound
   * @param relativeGap (UB - LB) / UB
   * @param residual ||sum_i D_i X (v_i - w_i) - y|| at {@code weights}
   * @param constraintViolation largest cone violation at {@code weights}
   * @param beta the regularisation of the squared-loss solve behind {@code weights}
   * @param certified whether the gap is within the tolerance with the weights interpolating
   *     (residual &lt;= 1e-8 ||y||) and feasible (violation within the solver's tolerance)
   * @param status why it is or is not certified, in words
   * @param steps one entry per beta tried, in order
   */
  public record Result(DenseMatrix weights, SignPatterns patterns, double upperBound,
      double lowerBound, double relativeGap, double residual, double constraintViolation,
      double beta, boolean certified, String status, List<Step> steps) {}

  /**
   * One beta of the sequence.
   *
   * @param patterns the size of the pattern set solved over
   * @param stopReason the squared-loss solver's
   * @param upperBound the bracket at this beta (infinite when no interpolating point was built)
   */
  public record Step(double beta, int patterns, String stopReason, long iterations,
      double seconds, double upperBound, double lowerBound, double relativeGap,
      double residual) {
    /** The columns of {@link #csv()}. */
    public static final String CSV_HEADER = "beta,patterns,stopReason,iterations,seconds,"
        + "upperBound,lowerBound,relativeGap,residual";

    public String csv() {
      return String.format(Locale.ROOT, "%.10g,%d,%s,%d,%.3f,%.12g,%.12g,%.6g,%.6g", beta,
          patterns, stopReason, iterations, seconds, upperBound, lowerBound, relativeGap,
          residual);
    }
  }

  /** Solves over {@code patterns} to relative gap {@code tolerance}. */
  public static Result solve(DenseMatrix x, double[] y, SignPatterns patterns,
      SolverOptions options, double tolerance) {
    SquaredLoss loss = new SquaredLoss();
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, loss);
    if (!(betaMax > 0.0)) {
      throw new IllegalArgumentException("y is zero on every pattern: the zero network "
          + "interpolates only y = 0");
    }
    ThinSvd svd = ThinSvd.of(x);
    SignPatterns set = patterns;
    DenseMatrix warm = null;
    Result best = null;
    List<Step> steps = new ArrayList<>();
    for (int k = 2; k <= LAST_EXPONENT; k++) {
      double beta = betaMax * Math.pow(10.0, -k);
      ConvexReluProblem p = new ConvexReluProblem(x, y, set, loss, beta, Formulation.RELU);
      SolverResult r = SolverChoice.local(p).solve(p, warm, options, IterationListener.NONE);
      warm = r.weights();
      Bracket b = bracket(p, r, svd, options, tolerance);
      Result res = b.result();
      steps.add(new Step(beta, set.count(), r.stopReason().name(), r.iterations(), r.seconds(),
          res.upperBound(), res.lowerBound(), res.relativeGap(), res.residual()));
      if (best == null || res.relativeGap() < best.relativeGap()
          || !Double.isFinite(best.relativeGap()) && res.residual() < best.residual()) {
        best = res;
      }
      if (res.certified()) {
        break;
      }
      if (b.missingGates() != null) {
        SignPatterns grown = grown(x, set, b.missingGates());
        warm = padded(warm, set.count(), grown.count());
        set = grown;
      }
    }
    return new Result(best.weights(), best.patterns(), best.upperBound(), best.lowerBound(),
        best.relativeGap(), best.residual(), best.constraintViolation(), best.beta(),
        best.certified(), best.status(), List.copyOf(steps));
  }

  /**
   * The bracket at one beta, and the gates u, -u whose patterns the correction needed but the
   * set lacked (null when none was missing).
   */
  private record Bracket(Result result, DenseMatrix missingGates) {}

  private static Bracket bracket(ConvexReluProblem p, SolverResult r, ThinSvd svd,
      SolverOptions options, double tolerance) {
    double[] y = p.y();
    int n = p.n();
    DenseMatrix b = r.weights().copy();
    double[] pred = p.predictWeights(b);
    double[] lambda = new double[n];
    double ty = 0.0;
    for (int i = 0; i < n; i++) {
      lambda[i] = y[i] - pred[i];
      ty += y[i] * y[i];
    }
    double lower = lowerBound(p, lambda, r.multipliers());
    double[] u = SpikeFreeCheck.pseudoInverseApply(svd, lambda);
    double[] xu = times(p.x(), u);
    double rangeGap = 0.0;
    for (int i = 0; i < n; i++) {
      rangeGap = Math.max(rangeGap, Math.abs(xu[i] - lambda[i]));
    }
    double upper = Double.POSITIVE_INFINITY;
    boolean inRange = rangeGap <= 1e-10 * Math.sqrt(ty);
    DenseMatrix missing = null;
    if (inRange) {
      missing = correct(p, b, u);
      if (missing == null) {
        upper = ConvexReluProblem.groupNormSum(b);
      }
    }
    double[] after = p.predictWeights(b);
    double res = 0.0;
    for (int i = 0; i < n; i++) {
      res += (after[i] - y[i]) * (after[i] - y[i]);
    }
    res = Math.sqrt(res);
    double violation = p.constraintViolation(p.forward(b));
    double gap = Double.isFinite(upper) ? (upper - lower) / upper : Double.POSITIVE_INFINITY;
    boolean ok = gap <= tolerance && res <= 1e-8 * Math.sqrt(ty)
        && violation <= Certification.allowedViolation(options, Certification.labelScale(y));
    String status = ok ? "certified"
        : !inRange ? "no interpolating point built: the residual is not in the range of X"
            + " (rank X < n)"
        : missing != null ? "no interpolating point built over these patterns (the patterns"
            + " of the correction were added for the next beta)"
        : String.format(Locale.ROOT, "bracket not within the tolerance (gap %.2e, residual"
            + " %.1e, violation %.1e)", gap, res, violation);
    return new Bracket(new Result(b, p.patterns(), upper, lower, gap, res, violation, p.beta(),
        ok, status, List.of()), missing);
  }

  /** {@code set} with the patterns of {@code gates} appended (the old ones keep their places). */
  private static SignPatterns grown(DenseMatrix x, SignPatterns set, DenseMatrix gates) {
    DenseMatrix g = set.gates();
    DenseMatrix all = new DenseMatrix(g.rows(), g.cols() + gates.cols());
    System.arraycopy(g.data(), 0, all.data(), 0, g.data().length);
    System.arraycopy(gates.data(), 0, all.data(), g.data().length, gates.data().length);
    return SignPatterns.fromGates(x, all);
  }

  /** ReLU blocks [v, w] over {@code from} patterns, with zero blocks for the added ones. */
  private static DenseMatrix padded(DenseMatrix b, int from, int to) {
    int d = b.rows();
    DenseMatrix out = new DenseMatrix(d, 2 * to);
    System.arraycopy(b.data(), 0, out.data(), 0, d * from);
    System.arraycopy(b.data(), d * from, out.data(), d * to, d * from);
    return out;
  }

  /** y^T lambda / max_i of the dual constraint norms at (lambda, multipliers). */
  private static double lowerBound(ConvexReluProblem p, double[] lambda,
      DenseMatrix multipliers) {
    DenseMatrix rr = new DenseMatrix(p.n(), p.blockCount());
    p.maskedResidual(lambda, rr);
    if (multipliers != null) {
      p.block().addConeTerm(multipliers, rr);
    }
    DenseMatrix c = p.adjoint(rr);
    double worst = 0.0;
    for (int j = 0; j < c.cols(); j++) {
      worst = Math.max(worst, c.columnNorm(j));
    }
    double ty = 0.0;
    for (int i = 0; i < lambda.length; i++) {
      ty += p.y()[i] * lambda[i];
    }
    return worst > 0.0 ? ty / worst : Double.NEGATIVE_INFINITY;
  }

  /**
   * Adds u to v_a and -u to w_b (a, b the patterns of u and -u). When a needed pattern is not
   * in the set, leaves {@code b} as it was and returns the gates [u, -u] to add; else null.
   */
  private static DenseMatrix correct(ConvexReluProblem p, DenseMatrix b, double[] u) {
    int d = p.d();
    int patterns = p.patternCount();
    DenseMatrix gates = new DenseMatrix(d, 2);
    for (int k = 0; k < d; k++) {
      gates.set(k, 0, u[k]);
      gates.set(k, 1, -u[k]);
    }
    byte[] masks = SignPatterns.computeMask(p.x(), gates);
    int[] at = p.patterns().indexOf(masks, 2);
    int[] column = {at[0], at[1] < 0 ? -1 : patterns + at[1]};
    boolean[] empty = {true, true};
    for (int s = 0; s < 2; s++) {
      for (int i = 0; i < p.n(); i++) {
        empty[s] &= masks[s * p.n() + i] == 0;
      }
      if (!empty[s] && column[s] < 0) {
        return gates;
      }
    }
    double[] sign = {1.0, -1.0};
    for (int s = 0; s < 2; s++) {
      if (empty[s]) {
        continue;
      }
      for (int k = 0; k < d; k++) {
        b.set(k, column[s], b.get(k, column[s]) + sign[s] * u[k]);
      }
    }
    return null;
  }

  private static double[] times(DenseMatrix x, double[] u) {
    DenseMatrix z = new DenseMatrix(x.rows(), 1);
    io.cvxrelu.linalg.Blas.gemm(false, false, 1.0, x, new DenseMatrix(u.length, 1, u.clone()),
        0.0, z);
    return z.data();
  }
}
