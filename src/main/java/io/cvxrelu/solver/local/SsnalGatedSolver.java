package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Parallel;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.OperatorNorms;
import java.util.ArrayList;
import java.util.List;

/**
 * Semismooth Newton augmented Lagrangian method (SSNAL) for the gated-ReLU group lasso with
 * squared loss, min_B h(A B) + p(B), h(z) = 1/2 ||z - y||^2, p(B) = beta sum_i ||B_i||,
 * A B = sum_i D_i X B_i (Pilanci and Ergen 2020, eq. (8) without the cone constraints).
 *
 * <p>It follows Li, Sun and Toh, "A highly efficient semismooth Newton augmented Lagrangian
 * method for solving Lasso problems", SIAM J. Optim. 28 (2018), Algorithm 1 (SSNAL) and
 * Algorithm 2 (SSN), with the group-lasso proximal Jacobian of Zhang, Zhang, Sun and Toh,
 * Math. Program. 179 (2020), Section 3. The augmented Lagrangian method runs on the dual
 * <pre>
 *   min_{xi, u} h*(xi) + p*(u)  s.t.  A^T xi + u = 0,   h*(xi) = 1/2 ||xi||^2 + &lt;y, xi&gt;,
 * </pre>
 * with the primal weights B as multiplier and penalty sigma (LST eq. (17)). Minimising the
 * augmented Lagrangian over u in closed form leaves the inner problem (LST eq. (19))
 * <pre>
 *   psi(xi) = h*(xi) + 1/(2 sigma) ||prox_{sigma p}(B - sigma A^T xi)||^2 - ||B||^2/(2 sigma),
 *   grad psi(xi) = xi + y - A prox_{sigma p}(B - sigma A^T xi),
 * </pre>
 * solved by semismooth Newton steps on the generalised Hessian I + sigma A J A^T (LST eq. (23);
 * ZZST Proposition 3.2): for the group soft-threshold at W = B - sigma A^T xi the Jacobian is
 * block diagonal with J_i = (1 - c_i) I + c_i w_i w_i^T / ||w_i||^2, c_i = sigma beta /
 * ||w_i||, on the groups with ||w_i|| &gt; sigma beta and 0 elsewhere. The Newton system is
 * solved by conjugate gradients whose matrix-vector products touch only the active groups (a
 * compacted copy of their mask columns), so a CG step costs 4 n d r flops for r active groups
 * instead of the 4 n d P of a full pass; a full adjoint pass is needed once per Newton step
 * for the line search (A^T of the direction, over all groups), after which the Armijo search
 * on psi (LST Algorithm 2, step 2) costs only group prox evaluations. After each inner solve,
 * B &lt;- prox_{sigma p}(B - sigma A^T xi) (LST Algorithm 1, step 2) and sigma grows.
 *
 * <p>The CG matrix I + sigma A J A^T is preconditioned by an exact inverse (Woodbury, one
 * d x d Cholesky factor) of a model of it: the mean part X (sum_i q_i^2 J_i) X^T of
 * sum_i D_i X J_i X^T D_i (q_i the fraction of rows pattern i switches on), which carries the
 * d large eigenvalues, plus a diagonal that makes the model's diagonal exact. It is used when
 * d is at most the number of active groups, so that setting it up (O(n d^2)) costs no more
 * than a CG step.
 *
 * <p>After every Newton step the prox point B~ = prox_{sigma p}(B - sigma A^T xi), whose
 * predictions the gradient already needed, is certified against the dual point -xi scaled into
 * the dual feasible set ({@link Certificate#fromDualNorm}, the construction of
 * {@link Certificate#atPrediction} with the method's own dual iterate instead of the residual;
 * both are the residual at the optimum). A^T xi is kept up to date from the line search, so the
 * certificate costs no pass; it is recomputed in one pass before convergence is claimed. The
 * history has one record per Newton step: {@code iteration} counts Newton steps (the unit of
 * {@link SolverOptions#maxIterations}) and {@code innerIterations} the CG steps so far.
 */
public final class SsnalGatedSolver implements ConvexSolver {
  /** Armijo constant of the line search (LST Algorithm 2, mu). */
  private static final double ARMIJO = 1e-4;
  /** Newton steps per inner solve before the outer update is taken anyway. */
  private static final int MAX_NEWTON = 40;
  /** CG steps per Newton system. */
  private static final int MAX_CG = 300;
  /** delta of the inner stopping test (LST criterion (B)). */
  private static final double DELTA = 1.0;
  /** Largest relative residual of CG. */
  private static final double CG_TOLERANCE = 0.1;

