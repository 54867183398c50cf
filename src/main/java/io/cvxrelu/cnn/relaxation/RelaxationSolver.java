package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.cnn.relaxation.PatchNewtonSystem.Direction;
import io.cvxrelu.cnn.relaxation.RelaxationResult.Outcome;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.StopReason;

/**
 * A structured primal-dual interior point (Mehrotra predictor-corrector, infeasible start) for
 * the randomized relaxations of Bartan and Pilanci: the LP (9) with its dual (10), and the QP
 * (8). The n k patch variables z_ij and their slacks and multipliers are eliminated
 * elementwise ({@link PatchNewtonSystem}), so each iteration factors one f x f matrix and costs
 * O(n k f^2), in GEMMs.
 *
 * <p>When the interior point does not converge, Farkas' lemma decides boundedness: both programs are bounded
 * exactly when r lies in cone{X_ij^T}, i.e. when NNLS min_{lambda &gt;= 0} ||sum lambda_ij
 * X_ij^T - r|| is zero. Otherwise the NNLS residual d = r - sum lambda_ij X_ij^T satisfies
 * X_ij d &lt;= 0 for every patch and r^T d = ||d||^2 &gt; 0: moving w along d keeps z feasible
 * and raises r^T w without bound, a certified ray.
 *
 * <p>The problem is scaled first (y to unit size, and for the LP r to unit norm), and the
 * values are reported in the original units.
 */
public final class RelaxationSolver {
  /** Relative tolerance on residuals and gap, and the iteration cap. */
  public record Options(double tolerance, int maxIterations) {
    /** 1e-10 and 200 iterations: enough for recovery to relative error 1e-6 with margin. */
    public static Options defaults() {
      return new Options(1e-10, 200);
    }
  }

  private static final double STEP_FRACTION = 0.995;
  /**
   * On the scaled problem (y &lt;= 1) a bounded optimum has |X_ij w| of order 1; iterates with
   * max|w| max|X| this large are running along a ray of an unbounded program.
   */
  private static final double DIVERGED = 1e12;

  private final Options options;

  public RelaxationSolver(Options options) {
    this.options = options;
  }

  public RelaxationSolver() {
    this(Options.defaults());
  }

  /** Solves one relaxation. */
  public RelaxationResult solve(RelaxationProblem problem) {
    RelaxationResult result = new Run(problem, options).iterate();
    if (result.certified()) {
      return result;
    }
    // A run that did not converge may be an unbounded program (its iterates run off along the
    // ray); Farkas decides, and only then, so the bounded draws pay no NNLS.
    double[] ray = unboundedRay(problem.design(), problem.cost());
    if (ray != null) {
      double inf = problem.linear() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      return new RelaxationResult(ray, Outcome.UNBOUNDED, StopReason.CONVERGED, inf, inf, 0.0,
          Double.NaN, result.iterations());
    }
    return result;
  }

  /**
   * The certified ray when c is outside cone{X_ij^T} (the dual is infeasible), else null. The
   * ray is accepted only when the NNLS residual is a clear distance from zero and every patch
   * response along it is non-positive up to rounding.
   */
  static double[] unboundedRay(PatchDesign design, double[] c) {
    int f = design.filterSize();
    int n = design.n();
    int k = design.blocks();
    double cNorm = Blas.nrm2(f, c, 0);
    if (cNorm == 0.0) {
      return null;
    }
    // The f x n k matrix with columns X_ij^T (patch-major), the short wide shape NNLS wants.
    DenseMatrix cols = new DenseMatrix(f, n * k);
    double[] cd = cols.data();
    double[] xd = design.x().data();
    double maxNorm = 0.0;
    for (int j = 0; j < k; j++) {
      for (int l = 0; l < f; l++) {
        for (int i = 0; i < n; i++) {
          double v = xd[(j * f + l) * n + i];
          cd[(j * n + i) * f + l] = v;
        }
      }
    }
    for (int p = 0; p < n * k; p++) {
      maxNorm = Math.max(maxNorm, Blas.nrm2(f, cd, p * f));
    }
    double[] d = ConeNnls.residual(cols, c);
    double dNorm = Blas.nrm2(f, d, 0);
    if (dNorm <= 1e-9 * cNorm) {
      return null;
    }
    for (int l = 0; l < f; l++) {
      d[l] /= dNorm;
    }
    double[] resp = design.responses(d);
    for (double v : resp) {
      if (v > 1e-9 * maxNorm) {
        return null;
      }
    }
    return d;
  }