  private final double initialSigmaScale;
  private final double sigmaGrowth;
  private final double sigmaMaxScale;

  /** Defaults: sigma_0 = 1 / ||A||^2, growing by 5 per outer iteration up to 10^6 / ||A||^2. */
  public SsnalGatedSolver() {
    this(1.0, 5.0, 1e6);
  }

  /**
   * @param initialSigmaScale sigma_0 ||A||^2
   * @param sigmaGrowth factor applied to sigma after each outer iteration (at least 1)
   * @param sigmaMaxScale largest sigma ||A||^2
   */
  public SsnalGatedSolver(double initialSigmaScale, double sigmaGrowth, double sigmaMaxScale) {
    if (!(initialSigmaScale > 0.0) || !(sigmaGrowth >= 1.0)
        || !(sigmaMaxScale >= initialSigmaScale)) {
      throw new IllegalArgumentException("need sigma_0 > 0, growth >= 1, sigma_max >= sigma_0");
    }
    this.initialSigmaScale = initialSigmaScale;
    this.sigmaGrowth = sigmaGrowth;
    this.sigmaMaxScale = sigmaMaxScale;
  }

  /**
   * Budget for the solver's own arrays of n rows (compacted mask columns of the active groups,
   * the preconditioner's n x d factors), in doubles: n (P + 2 d) at most, within a quarter of
   * the JVM's heap and never below 5 10^7 (400 MB).
   */
  public static final long MAX_DOUBLES = Math.max(50_000_000L,
      Runtime.getRuntime().maxMemory() / Double.BYTES / 4);

  /**
   * Whether this is the default for the problem ({@link ConvexSolver#forProblem}): the gated
   * formulation, squared loss, and working arrays within {@link #MAX_DOUBLES}.
   */
  public static boolean supports(ConvexReluProblem problem) {
    return problem.formulation() == Formulation.GATED && problem.loss() instanceof SquaredLoss
        && (long) problem.n() * (problem.blockCount() + 2L * problem.d()) <= MAX_DOUBLES;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (problem.formulation() != Formulation.GATED) {
      throw new IllegalArgumentException("SsnalGatedSolver solves the gated formulation only");
    }
    if (!(problem.loss() instanceof SquaredLoss)) {
      throw new IllegalArgumentException("SsnalGatedSolver needs the squared loss, got "
          + problem.loss().name());
    }
    return new Run(problem, options, listener).solve(warmStart);
  }

  /** State of one solve. */
  private final class Run {
    private final ConvexReluProblem problem;
    private final SolverOptions options;
    private final IterationListener listener;
    private final long start = System.nanoTime();
    private final int n;
    private final int d;
    private final int p;
    private final double beta;
    private final double[] y;
    private final List<IterationRecord> history = new ArrayList<>();
    private long newtonSteps;
    private long cgSteps;
    /** The weights of the last record, their predictions and certificate. */
    private DenseMatrix weights;
    private double[] prediction;
    private Certificate certificate;
    /** Whether {@link #certificate} is the residual certificate at {@link #weights}. */
    private boolean residualCertificate;
    /** Fraction of rows each pattern switches on (the mean of its mask column). */
    private final double[] onFraction;

    Run(ConvexReluProblem problem, SolverOptions options, IterationListener listener) {
      this.problem = problem;
      this.options = options;
      this.listener = listener;
      this.n = problem.n();
      this.d = problem.d();
      this.p = problem.blockCount();
      this.beta = problem.beta();
      this.y = problem.y();
      this.onFraction = new double[p];
      double[] mask = problem.maskValues();
      for (int j = 0; j < p; j++) {
        double on = 0.0;
        for (int k = j * n; k < (j + 1) * n; k++) {
          on += mask[k];
        }
        onFraction[j] = on / n;
      }
    }

    double seconds() {
      return (System.nanoTime() - start) * 1e-9;
    }

    SolverResult solve(DenseMatrix warmStart) {
      DenseMatrix b = warmStart != null ? warmStart.copy() : problem.zeroWeights();
      if (b.rows() != d || b.cols() != p) {
        throw new IllegalArgumentException("warm start is " + b.rows() + " x " + b.cols()
            + ", expected " + d + " x " + p);
      }
      double[] predB = problem.predictWeights(b);
      // Warm start of the dual: xi = grad h(A B) = A B - y, the optimal xi for the given B.
      double[] xi = new double[n];
      for (int k = 0; k < n; k++) {
        xi[k] = predB[k] - y[k];
      }
      DenseMatrix atXi = problem.maskedAdjoint(xi);
      weights = b;
      prediction = predB;
      certificate = Certificate.atPrediction(problem, b, predB, 0.0);
      residualCertificate = true;
      if (!finite(certificate)) {
        return result(StopReason.NUMERICAL_FAILURE);
      }
      if (certificate.relativeGap() <= options.tolerance()) {
        return result(StopReason.CONVERGED);
      }
      double normA2 = OperatorNorms.lossOperatorNormSquared(problem, 8);
      double sigma = initialSigmaScale / Math.max(normA2, Double.MIN_NORMAL);
      double sigmaMax = sigmaMaxScale / Math.max(normA2, Double.MIN_NORMAL);
      Inner inner = new Inner();
      while (true) {
        StopReason reason = inner.solve(b, xi, atXi, sigma);
        if (reason != null) {
          return result(reason);
        }
        // LST Algorithm 1, step 2: the multiplier update B <- prox_{sigma p}(B - sigma A^T xi).
        b = inner.prox;
        sigma = Math.min(sigmaMax, sigma * sigmaGrowth);
      }
    }

    /**
     * The certificate of the primal point (weights, with predictions A weights) against the
     * dual point -xi scaled into the dual feasible set; atXi = A^T xi gives its dual norm
     * without another pass. Any dual point gives a lower bound by weak duality, and -xi is the
     * dual iterate of the method itself (at the optimum xi = A B - y, so this is then the
     * certificate {@link Certificate#atPrediction} builds from the residual).
     */
    private Certificate certify(DenseMatrix weights, double[] pred, double[] xi,
        DenseMatrix atXi) {
      double loss = 0.0;
      double[] lambda = new double[n];
      for (int k = 0; k < n; k++) {
        double r = pred[k] - y[k];
        loss += 0.5 * r * r;
        lambda[k] = -xi[k];
      }
      double worst = 0.0;
      for (int j = 0; j < p; j++) {
        worst = Math.max(worst, atXi.columnNorm(j));
      }
      return Certificate.fromDualNorm(problem, loss + problem.regularizer(weights), lambda,
          worst, 0.0);
    }

    /**
     * Certifies the prox point after a Newton step, records it and applies the stopping rules.
     * Before convergence is claimed A^T xi (updated incrementally) is recomputed in one pass.
     *
     * @return why to stop, or null to go on
     */
    StopReason afterStep(DenseMatrix prox, double[] pred, double[] xi, DenseMatrix atXi) {
      Certificate cert = certify(prox, pred, xi, atXi);
      weights = prox;
      prediction = pred;
      residualCertificate = false;
      if (finite(cert) && cert.relativeGap() <= options.tolerance()) {
        DenseMatrix exact = problem.maskedAdjoint(xi);
        System.arraycopy(exact.data(), 0, atXi.data(), 0, exact.data().length);
        cert = certify(prox, pred, xi, atXi);
        if (cert.relativeGap() <= options.tolerance()) {
          // Convergence is claimed on the certificate every solver reports (from the residual
          // at the weights), which callers such as column generation rebuild from the weights.
          Certificate residual = Certificate.atPrediction(problem, prox, pred, 0.0);
          if (residual.relativeGap() <= options.tolerance()) {
            cert = residual;
            residualCertificate = true;
          }
        }
      }
      certificate = cert;
      double seconds = seconds();
      IterationRecord rec = new IterationRecord((int) newtonSteps, cgSteps, cert.objective(),
          cert.lowerBound(), cert.relativeGap(), 0.0, seconds);
      history.add(rec);
      if (!finite(cert)) {
        return StopReason.NUMERICAL_FAILURE;
      }
      if (residualCertificate) {
        return StopReason.CONVERGED;
      }
      if (!listener.onIteration(rec, prox)) {
        return StopReason.STOPPED_BY_LISTENER;
      }
      if (newtonSteps >= options.maxIterations()) {
        return StopReason.MAX_ITERATIONS;
      }
      if (seconds >= options.maxSeconds()) {
        return StopReason.TIME_LIMIT;
      }
      return null;
    }