  /** One interior-point run on the scaled problem. */
  private static final class Run {
    private final RelaxationProblem problem;
    private final Options options;
    private final PatchDesign design;
    private final double kappa;
    private final double yScale;
    private final double cScale;
    private final double[] y;
    private final double[] c;
    private final int n;
    private final int count;
    private final double[] w;
    private final double[] z;
    private final double[] s;
    private final double[] lambda;
    private final double[] mu;
    private final double[] v;
    private final double xMax;
    private Residuals res;

    Run(RelaxationProblem problem, Options options) {
      this.problem = problem;
      this.options = options;
      this.design = problem.design();
      this.kappa = problem.linear() ? 0.0 : 1.0;
      this.n = design.n();
      this.count = design.patches();
      this.xMax = Math.max(maxAbs(design.x().data()), Double.MIN_NORMAL);
      double ymax = 0.0;
      for (double yi : problem.labels()) {
        ymax = Math.max(ymax, Math.abs(yi));
      }
      this.yScale = ymax > 0.0 ? ymax : 1.0;
      double[] cost = problem.cost();
      double cNorm = Blas.nrm2(cost.length, cost, 0);
      // The LP's optimal w does not depend on |r|; the QP's scaling of w by yScale turns its
      // objective into yScale^2 (1/2||.||^2 - (c / yScale)^T w).
      this.cScale = problem.linear() ? (cNorm > 0.0 ? cNorm : 1.0) : yScale;
      this.y = new double[n];
      for (int i = 0; i < n; i++) {
        y[i] = problem.labels()[i] / yScale;
      }
      this.c = new double[cost.length];
      for (int l = 0; l < cost.length; l++) {
        c[l] = cost[l] / cScale;
      }
      int k = design.blocks();
      w = new double[design.filterSize()];
      z = new double[count];
      s = new double[count];
      lambda = new double[count];
      mu = new double[count];
      v = new double[n];
      for (int p = 0; p < count; p++) {
        z[p] = y[p % n] / k + 1.0;
        s[p] = z[p];
        lambda[p] = 1.0;
        mu[p] = 1.0;
      }
      java.util.Arrays.fill(v, 2.0);
    }

    RelaxationResult iterate() {
      StopReason reason = StopReason.MAX_ITERATIONS;
      int it = 0;
      res = residuals();
      for (; it < options.maxIterations(); it++) {
        if (res.converged(options.tolerance())) {
          reason = StopReason.CONVERGED;
          break;
        }
        PatchNewtonSystem system;
        try {
          system = new PatchNewtonSystem(design, kappa, s, z, lambda, mu);
        } catch (ArithmeticException e) {
          reason = StopReason.NUMERICAL_FAILURE;
          break;
        }
        double alpha = predictorCorrector(system);
        res = residuals();
        if (Run.maxAbs(w) * xMax > DIVERGED) {
          reason = StopReason.STALLED;
          break;
        }
        if (alpha < 1e-12) {
          reason = res.converged(options.tolerance()) ? StopReason.CONVERGED : StopReason.STALLED;
          break;
        }
      }
      if (it == options.maxIterations() && res.converged(options.tolerance())) {
        reason = StopReason.CONVERGED;
      }
      return result(reason, it);
    }

    /** One Mehrotra step: affine direction, centring sigma = (gap_aff / gap)^3, corrector. */
    private double predictorCorrector(PatchNewtonSystem system) {
      double[] rc1 = new double[count];
      double[] rc2 = new double[count];
      for (int p = 0; p < count; p++) {
        rc1[p] = lambda[p] * s[p];
        rc2[p] = mu[p] * z[p];
      }
      Direction aff = system.solve(res.rw, res.rz, res.req, res.rs, rc1, rc2);
      double aAff = maxStep(aff);
      double gap = res.complementarity / (2.0 * count);
      double gapAff = 0.0;
      for (int p = 0; p < count; p++) {
        gapAff += (lambda[p] + aAff * aff.dlambda()[p]) * (s[p] + aAff * aff.ds()[p])
            + (mu[p] + aAff * aff.dmu()[p]) * (z[p] + aAff * aff.dz()[p]);
      }
      gapAff /= 2.0 * count;
      double sigma = Math.pow(Math.max(0.0, gapAff) / gap, 3);
      double target = sigma * gap;
      for (int p = 0; p < count; p++) {
        rc1[p] += aff.dlambda()[p] * aff.ds()[p] - target;
        rc2[p] += aff.dmu()[p] * aff.dz()[p] - target;
      }
      Direction d = system.solve(res.rw, res.rz, res.req, res.rs, rc1, rc2);
      double alpha = Math.min(1.0, STEP_FRACTION * maxStep(d));
      axpy(alpha, d.dw(), w);
      axpy(alpha, d.dz(), z);
      axpy(alpha, d.ds(), s);
      axpy(alpha, d.dlambda(), lambda);
      axpy(alpha, d.dmu(), mu);
      axpy(alpha, d.dv(), v);
      return alpha;
    }