    /**
     * The result at the last certified weights, with the residual certificate
     * {@link Certificate#atPrediction} (one pass if the last record was certified from xi).
     */
    private SolverResult result(StopReason reason) {
      Certificate cert = certificate;
      if (!residualCertificate && finite(cert)) {
        cert = Certificate.atPrediction(problem, weights, prediction, 0.0);
      }
      return new SolverResult(weights.copy(), cert, reason, List.copyOf(history),
          newtonSteps, seconds(), null);
    }

    /** The semismooth Newton solve of one inner problem min psi (LST Algorithm 2). */
    private final class Inner {
      DenseMatrix prox;
      private final DenseMatrix w = new DenseMatrix(d, p);
      private final double[] norms = new double[p];
      private final double yNorm = Math.sqrt(dot(y, y));

      /**
       * Minimises psi over xi (updated in place, with atXi = A^T xi) for the multiplier b,
       * certifying the prox point after every Newton step; leaves
       * prox = prox_{sigma p}(b - sigma A^T xi).
       *
       * @return why the whole solve stops, or null when the inner problem is solved to the
       *     (LST (B2)-type) accuracy and the multiplier may be updated
       */
      StopReason solve(DenseMatrix b, double[] xi, DenseMatrix atXi, double sigma) {
        double psi = evaluate(atXi, 0.0, null, sigma, xi, null, b);
        double[] grad = new double[n];
        for (int it = 0; ; it++) {
          // prox, active set and gradient at the current xi.
          prox = proxAt(b, atXi, sigma);
          ActiveGroups act = new ActiveGroups(sigma);
          double[] predProx = act.predict(prox);
          double gNorm2 = 0.0;
          for (int k = 0; k < n; k++) {
            grad[k] = xi[k] + y[k] - predProx[k];
            gNorm2 += grad[k] * grad[k];
          }
          double gNorm = Math.sqrt(gNorm2);
          if (!Double.isFinite(gNorm) || !Double.isFinite(psi)) {
            return StopReason.NUMERICAL_FAILURE;
          }
          if (it > 0) {
            StopReason reason = afterStep(prox, predProx, xi, atXi);
            if (reason != null) {
              return reason;
            }
          }
          // LST criterion (B): ||grad psi|| &lt;= delta / sqrt(sigma) ||B_new - B||, with an
          // absolute floor so that a converged multiplier does not demand an exact solve.
          double move = Math.sqrt(frob2Diff(prox, b));
          double target = Math.max(DELTA * move / Math.sqrt(sigma), 1e-12 * (1.0 + yNorm));
          if ((it > 0 && gNorm <= target) || it >= MAX_NEWTON) {
            return null;
          }
          // Newton direction: (I + sigma A J A^T) dir = -grad by CG to a relative residual
          // shrinking with ||grad|| (LST Algorithm 2, step 1).
          double relTol = Math.min(CG_TOLERANCE, Math.pow(gNorm / (1.0 + yNorm), 0.5));
          double[] dir = act.conjugateGradient(grad, sigma, Math.max(relTol, 1e-10));
          newtonSteps++;
          DenseMatrix atDir = problem.maskedAdjoint(dir);
          double slope = dot(grad, dir);
          if (!(slope < 0.0)) {
            // Not a descent direction (CG broke down): fall back to steepest descent.
            for (int k = 0; k < n; k++) {
              dir[k] = -grad[k];
            }
            atDir = problem.maskedAdjoint(dir);
            slope = -gNorm2;
          }
          double alpha = 1.0;
          double next = Double.NaN;
          boolean accepted = false;
          for (int ls = 0; ls < 50; ls++) {
            next = evaluate(atXi, alpha, atDir, sigma, xi, dir, b);
            if (next <= psi + ARMIJO * alpha * slope) {
              accepted = true;
              break;
            }
            alpha *= 0.5;
          }
          if (!accepted) {
            // psi cannot be decreased further in floating point.
            return StopReason.STALLED;
          }
          for (int k = 0; k < n; k++) {
            xi[k] += alpha * dir[k];
          }
          double[] ax = atXi.data();
          double[] ad = atDir.data();
          for (int k = 0; k < ax.length; k++) {
            ax[k] += alpha * ad[k];
          }
          psi = next;
        }
      }

      /**
       * psi at xi + alpha dir (up to the constant -||B||^2 / (2 sigma), which is the same for
       * every trial point), given A^T xi and A^T dir.
       */
      private double evaluate(DenseMatrix atXi, double alpha, DenseMatrix atDir,
          double sigma, double[] xi, double[] dir, DenseMatrix b) {
        double h = 0.0;
        for (int k = 0; k < n; k++) {
          double v = dir == null ? xi[k] : xi[k] + alpha * dir[k];
          h += 0.5 * v * v + y[k] * v;
        }
        double[] bd = b.data();
        double[] a = atXi.data();
        double[] ad = atDir == null ? null : atDir.data();
        double proxNorm2 = 0.0;
        double threshold = sigma * beta;
        for (int j = 0; j < p; j++) {
          double s = 0.0;
          int off = j * d;
          for (int k = off; k < off + d; k++) {
            double v = bd[k] - sigma * (ad == null ? a[k] : a[k] + alpha * ad[k]);
            s += v * v;
          }
          double norm = Math.sqrt(s);
          if (norm > threshold) {
            double shrunk = norm - threshold;
            proxNorm2 += shrunk * shrunk;
          }
        }
        return h + proxNorm2 / (2.0 * sigma);
      }

      /** prox_{sigma p}(b - sigma atXi), the group soft-threshold; keeps the norms of W. */
      private DenseMatrix proxAt(DenseMatrix b, DenseMatrix atXi, double sigma) {
        double[] bd = b.data();
        double[] a = atXi.data();
        double[] wd = w.data();
        DenseMatrix out = new DenseMatrix(d, p);
        double[] od = out.data();
        double threshold = sigma * beta;
        for (int j = 0; j < p; j++) {
          int off = j * d;
          double s = 0.0;
          for (int k = off; k < off + d; k++) {
            double v = bd[k] - sigma * a[k];
            wd[k] = v;
            s += v * v;
          }
          double norm = Math.sqrt(s);
          norms[j] = norm;
          if (norm > threshold) {
            double scale = 1.0 - threshold / norm;
            for (int k = off; k < off + d; k++) {
              od[k] = scale * wd[k];
            }
          }
        }
        return out;
      }

      /**
       * The groups with ||w_i|| &gt; sigma beta, with their mask columns compacted, and the
       * generalised Jacobian of the prox on them.
       */
      private final class ActiveGroups {
        final int[] cols;
        final double[] coef;
        final RowBlock rows;

        ActiveGroups(double sigma) {
          double threshold = sigma * beta;
          int r = 0;
          for (int j = 0; j < p; j++) {
            if (norms[j] > threshold) {
              r++;
            }
          }
          cols = new int[r];
          coef = new double[r];
          r = 0;
          for (int j = 0; j < p; j++) {
            if (norms[j] > threshold) {
              cols[r] = j;
              coef[r] = threshold / norms[j];
              r++;
            }
          }
          double[] all = problem.maskValues();
          double[] mask = new double[n * cols.length];
          for (int c = 0; c < cols.length; c++) {
            System.arraycopy(all, cols[c] * n, mask, c * n, n);
          }
          rows = new RowBlock(0, problem.x(), y, mask, cols.length);
        }

        /** A B restricted to the active columns of B (the others are zero in a prox). */
        double[] predict(DenseMatrix full) {
          DenseMatrix sub = new DenseMatrix(d, cols.length);
          for (int c = 0; c < cols.length; c++) {
            System.arraycopy(full.data(), cols[c] * d, sub.data(), c * d, d);
          }
          return predictSub(sub);
        }

        private double[] predictSub(DenseMatrix sub) {
          return cols.length == 0 ? new double[n]
              : rows.predictWeightsSplit(sub, Formulation.GATED);
        }

        private DenseMatrix adjointSub(double[] v) {
          return rows.maskedAdjointSplit(v, Formulation.GATED, cols.length);
        }