    /** The largest step in (0, inf) keeping s, z, lambda and mu non-negative. */
    private double maxStep(Direction d) {
      double a = Double.POSITIVE_INFINITY;
      for (int p = 0; p < count; p++) {
        a = Math.min(a, ratio(s[p], d.ds()[p]));
        a = Math.min(a, ratio(z[p], d.dz()[p]));
        a = Math.min(a, ratio(lambda[p], d.dlambda()[p]));
        a = Math.min(a, ratio(mu[p], d.dmu()[p]));
      }
      return a;
    }

    private static double ratio(double x, double dx) {
      return dx < 0.0 ? -x / dx : Double.POSITIVE_INFINITY;
    }

    private static void axpy(double a, double[] x, double[] y) {
      for (int i = 0; i < y.length; i++) {
        y[i] += a * x[i];
      }
    }

    /** The residuals of the KKT equations and the objectives, on the scaled problem. */
    private Residuals residuals() {
      Residuals r = new Residuals();
      r.rw = design.adjoint(lambda);
      for (int l = 0; l < c.length; l++) {
        r.rw[l] -= c[l];
      }
      double[] bw = design.responses(w);
      r.rz = new double[count];
      r.rs = new double[count];
      double[] rowSum = new double[n];
      for (int p = 0; p < count; p++) {
        r.rz[p] = v[p % n] - lambda[p] - mu[p];
        r.rs[p] = s[p] - z[p] + bw[p];
        rowSum[p % n] += z[p];
        r.complementarity += lambda[p] * s[p] + mu[p] * z[p];
      }
      r.req = new double[n];
      double fit = 0.0;
      double yv = 0.0;
      double vv = 0.0;
      for (int i = 0; i < n; i++) {
        r.req[i] = rowSum[i] - y[i] - kappa * v[i];
        fit += (rowSum[i] - y[i]) * (rowSum[i] - y[i]);
        yv += y[i] * v[i];
        vv += v[i] * v[i];
      }
      double cw = Blas.dot(c.length, c, w);
      // Both programs as minimisations: P = kappa/2 ||E z - y||^2 - c^T w, D = -y^T v -
      // kappa/2 ||v||^2 (the LP's max r^T w = min y^T v read with signs flipped).
      r.primal = 0.5 * kappa * fit - cw;
      r.dual = -yv - 0.5 * kappa * vv;
      r.primalScale = 1.0 + Math.max(maxAbs(y), maxAbs(z));
      r.dualScale = 1.0 + Math.max(maxAbs(c), maxAbs(v));
      return r;
    }

    private RelaxationResult result(StopReason reason, int iterations) {
      double[] filter = w.clone();
      for (int l = 0; l < filter.length; l++) {
        filter[l] *= yScale;
      }
      // Unscaled values: the LP's scale is yScale * cScale, the QP's yScale^2 (= yScale cScale).
      double scale = yScale * cScale;
      double sign = problem.linear() ? -1.0 : 1.0;
      Outcome outcome = reason == StopReason.CONVERGED ? Outcome.OPTIMAL : Outcome.NOT_SOLVED;
      return new RelaxationResult(filter, outcome, reason, sign * scale * res.primal,
          sign * scale * res.dual, res.primalViolation(), res.dualViolation(), iterations);
    }

    private static double maxAbs(double[] a) {
      double m = 0.0;
      for (double x : a) {
        m = Math.max(m, Math.abs(x));
      }
      return m;
    }
  }

  /** KKT residuals at an iterate (names as in {@link PatchNewtonSystem}). */
  private static final class Residuals {
    double[] rw;
    double[] rz;
    double[] req;
    double[] rs;
    double complementarity;
    double primal;
    double dual;
    double primalScale;
    double dualScale;

    double primalViolation() {
      return Math.max(Run.maxAbs(req), Run.maxAbs(rs)) / primalScale;
    }

    double dualViolation() {
      return Math.max(Run.maxAbs(rw), Run.maxAbs(rz)) / dualScale;
    }

    boolean converged(double tol) {
      double size = 1.0 + Math.abs(primal);
      return primalViolation() <= tol && dualViolation() <= tol
          && complementarity <= tol * size && Math.abs(primal - dual) <= tol * size;
    }
  }
}