        /** (I + sigma A J A^T) v. */
        double[] apply(double[] v, double sigma) {
          if (cols.length == 0) {
            return v.clone();
          }
          DenseMatrix t = adjointSub(v);
          double[] td = t.data();
          double[] wd = w.data();
          for (int c = 0; c < cols.length; c++) {
            int off = c * d;
            int woff = cols[c] * d;
            double wn = norms[cols[c]];
            double proj = 0.0;
            for (int k = 0; k < d; k++) {
              proj += wd[woff + k] * td[off + k];
            }
            double cc = coef[c];
            double along = cc * proj / (wn * wn);
            for (int k = 0; k < d; k++) {
              td[off + k] = (1.0 - cc) * td[off + k] + along * wd[woff + k];
            }
          }
          double[] out = predictSub(t);
          for (int k = 0; k < n; k++) {
            out[k] = v[k] + sigma * out[k];
          }
          return out;
        }

        /**
         * Preconditioned CG for (I + sigma A J A^T) x = -g to ||residual|| &lt;= relTol ||g||
         * (LST Algorithm 2, step 1), preconditioned by {@link Preconditioner}.
         */
        double[] conjugateGradient(double[] g, double sigma, double relTol) {
          Preconditioner pre = null;
          if (cols.length >= d) {
            try {
              pre = new Preconditioner(sigma);
            } catch (ArithmeticException e) {
              // A model that is not numerically positive definite: plain CG still converges.
              pre = null;
            }
          }
          double[] x = new double[n];
          double[] r = new double[n];
          for (int k = 0; k < n; k++) {
            r[k] = -g[k];
          }
          double[] z = pre == null ? r.clone() : pre.apply(r);
          double[] dirn = z.clone();
          double rz = dot(r, z);
          double rr = dot(r, r);
          double stop = relTol * relTol * rr;
          for (int it = 0; it < MAX_CG && rr > stop; it++) {
            double[] q = apply(dirn, sigma);
            cgSteps++;
            double curv = dot(dirn, q);
            if (!(curv > 0.0)) {
              break;
            }
            double step = rz / curv;
            for (int k = 0; k < n; k++) {
              x[k] += step * dirn[k];
              r[k] -= step * q[k];
            }
            rr = dot(r, r);
            z = pre == null ? r.clone() : pre.apply(r);
            double rzNext = dot(r, z);
            double ratio = rzNext / rz;
            rz = rzNext;
            for (int k = 0; k < n; k++) {
              dirn[k] = z[k] + ratio * dirn[k];
            }
          }
          return x;
        }

        /**
         * An inverse of the model E + sigma X C X^T of I + sigma A J A^T, applied by the
         * Sherman-Morrison-Woodbury formula with one d x d Cholesky factor. Writing
         * D_i = E[D_i] + (D_i - E[D_i]), the mean part of sum_i D_i X J_i X^T D_i is
         * X (sum_i q_i^2 J_i) X^T (q_i the fraction of rows pattern i switches on), a rank-d
         * term carrying the large eigenvalues that dominate CG's iteration count; the diagonal
         * E = I + sigma (diag(A J A^T) - diag(X C X^T)) keeps the model's diagonal exact.
         * Setting it up costs one n x d x r GEMM (for the diagonal) and O(n d^2).
         */
        private final class Preconditioner {
          private final double[] inverseE;
          private final DenseMatrix u;
          private final Cholesky small;

          Preconditioner(double sigma) {
            int r = cols.length;
            double[] wd = w.data();
            // Unit directions of the active w_i, C = sum_i q_i^2 J_i.
            DenseMatrix unit = new DenseMatrix(d, r);
            double[] ud = unit.data();
            double[] scaled = new double[d * r];
            double identity = 0.0;
            double[] offOn = new double[r];
            for (int c = 0; c < r; c++) {
              int j = cols[c];
              double wn = norms[j];
              double qq = onFraction[j] * onFraction[j];
              identity += qq * (1.0 - coef[c]);
              offOn[c] = 1.0 - coef[c];
              for (int k = 0; k < d; k++) {
                ud[c * d + k] = wd[j * d + k] / wn;
                scaled[c * d + k] = qq * coef[c] * ud[c * d + k];
              }
            }
            DenseMatrix cm = new DenseMatrix(d, d);
            Blas.gemm(false, true, d, d, r, 1.0, scaled, 0, d, ud, 0, d, 0.0, cm.data(), 0, d);
            for (int k = 0; k < d; k++) {
              cm.data()[k * d + k] += identity;
            }
            double[] lower = cm.data();
            if (!Cholesky.factorInPlace(lower, 0, d)) {
              throw new ArithmeticException("preconditioner model is not positive definite");
            }
            // U = X L with C = L L^T, so X C X^T = U U^T.
            u = new DenseMatrix(n, d);
            Blas.gemm(false, false, n, d, d, 1.0, problem.x().data(), 0, n, lower, 0, d, 0.0,
                u.data(), 0, n);
            double[] diag = diagonal(unit, offOn);
            double[] udata = u.data();
            inverseE = new double[n];
            for (int k = 0; k < n; k++) {
              double rowU = 0.0;
              for (int c = 0; c < d; c++) {
                double v = udata[c * n + k];
                rowU += v * v;
              }
              inverseE[k] = 1.0 / (1.0 + sigma * Math.max(0.0, diag[k] - rowU));
            }
            // S = I / sigma + U^T E^{-1} U.
            DenseMatrix scaledU = new DenseMatrix(n, d);
            double[] su = scaledU.data();
            for (int c = 0; c < d; c++) {
              for (int k = 0; k < n; k++) {
                su[c * n + k] = inverseE[k] * udata[c * n + k];
              }
            }
            DenseMatrix sm = new DenseMatrix(d, d);
            Blas.gemm(true, false, 1.0, u, scaledU, 0.0, sm);
            for (int k = 0; k < d; k++) {
              sm.data()[k * d + k] += 1.0 / sigma;
            }
            small = Cholesky.factor(sm);
          }

          /**
           * diag(A J A^T)_k = sum_i m_ki ((1 - c_i) ||x_k||^2 + c_i (x_k . w_i / ||w_i||)^2),
           * from the n x r product X W (tiled, split across cores).
           */
          private double[] diagonal(DenseMatrix unit, double[] offOn) {
            int r = cols.length;
            double[] out = new double[n];
            double[] xd = problem.x().data();
            byte[] m = rows.mask();
            int parts = Parallel.partsFor(n, 2.0 * n * d * r, 256);
            Parallel.forRanges(n, parts, (part, from, to) -> {
              int tile = Math.max(32, Math.min(to - from, (1 << 18) / Math.max(1, r)));
              double[] z = new double[tile * r];
              for (int r0 = from; r0 < to; r0 += tile) {
                int len = Math.min(tile, to - r0);
                Blas.gemm(false, false, len, r, d, 1.0, xd, r0, n, unit.data(), 0, d, 0.0, z, 0,
                    len);
                for (int k = 0; k < len; k++) {
                  double xx = 0.0;
                  for (int c = 0; c < d; c++) {
                    double v = xd[c * n + r0 + k];
                    xx += v * v;
                  }
                  double s = 0.0;
                  for (int c = 0; c < r; c++) {
                    double zz = z[c * len + k];
                    s += m[c * n + r0 + k] * (offOn[c] * xx + coef[c] * zz * zz);
                  }
                  out[r0 + k] = s;
                }
              }
            });
            return out;
          }

          double[] apply(double[] v) {
            double[] ev = new double[n];
            for (int k = 0; k < n; k++) {
              ev[k] = inverseE[k] * v[k];
            }
            DenseMatrix t = new DenseMatrix(d, 1);
            Blas.gemm(true, false, d, 1, n, 1.0, u.data(), 0, n, ev, 0, n, 0.0, t.data(), 0, d);
            small.solveInPlace(t);
            double[] ut = new double[n];
            Blas.gemm(false, false, n, 1, d, 1.0, u.data(), 0, n, t.data(), 0, d, 0.0, ut, 0, n);
            for (int k = 0; k < n; k++) {
              ev[k] -= inverseE[k] * ut[k];
            }
            return ev;
          }
        }
      }
    }
  }

  private static boolean finite(Certificate c) {
    return Double.isFinite(c.objective()) && Double.isFinite(c.lowerBound());
  }

  private static double dot(double[] a, double[] b) {
    double s = 0.0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }

  private static double frob2Diff(DenseMatrix a, DenseMatrix b) {
    double s = 0.0;
    double[] ad = a.data();
    double[] bd = b.data();
    for (int k = 0; k < ad.length; k++) {
      double t = ad[k] - bd[k];
      s += t * t;
    }
    return s;
  }
}
