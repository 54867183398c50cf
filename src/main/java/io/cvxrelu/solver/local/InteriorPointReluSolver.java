package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * Primal-dual interior-point method for the cone-constrained ReLU program with squared loss
 * (Pilanci and Ergen 2020, eq. (8)), written as a cone quadratic program in the blocks b_j
 * (the columns v_1..v_P, w_1..w_P) and epigraph variables t_j:
 * <pre>
 *   min  1/2 ||A b - y||^2 + beta sum_j t_j,     A b = sum_j sigma_j D_j X b_j
 *   s.t. K_j b_j &gt;= 0 (n rows each),  (t_j, b_j) in the second-order cone,
 * </pre>
 * with sigma = +1 for v and -1 for w and K_j = (2 D_j - I) X. It follows the Mehrotra
 * predictor-corrector scheme with Nesterov-Todd scaling of Vandenberghe's "The CVXOPT linear and
 * quadratic cone program solvers" (2010, sections 2-5).
 *
 * <p>Structure makes each Newton system cheap. With the scaling, the reduced matrix is
 * H + E^T A^T A E with H block diagonal, (d+1) x (d+1) blocks X^T diag(z_j / s_j) X + Phi_j
 * (one GEMM for all blocks through the row-wise Khatri-Rao products of X). The loss sees only
 * a_i = v_i - w_i, so eliminating every block through its H_j leaves the normal equations
 * (C^-1 + G) a = C^-1 rho of size P d, with G = A_v^T A_v (blocks X^T D_i D_k X, constant over
 * the solve, computed once) and C_i = (H_v,i^-1 + H_w,i^-1)_bb: one P d x P d Cholesky per
 * iteration, then two solves (predictor and corrector), each with one step of iterative
 * refinement. Unlike a Woodbury identity over the n rows, this never subtracts the large
 * H^-1 terms that appear near the end, where the blocks' multipliers diverge. The method needs
 * 20-60 iterations whatever the conditioning, so it suits problems with P d up to a few
 * thousand ({@link #supports}); ADMM and the augmented Lagrangian take larger ones.
 *
 * <p>The iterates stay strictly inside the cones, so the network read off the blocks is
 * exactly feasible. The cone multipliers z_j of K_j b_j &gt;= 0 are the mu of
 * {@link Certificate}, which decides convergence like for every other solver. Blocks whose
 * norm is negligible at the end are set to zero (they are the inactive neurons the interior
 * iterates only approach) when the certificate stays within tolerance.
 */
public final class InteriorPointReluSolver implements ConvexSolver {
  /**
   * Largest P d: the normal equations are P d x P d, one Cholesky factorisation
   * ((P d)^3 / 3 flops) per iteration. At the limit that is 1.8e11 flops, a few seconds with the
   * blocked parallel {@link Cholesky}, so the 20-60 iterations still beat ADMM's tail: on
   * Gaussian instances with P d = 4500-8000 ADMM had not certified 1e-6 after 300 s where this
   * method certified 1e-7 in 30-130 s.
   */
  public static final int MAX_PATTERN_DIMENSION = 8192;
  /** Budget for the n x d(d+1)/2 Khatri-Rao products and the n x 2P iterates, in doubles. */
  private static final long MAX_DOUBLES = 8_000_000L;
  private static final double STEP_FRACTION = 0.99;
  private static final double PRUNE_MARGIN = 0.01;

  /**
   * True for the ReLU formulation with squared loss, P d at most
   * {@link #MAX_PATTERN_DIMENSION} and n small enough for the n x d(d+1)/2 Khatri-Rao products
   * and the n x 2P iterates (about 20 arrays) to stay within a few hundred megabytes, and the
   * two P d x P d matrices (the pattern Gram matrix, and the normal matrix factored in place)
   * within half of the JVM's heap.
   */
  public static boolean supports(ConvexReluProblem problem) {
    long n = problem.n();
    int d = problem.d();
    int p = problem.patternCount();
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss
        && (long) p * d <= MAX_PATTERN_DIMENSION
        && n * d * (d + 1) / 2 <= MAX_DOUBLES && n * 2 * p <= MAX_DOUBLES / 2
        && 2L * p * d * p * d <= Runtime.getRuntime().maxMemory() / Double.BYTES / 2;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("the interior-point solver takes the ReLU formulation "
          + "with squared loss, P d <= " + MAX_PATTERN_DIMENSION + ", moderate n and heap for "
          + "two P d x P d matrices");
    }
    long start = System.nanoTime();
    double feasScale = 1.0;
    for (double v : problem.y()) {
      feasScale = Math.max(feasScale, Math.abs(v));
    }
    double feasTol = options.feasibilityTolerance() * feasScale;
    Run run;
    try {
      run = new Run(problem);
    } catch (ArithmeticException e) {
      return fallback(problem, warmStart, options, listener, start);
    }
    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = null;
    StopReason reason = null;
    DenseMatrix bestB = null;
    DenseMatrix bestMu = null;
    Certificate bestCert = null;
    int it = 0;
    while (reason == null) {
      DenseMatrix b = run.weights();
      DenseMatrix mu = run.multipliers();
      cert = Certificate.compute(problem, b, problem.forward(b), mu);
      double seconds = (System.nanoTime() - start) * 1e-9;
      IterationRecord rec = new IterationRecord(it, it, cert.objective(), cert.lowerBound(),
          cert.relativeGap(), cert.constraintViolation(), seconds);
      history.add(rec);
      if (Double.isFinite(cert.relativeGap()) && cert.constraintViolation() <= feasTol
          && (bestCert == null || cert.relativeGap() < bestCert.relativeGap())) {
        bestCert = cert;
        bestB = b;
        bestMu = mu;
      }
      // Iterate on to a hundredth of the tolerance (two or three more steps at the method's
      // superlinear end) so that the inactive blocks are small enough to prune.
      if (cert.relativeGap() <= PRUNE_MARGIN * options.tolerance()
          && cert.constraintViolation() <= feasTol) {
        reason = StopReason.CONVERGED;
      } else if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
        reason = StopReason.NUMERICAL_FAILURE;
      } else if (!listener.onIteration(rec, b)) {
        reason = StopReason.STOPPED_BY_LISTENER;
      } else if (it >= options.maxIterations()) {
        reason = StopReason.MAX_ITERATIONS;
      } else if (seconds >= options.maxSeconds()) {
        reason = StopReason.TIME_LIMIT;
      } else {
        it++;
        try {
          if (!run.step()) {
            reason = StopReason.STALLED;
          }
        } catch (ArithmeticException e) {
          reason = StopReason.NUMERICAL_FAILURE;
        }
      }
    }
    if (bestCert == null) {
      return fallback(problem, warmStart, options, listener, start);
    }
    DenseMatrix outB = bestB;
    Certificate outCert = bestCert;
    // Interior iterates approach the inactive neurons' zero blocks without reaching them: zero
    // the small blocks, at the largest relative threshold the certificate still accepts.
    double allowed = Math.max(options.tolerance(), bestCert.relativeGap());
    for (double threshold = 1e-3; threshold >= 1e-12; threshold *= 0.1) {
      DenseMatrix pruned = pruneSmallBlocks(bestB, threshold);
      if (pruned == null) {
        continue;
      }
      Certificate pc = Certificate.compute(problem, pruned, problem.forward(pruned), bestMu);
      if (pc.constraintViolation() <= feasTol && pc.relativeGap() <= allowed) {
        outB = pruned;
        outCert = pc;
        break;
      }
    }
    if (reason != StopReason.CONVERGED && reason != StopReason.STOPPED_BY_LISTENER
        && outCert.relativeGap() > options.tolerance()) {
      // Numerical trouble before the tolerance: hand the best point to ADMM, which polishes.
      double left = options.maxSeconds() - (System.nanoTime() - start) * 1e-9;
      if (left > 0.0 && reason != StopReason.MAX_ITERATIONS) {
        SolverResult admm = new AdmmReluSolver().solve(problem, outB,
            new SolverOptions(options.tolerance(), options.feasibilityTolerance(),
                options.maxIterations(), left), listener);
        List<IterationRecord> all = new ArrayList<>(history);
        all.addAll(admm.history());
        return new SolverResult(admm.weights(), admm.certificate(), admm.stopReason(),
            List.copyOf(all), it + admm.iterations(), (System.nanoTime() - start) * 1e-9,
            admm.multipliers());
      }
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    StopReason outReason = outCert.relativeGap() <= options.tolerance() ? StopReason.CONVERGED
        : reason;
    return new SolverResult(outB, outCert, outReason, List.copyOf(history), it, seconds, bestMu);
  }

  private static SolverResult fallback(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, long start) {
    double left = Math.max(1e-3, options.maxSeconds() - (System.nanoTime() - start) * 1e-9);
    return new AdmmReluSolver().solve(problem, warmStart, new SolverOptions(options.tolerance(),
        options.feasibilityTolerance(), options.maxIterations(), left), listener);
  }

  /**
   * Zeroes the blocks whose norm is at most {@code threshold} times the largest; null when none
   * qualifies.
   */
  static DenseMatrix pruneSmallBlocks(DenseMatrix b, double threshold) {
    double largest = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      largest = Math.max(largest, b.columnNorm(j));
    }
    DenseMatrix out = b.copy();
    boolean any = false;
    int d = b.rows();
    for (int j = 0; j < b.cols(); j++) {
      double nj = b.columnNorm(j);
      if (nj > 0.0 && nj <= threshold * largest) {
        java.util.Arrays.fill(out.data(), j * d, (j + 1) * d, 0.0);
        any = true;
      }
    }
    return any ? out : null;
  }

  /** The iterate and the work space of one solve. */
  private static final class Run {
    private final ConvexReluProblem problem;
    private final int[] rows;
    private final int n;
    private final int d;
    private final int p;
    private final int m;
    private final int d1;
    private final DenseMatrix x;
    private final double[] y;
    private final double[] mask;
    private final double[] sign;
    private final double beta;
    private final DenseMatrix khatriRao;
    private final int[] pairA;
    private final int[] pairB;

    // Primal (b, t), slacks s = (K b, (t, b)) and duals z; columns are blocks.
    private final DenseMatrix b;
    private final double[] t;
    private final double[] sL;
    private final double[] zL;
    private final double[] sQ;
    private final double[] zQ;

    // Residuals.
    private final DenseMatrix rxB;
    private final double[] rxT;
    private final double[] rzL;
    private final double[] rzQ;

    // Scaling.
    private final double[] wL;
    private final double[] lamL;
    private final double[] phiL;
    private final double[] wbar;
    private final double[] eta;
    private final double[] lamQ;

    // Newton matrix: blocks M_j, their inverses, the C_i^-1 and the normal-equation factor.
    private final DenseMatrix gram;
    private final double[] blocks;
    private final double[] ff;
    private final double[] fInvHfa;
    private Cholesky normal;

    private final Direction affine;
    private final Direction combined;

    Run(ConvexReluProblem problem) {
      this.problem = problem;
      DenseMatrix full = problem.x();
      int kept = 0;
      int[] keep = new int[full.rows()];
      for (int i = 0; i < full.rows(); i++) {
        boolean zero = true;
        for (int c = 0; c < full.cols() && zero; c++) {
          zero = full.get(i, c) == 0.0;
        }
        if (!zero) {
          keep[kept++] = i;
        }
      }
      this.rows = java.util.Arrays.copyOf(keep, kept);
      this.n = kept;
      this.d = full.cols();
      this.p = problem.patternCount();
      this.m = 2 * p;
      this.d1 = d + 1;
      this.beta = problem.beta();
      int nFull = full.rows();
      this.x = new DenseMatrix(n, d);
      for (int c = 0; c < d; c++) {
        for (int k = 0; k < n; k++) {
          x.data()[c * n + k] = full.data()[c * nFull + rows[k]];
        }
      }
      this.y = new double[n];
      for (int k = 0; k < n; k++) {
        y[k] = problem.y()[rows[k]];
      }
      double[] fullMask = problem.maskValues();
      this.mask = new double[n * p];
      this.sign = new double[n * p];
      for (int i = 0; i < p; i++) {
        for (int k = 0; k < n; k++) {
          mask[i * n + k] = fullMask[i * nFull + rows[k]];
          sign[i * n + k] = 2.0 * mask[i * n + k] - 1.0;
        }
      }
      int pairs = d * (d + 1) / 2;
      this.pairA = new int[pairs];
      this.pairB = new int[pairs];
      this.khatriRao = new DenseMatrix(n, pairs);
      int idx = 0;
      for (int a = 0; a < d; a++) {
        for (int c = a; c < d; c++) {
          pairA[idx] = a;
          pairB[idx] = c;
          double[] kr = khatriRao.data();
          double[] xd = x.data();
          for (int k = 0; k < n; k++) {
            kr[idx * n + k] = xd[a * n + k] * xd[c * n + k];
          }
          idx++;
        }
      }

      this.b = new DenseMatrix(d, m);
      this.t = new double[m];
      this.sL = new double[n * m];
      this.zL = new double[n * m];
      this.sQ = new double[d1 * m];
      this.zQ = new double[d1 * m];
      this.rxB = new DenseMatrix(d, m);
      this.rxT = new double[m];
      this.rzL = new double[n * m];
      this.rzQ = new double[d1 * m];
      this.wL = new double[n * m];
      this.lamL = new double[n * m];
      this.phiL = new double[n * m];
      this.wbar = new double[d1 * m];
      this.eta = new double[m];
      this.lamQ = new double[d1 * m];
      this.blocks = new double[d1 * d1 * m];
      this.ff = new double[(d + 2) * (d + 2) * p];
      this.fInvHfa = new double[(d + 2) * d * p];
      this.gram = patternGram();
      this.affine = new Direction(n, d, m);
      this.combined = new Direction(n, d, m);
      initialise();
    }

    /**
     * A strictly feasible, centred start: v_i = w_i = c g_i / ||g_i|| lie inside their cone
     * (K_i g_i &gt; 0 for a gate in general position) and predict zero; t = 2c. The cone duals
     * start centred, z = mu0 s^-1, but the row multipliers start flat, zeta = beta / (n c):
     * centring them too (mu0 / s) makes K^T z huge through the rows nearest the hyperplanes and
     * costs many short steps to remove that dual infeasibility.
     */
    private void initialise() {
      DenseMatrix gates = problem.patterns().gates();
      double[] gd = gates.data();
      double sumSq = 0.0;
      DenseMatrix unit = new DenseMatrix(d, p);
      for (int i = 0; i < p; i++) {
        double norm = Blas.nrm2(d, gd, i * d);
        for (int c = 0; c < d; c++) {
          unit.data()[i * d + c] = gd[i * d + c] / norm;
        }
      }
      DenseMatrix xg = new DenseMatrix(n, p);
      Blas.gemm(false, false, 1.0, x, unit, 0.0, xg);
      for (int k = 0; k < n * p; k++) {
        double s = sign[k] * xg.data()[k];
        if (!(s > 0.0)) {
          throw new ArithmeticException("a gate lies on a data hyperplane: its cone has no "
              + "interior point at the gate");
        }
        sumSq += s * s;
      }
      double scale = 1.0 / Math.sqrt(sumSq / Math.max(1, n * p));
      double mu0 = 1.5 * beta * scale;
      double zeta = beta / (n * scale);
      for (int j = 0; j < m; j++) {
        int i = j % p;
        for (int c = 0; c < d; c++) {
          b.data()[j * d + c] = scale * unit.data()[i * d + c];
        }
        t[j] = 2.0 * scale;
        for (int k = 0; k < n; k++) {
          double s = scale * sign[i * n + k] * xg.data()[i * n + k];
          sL[j * n + k] = s;
          zL[j * n + k] = zeta;
        }
        int off = j * d1;
        sQ[off] = t[j];
        System.arraycopy(b.data(), j * d, sQ, off + 1, d);
        double det = jnorm2(sQ, off);
        zQ[off] = mu0 * sQ[off] / det;
        for (int c = 1; c < d1; c++) {
          zQ[off + c] = -mu0 * sQ[off + c] / det;
        }
      }
    }

    /** Current blocks (a copy). */
    DenseMatrix weights() {
      return b.copy();
    }

    /** Cone multipliers on all n rows of the problem (zero rows of X get 0). */
    DenseMatrix multipliers() {
      int nFull = problem.n();
      DenseMatrix mu = new DenseMatrix(nFull, m);
      for (int j = 0; j < m; j++) {
        for (int k = 0; k < n; k++) {
          mu.data()[j * nFull + rows[k]] = zL[j * n + k];
        }
      }
      return mu;
    }

    /** One predictor-corrector step; false when no progress is possible. */
    boolean step() {
      residuals();
      double gap = dot(sL, zL) + dot(sQ, zQ);
      double mu = gap / (n * m + m);
      scaling();
      factor();

      // Predictor: complementarity target 0, i.e. e = lambda \ (-lambda o lambda) = -lambda.
      for (int k = 0; k < n * m; k++) {
        affine.eL[k] = -lamL[k];
      }
      for (int k = 0; k < d1 * m; k++) {
        affine.eQ[k] = -lamQ[k];
      }
      direction(affine);
      double alphaAff = Math.min(1.0, maxStep(affine));
      double gapAff = 0.0;
      for (int k = 0; k < n * m; k++) {
        gapAff += (sL[k] + alphaAff * affine.dsL[k]) * (zL[k] + alphaAff * affine.dzL[k]);
      }
      for (int k = 0; k < d1 * m; k++) {
        gapAff += (sQ[k] + alphaAff * affine.dsQ[k]) * (zQ[k] + alphaAff * affine.dzQ[k]);
      }
      double ratio = Math.max(0.0, Math.min(1.0, gapAff / gap));
      double sigma = ratio * ratio * ratio;

      // Corrector: d = -lambda o lambda - (W^-T ds_a) o (W dz_a) + sigma mu e; e = lambda \ d.
      for (int k = 0; k < n * m; k++) {
        double dk = -lamL[k] * lamL[k] - affine.dsT[k] * affine.dzT[k] + sigma * mu;
        combined.eL[k] = dk / lamL[k];
      }
      double[] dq = new double[d1];
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        // lambda o lambda = (|lambda|^2, 2 lambda0 lambda1); Jordan product of the corrections.
        double l0 = lamQ[off];
        double a0 = affine.dsTQ[off];
        double c0 = affine.dzTQ[off];
        double ll = 0.0;
        double ac = 0.0;
        for (int c = 0; c < d1; c++) {
          ll += lamQ[off + c] * lamQ[off + c];
          ac += affine.dsTQ[off + c] * affine.dzTQ[off + c];
        }
        dq[0] = -ll - ac + sigma * mu;
        for (int c = 1; c < d1; c++) {
          dq[c] = -2.0 * l0 * lamQ[off + c]
              - (a0 * affine.dzTQ[off + c] + c0 * affine.dsTQ[off + c]);
        }
        jordanSolve(lamQ, off, dq, combined.eQ, off);
      }
      direction(combined);
      double alpha = Math.min(1.0, STEP_FRACTION * maxStep(combined));
      if (!(alpha > 1e-14)) {
        return false;
      }
      for (int k = 0; k < d * m; k++) {
        b.data()[k] += alpha * combined.dxB.data()[k];
      }
      for (int j = 0; j < m; j++) {
        t[j] += alpha * combined.dxT[j];
      }
      for (int k = 0; k < n * m; k++) {
        sL[k] += alpha * combined.dsL[k];
        zL[k] += alpha * combined.dzL[k];
      }
      for (int k = 0; k < d1 * m; k++) {
        sQ[k] += alpha * combined.dsQ[k];
        zQ[k] += alpha * combined.dzQ[k];
      }
      return true;
    }

    /**
     * r_x = Q x + c + G^T z (b-part: sigma_j X^T D_j (A b - y) - K_j^T zL_j - zQ_b,j; t-part:
     * beta - zQ_0,j) and r_z = s + G x - h.
     */
    private void residuals() {
      DenseMatrix zx = new DenseMatrix(n, m);
      Blas.gemm(false, false, 1.0, x, b, 0.0, zx);
      double[] zd = zx.data();
      double[] res = new double[n];
      for (int j = 0; j < m; j++) {
        double sg = j < p ? 1.0 : -1.0;
        int moff = (j % p) * n;
        for (int k = 0; k < n; k++) {
          res[k] += sg * mask[moff + k] * zd[j * n + k];
        }
      }
      for (int k = 0; k < n; k++) {
        res[k] -= y[k];
      }
      DenseMatrix r = new DenseMatrix(n, m);
      double[] rd = r.data();
      for (int j = 0; j < m; j++) {
        double sg = j < p ? 1.0 : -1.0;
        int moff = (j % p) * n;
        for (int k = 0; k < n; k++) {
          rd[j * n + k] = sg * mask[moff + k] * res[k] - sign[moff + k] * zL[j * n + k];
          rzL[j * n + k] = sL[j * n + k] - sign[moff + k] * zd[j * n + k];
        }
      }
      Blas.gemm(true, false, 1.0, x, r, 0.0, rxB);
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        rxT[j] = beta - zQ[off];
        rzQ[off] = sQ[off] - t[j];
        for (int c = 0; c < d; c++) {
          rxB.data()[j * d + c] -= zQ[off + 1 + c];
          rzQ[off + 1 + c] = sQ[off + 1 + c] - b.data()[j * d + c];
        }
      }
    }

    /** Nesterov-Todd scaling points: W z = W^-T s = lambda (Vandenberghe 2010, sec. 4). */
    private void scaling() {
      for (int k = 0; k < n * m; k++) {
        wL[k] = Math.sqrt(sL[k] / zL[k]);
        lamL[k] = Math.sqrt(sL[k] * zL[k]);
        phiL[k] = zL[k] / sL[k];
      }
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        double sn = Math.sqrt(jnorm2(sQ, off));
        double zn = Math.sqrt(jnorm2(zQ, off));
        if (!(sn > 0.0) || !(zn > 0.0)) {
          throw new ArithmeticException("iterate left the second-order cone");
        }
        double sz = 0.0;
        for (int c = 0; c < d1; c++) {
          sz += sQ[off + c] * zQ[off + c];
        }
        double gamma = Math.sqrt(0.5 * (1.0 + sz / (sn * zn)));
        wbar[off] = (sQ[off] / sn + zQ[off] / zn) / (2.0 * gamma);
        for (int c = 1; c < d1; c++) {
          wbar[off + c] = (sQ[off + c] / sn - zQ[off + c] / zn) / (2.0 * gamma);
        }
        eta[j] = Math.sqrt(sn / zn);
        applyW(j, zQ, off, lamQ, off);
      }
    }

    /** Builds the blocks M_j, their inverses and the factor of the normal equations in a. */
    private void factor() {
      int pairs = pairA.length;
      DenseMatrix phi = new DenseMatrix(n, m, phiL);
      DenseMatrix blockGram = new DenseMatrix(pairs, m);
      Blas.gemm(true, false, 1.0, khatriRao, phi, 0.0, blockGram);
      int bs = d1 * d1;
      for (int j = 0; j < m; j++) {
        int off = j * bs;
        int woff = j * d1;
        double e2 = 1.0 / (eta[j] * eta[j]);
        double w0 = wbar[woff];
        // Phi = eta^-2 (2 J w w^T J - J).
        blocks[off] = e2 * (2.0 * w0 * w0 - 1.0);
        for (int c = 1; c < d1; c++) {
          double v = -2.0 * e2 * w0 * wbar[woff + c];
          blocks[off + c] = v;
          blocks[off + c * d1] = v;
          for (int r = c; r < d1; r++) {
            double q = 2.0 * e2 * wbar[woff + c] * wbar[woff + r] + (r == c ? e2 : 0.0);
            blocks[off + c * d1 + r] = q;
            blocks[off + r * d1 + c] = q;
          }
        }
        double[] gd = blockGram.data();
        for (int q = 0; q < pairs; q++) {
          int a = pairA[q] + 1;
          int c = pairB[q] + 1;
          double v = gd[j * pairs + q];
          blocks[off + c * d1 + a] += v;
          if (a != c) {
            blocks[off + a * d1 + c] += v;
          }
        }
      }
      // Per pattern, in (t_v, t_w, c = v + w | a = v - w): factor F = H_ff, keep F^-1 H_fa, and
      // add the Schur complement S_i = H_aa - H_af F^-1 H_fa to G's diagonal block.
      int pd = p * d;
      int f = d + 2;
      DenseMatrix k = new DenseMatrix(pd, pd);
      System.arraycopy(gram.data(), 0, k.data(), 0, pd * pd);
      double[] kd = k.data();
      double[] hfa = new double[f * d];
      for (int i = 0; i < p; i++) {
        int ov = i * bs;
        int ow = (i + p) * bs;
        int fo = i * f * f;
        int so = i * f * d;
        // F: rows/cols 0 = t_v, 1 = t_w, 2.. = c.
        ff[fo] = blocks[ov];
        ff[fo + f + 1] = blocks[ow];
        ff[fo + f] = 0.0;
        ff[fo + 1] = 0.0;
        for (int c = 0; c < d; c++) {
          double hv = blocks[ov + (c + 1) * d1];
          double hw = blocks[ow + (c + 1) * d1];
          ff[fo + (c + 2) * f] = 0.5 * hv;
          ff[fo + c + 2] = 0.5 * hv;
          ff[fo + (c + 2) * f + 1] = 0.5 * hw;
          ff[fo + f + c + 2] = 0.5 * hw;
          // H_fa column c: t_v row hv/2, t_w row -hw/2, c rows (Hv - Hw)/4.
          hfa[c * f] = 0.5 * hv;
          hfa[c * f + 1] = -0.5 * hw;
          for (int r = 0; r < d; r++) {
            double bv = blocks[ov + (c + 1) * d1 + r + 1];
            double bw = blocks[ow + (c + 1) * d1 + r + 1];
            ff[fo + (c + 2) * f + r + 2] = 0.25 * (bv + bw);
            hfa[c * f + r + 2] = 0.25 * (bv - bw);
          }
        }
        if (!Cholesky.factorInPlace(ff, fo, f)) {
          throw new ArithmeticException("pattern block " + i + " is not positive definite");
        }
        System.arraycopy(hfa, 0, fInvHfa, so, f * d);
        for (int c = 0; c < d; c++) {
          choleskySolve(ff, fo, f, fInvHfa, so + c * f);
        }
        int base = i * d;
        for (int c = 0; c < d; c++) {
          for (int r = c; r < d; r++) {
            double bv = blocks[ov + (c + 1) * d1 + r + 1];
            double bw = blocks[ow + (c + 1) * d1 + r + 1];
            double schur = 0.25 * (bv + bw);
            for (int q = 0; q < f; q++) {
              schur -= 0.5 * (hfa[r * f + q] * fInvHfa[so + c * f + q]
                  + hfa[c * f + q] * fInvHfa[so + r * f + q]);
            }
            // Only the lower triangle is factored; G is symmetric already.
            kd[(base + c) * pd + base + r] += schur;
          }
        }
      }
      normal = Cholesky.factorOverwriting(k);
    }

    /** Solves L L^T x = b in place for the lower factor stored at {@code l[off ..]} (n x n). */
    private static void choleskySolve(double[] l, int off, int n, double[] b, int boff) {
      for (int r = 0; r < n; r++) {
        double s = b[boff + r];
        for (int c = 0; c < r; c++) {
          s -= l[off + c * n + r] * b[boff + c];
        }
        b[boff + r] = s / l[off + r * n + r];
      }
      for (int r = n - 1; r >= 0; r--) {
        double s = b[boff + r];
        for (int c = r + 1; c < n; c++) {
          s -= l[off + r * n + c] * b[boff + c];
        }
        b[boff + r] = s / l[off + r * n + r];
      }
    }

    /**
     * Solves the scaled Newton system for the complementarity right-hand side {@code dir.e}
     * (Vandenberghe 2010, eq. (37)-(39) with our G): dx = (H + A^T A)^-1 (-r_x - G^T q),
     * q = Phi r_z + W^-1 e; dz = Phi G dx + q; ds = -G dx - r_z.
     */
    private void direction(Direction dir) {
      for (int k = 0; k < n * m; k++) {
        dir.qL[k] = phiL[k] * rzL[k] + dir.eL[k] / wL[k];
      }
      double[] tmp = new double[d1];
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        applyPhi(j, rzQ, off, dir.qQ, off);
        applyWinv(j, dir.eQ, off, tmp, 0);
        for (int c = 0; c < d1; c++) {
          dir.qQ[off + c] += tmp[c];
        }
      }
      // rhs = -r_x - G^T q, G^T q = (-X^T (S .* qL) - qQ_b, -qQ_0).
      DenseMatrix sq = new DenseMatrix(n, m);
      for (int j = 0; j < m; j++) {
        int moff = (j % p) * n;
        for (int k = 0; k < n; k++) {
          sq.data()[j * n + k] = sign[moff + k] * dir.qL[j * n + k];
        }
      }
      DenseMatrix rhsB = new DenseMatrix(d, m);
      Blas.gemm(true, false, 1.0, x, sq, 0.0, rhsB);
      double[] rhsT = new double[m];
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        rhsT[j] = -rxT[j] + dir.qQ[off];
        for (int c = 0; c < d; c++) {
          rhsB.data()[j * d + c] += -rxB.data()[j * d + c] + dir.qQ[off + 1 + c];
        }
      }
      solveReduced(rhsB, rhsT, dir.dxB, dir.dxT);
      // One step of iterative refinement against the exact operator.
      DenseMatrix resB = new DenseMatrix(d, m);
      double[] resT = new double[m];
      applyReduced(dir.dxB, dir.dxT, resB, resT);
      for (int k = 0; k < d * m; k++) {
        resB.data()[k] = rhsB.data()[k] - resB.data()[k];
      }
      for (int j = 0; j < m; j++) {
        resT[j] = rhsT[j] - resT[j];
      }
      DenseMatrix corrB = new DenseMatrix(d, m);
      double[] corrT = new double[m];
      solveReduced(resB, resT, corrB, corrT);
      for (int k = 0; k < d * m; k++) {
        dir.dxB.data()[k] += corrB.data()[k];
      }
      for (int j = 0; j < m; j++) {
        dir.dxT[j] += corrT[j];
      }

      Blas.gemm(false, false, 1.0, x, dir.dxB, 0.0, dir.xdb);
      double[] xdb = dir.xdb.data();
      for (int j = 0; j < m; j++) {
        int moff = (j % p) * n;
        for (int k = 0; k < n; k++) {
          int idx = j * n + k;
          double kdx = sign[moff + k] * xdb[idx];
          dir.dsL[idx] = kdx - rzL[idx];
          dir.dzL[idx] = -phiL[idx] * kdx + dir.qL[idx];
          dir.dzT[idx] = wL[idx] * dir.dzL[idx];
          dir.dsT[idx] = dir.dsL[idx] / wL[idx];
        }
      }
      double[] g = new double[d1];
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        g[0] = dir.dxT[j];
        System.arraycopy(dir.dxB.data(), j * d, g, 1, d);
        applyPhi(j, g, 0, dir.dzQ, off);
        for (int c = 0; c < d1; c++) {
          dir.dzQ[off + c] = -dir.dzQ[off + c] + dir.qQ[off + c];
          dir.dsQ[off + c] = g[c] - rzQ[off + c];
        }
        applyW(j, dir.dzQ, off, dir.dzTQ, off);
        applyWinv(j, dir.dsQ, off, dir.dsTQ, off);
      }
    }

    /** out = (H + E^T A^T A E) (dxB, dxT), the reduced Newton operator (G as factored). */
    private void applyReduced(DenseMatrix dxB, double[] dxT, DenseMatrix outB, double[] outT) {
      int bs = d1 * d1;
      double[] v = new double[d1];
      for (int j = 0; j < m; j++) {
        v[0] = dxT[j];
        System.arraycopy(dxB.data(), j * d, v, 1, d);
        int off = j * bs;
        for (int r = 0; r < d1; r++) {
          double s = 0.0;
          for (int c = 0; c < d1; c++) {
            s += blocks[off + c * d1 + r] * v[c];
          }
          if (r == 0) {
            outT[j] = s;
          } else {
            outB.data()[j * d + r - 1] = s;
          }
        }
      }
      int pd = p * d;
      DenseMatrix a = new DenseMatrix(pd, 1);
      for (int k = 0; k < pd; k++) {
        a.data()[k] = dxB.data()[k] - dxB.data()[pd + k];
      }
      DenseMatrix ga = new DenseMatrix(pd, 1);
      Blas.gemm(false, false, 1.0, gram, a, 0.0, ga);
      for (int k = 0; k < pd; k++) {
        outB.data()[k] += ga.data()[k];
        outB.data()[pd + k] -= ga.data()[k];
      }
    }

    /**
     * Solves (H + E^T A^T A E) x = r pattern by pattern in the coordinates
     * (t_v, t_w, c = v + w | a = v - w): with r'_f = (r_tv, r_tw, (r_v + r_w) / 2) and
     * r'_a = (r_v - r_w) / 2, a solves (S + G) a = r'_a - H_af F^-1 r'_f and then
     * f = F^-1 (r'_f - H_fa a). F stays well conditioned where H_v alone is nearly singular
     * (the radial direction of an active block, which only the loss controls).
     */
    private void solveReduced(DenseMatrix rB, double[] rT, DenseMatrix outB, double[] outT) {
      int pd = p * d;
      int f = d + 2;
      double[] rb = rB.data();
      double[] rf = new double[f * p];
      DenseMatrix a = new DenseMatrix(pd, 1);
      double[] ad = a.data();
      for (int i = 0; i < p; i++) {
        int fo = i * f;
        rf[fo] = rT[i];
        rf[fo + 1] = rT[i + p];
        for (int c = 0; c < d; c++) {
          rf[fo + 2 + c] = 0.5 * (rb[i * d + c] + rb[pd + i * d + c]);
        }
        int so = i * f * d;
        for (int c = 0; c < d; c++) {
          // (H_af F^-1 r'_f)_c = (F^-1 H_fa)_c . r'_f.
          double s = 0.0;
          for (int q = 0; q < f; q++) {
            s += fInvHfa[so + c * f + q] * rf[fo + q];
          }
          ad[i * d + c] = 0.5 * (rb[i * d + c] - rb[pd + i * d + c]) - s;
        }
      }
      normal.solveInPlace(a);
      double[] ob = outB.data();
      for (int i = 0; i < p; i++) {
        int fo = i * f;
        int so = i * f * d;
        // f = F^-1 r'_f - (F^-1 H_fa) a.
        choleskySolve(ff, i * f * f, f, rf, fo);
        for (int c = 0; c < d; c++) {
          double ac = ad[i * d + c];
          for (int q = 0; q < f; q++) {
            rf[fo + q] -= fInvHfa[so + c * f + q] * ac;
          }
        }
        outT[i] = rf[fo];
        outT[i + p] = rf[fo + 1];
        for (int c = 0; c < d; c++) {
          double cc = rf[fo + 2 + c];
          double ac = ad[i * d + c];
          ob[i * d + c] = 0.5 * (cc + ac);
          ob[pd + i * d + c] = 0.5 * (cc - ac);
        }
      }
    }

    /**
     * G = A_v^T A_v (Pd x Pd), blocks X^T D_i D_k X = X^T diag(m_i .* m_k) X, computed through
     * the Khatri-Rao products one pattern row at a time (D_i X is never formed). Constant over
     * the solve.
     */
    private DenseMatrix patternGram() {
      int pairs = pairA.length;
      int pd = p * d;
      DenseMatrix g = new DenseMatrix(pd, pd);
      DenseMatrix masks = new DenseMatrix(n, p);
      DenseMatrix packed = new DenseMatrix(pairs, p);
      double[] gd = g.data();
      for (int i = 0; i < p; i++) {
        for (int k = 0; k < p; k++) {
          for (int r = 0; r < n; r++) {
            masks.data()[k * n + r] = mask[i * n + r] * mask[k * n + r];
          }
        }
        Blas.gemm(true, false, 1.0, khatriRao, masks, 0.0, packed);
        for (int k = 0; k < p; k++) {
          for (int q = 0; q < pairs; q++) {
            double v = packed.data()[k * pairs + q];
            int a = pairA[q];
            int c = pairB[q];
            gd[(k * d + c) * pd + i * d + a] = v;
            gd[(k * d + a) * pd + i * d + c] = v;
          }
        }
      }
      return g;
    }

    /** Largest step in [0, inf) keeping s + a ds and z + a dz inside their cones. */
    private double maxStep(Direction dir) {
      double a = Double.POSITIVE_INFINITY;
      for (int k = 0; k < n * m; k++) {
        if (dir.dsL[k] < 0.0) {
          a = Math.min(a, -sL[k] / dir.dsL[k]);
        }
        if (dir.dzL[k] < 0.0) {
          a = Math.min(a, -zL[k] / dir.dzL[k]);
        }
      }
      for (int j = 0; j < m; j++) {
        int off = j * d1;
        a = Math.min(a, socStep(sQ, dir.dsQ, off));
        a = Math.min(a, socStep(zQ, dir.dzQ, off));
      }
      return a;
    }

    /** Largest a with u + a v in the second-order cone, for u in its interior. */
    private double socStep(double[] u, double[] v, int off) {
      double u0 = u[off];
      double v0 = v[off];
      double uu = u0 * u0;
      double vv = v0 * v0;
      double uv = u0 * v0;
      for (int c = 1; c < d1; c++) {
        uu -= u[off + c] * u[off + c];
        vv -= v[off + c] * v[off + c];
        uv -= u[off + c] * v[off + c];
      }
      // f(a) = uu + 2 a uv + a^2 vv with f(0) = uu > 0; first root on a > 0, and u0 + a v0 >= 0.
      double best = Double.POSITIVE_INFINITY;
      if (v0 < 0.0) {
        best = -u0 / v0;
      }
      double root = Double.POSITIVE_INFINITY;
      if (vv == 0.0) {
        if (uv < 0.0) {
          root = -uu / (2.0 * uv);
        }
      } else {
        double disc = uv * uv - vv * uu;
        if (disc >= 0.0) {
          double sq = Math.sqrt(disc);
          // Stable roots of vv a^2 + 2 uv a + uu.
          double q = -(uv + Math.copySign(sq, uv));
          double r1 = q / vv;
          double r2 = q != 0.0 ? uu / q : Double.POSITIVE_INFINITY;
          if (r1 > 0.0) {
            root = Math.min(root, r1);
          }
          if (r2 > 0.0) {
            root = Math.min(root, r2);
          }
        }
      }
      return Math.min(best, root);
    }

    /** out = W_j v for the second-order-cone block j: eta W-bar v. */
    private void applyW(int j, double[] v, int off, double[] out, int ooff) {
      applyScaling(j, v, off, out, ooff, 1.0);
    }

    /** out = W_j^-1 v = eta^-1 J W-bar J v. */
    private void applyWinv(int j, double[] v, int off, double[] out, int ooff) {
      applyScaling(j, v, off, out, ooff, -1.0);
    }

    /**
     * eta^s (J^k W-bar J^k) v with s = +1 (k = 0, W) or -1 (k = 1, W^-1): conjugating by J flips
     * the sign of the cross terms between the first and the other coordinates.
     */
    private void applyScaling(int j, double[] v, int off, double[] out, int ooff, double s) {
      int woff = j * d1;
      double w0 = wbar[woff];
      double v0 = v[off];
      double w1v1 = 0.0;
      for (int c = 1; c < d1; c++) {
        w1v1 += wbar[woff + c] * v[off + c];
      }
      double e = s > 0 ? eta[j] : 1.0 / eta[j];
      double coef = s * v0 + w1v1 / (1.0 + w0);
      out[ooff] = e * (w0 * v0 + s * w1v1);
      for (int c = 1; c < d1; c++) {
        out[ooff + c] = e * (v[off + c] + coef * wbar[woff + c]);
      }
    }

    /** out = Phi_j v = eta^-2 (2 J w (J w)^T v - J v). */
    private void applyPhi(int j, double[] v, int off, double[] out, int ooff) {
      int woff = j * d1;
      double w0 = wbar[woff];
      double jwv = w0 * v[off];
      for (int c = 1; c < d1; c++) {
        jwv -= wbar[woff + c] * v[off + c];
      }
      double e2 = 1.0 / (eta[j] * eta[j]);
      out[ooff] = e2 * (2.0 * jwv * w0 - v[off]);
      for (int c = 1; c < d1; c++) {
        out[ooff + c] = e2 * (-2.0 * jwv * wbar[woff + c] + v[off + c]);
      }
    }

    /** Solves lambda o x = dv for x (Jordan product of the second-order cone). */
    private void jordanSolve(double[] lam, int off, double[] dv, double[] out, int ooff) {
      double l0 = lam[off];
      double l1d1 = 0.0;
      double det = l0 * l0;
      for (int c = 1; c < d1; c++) {
        l1d1 += lam[off + c] * dv[c];
        det -= lam[off + c] * lam[off + c];
      }
      double x0 = (l0 * dv[0] - l1d1) / det;
      out[ooff] = x0;
      for (int c = 1; c < d1; c++) {
        out[ooff + c] = (dv[c] - x0 * lam[off + c]) / l0;
      }
    }

    /** u0^2 - |u1|^2 of the block at off. */
    private double jnorm2(double[] u, int off) {
      double s = u[off] * u[off];
      for (int c = 1; c < d1; c++) {
        s -= u[off + c] * u[off + c];
      }
      return s;
    }

    private static double dot(double[] a, double[] c) {
      double s = 0.0;
      for (int k = 0; k < a.length; k++) {
        s += a[k] * c[k];
      }
      return s;
    }
  }

  /** A search direction with its right-hand side and scaled components. */
  private static final class Direction {
    final double[] eL;
    final double[] eQ;
    final double[] qL;
    final double[] qQ;
    final DenseMatrix dxB;
    final double[] dxT;
    final DenseMatrix xdb;
    final double[] dsL;
    final double[] dzL;
    final double[] dsQ;
    final double[] dzQ;
    final double[] dsT;
    final double[] dzT;
    final double[] dsTQ;
    final double[] dzTQ;

    Direction(int n, int d, int m) {
      int d1 = d + 1;
      eL = new double[n * m];
      eQ = new double[d1 * m];
      qL = new double[n * m];
      qQ = new double[d1 * m];
      dxB = new DenseMatrix(d, m);
      dxT = new double[m];
      xdb = new DenseMatrix(n, m);
      dsL = new double[n * m];
      dzL = new double[n * m];
      dsQ = new double[d1 * m];
      dzQ = new double[d1 * m];
      dsT = new double[n * m];
      dzT = new double[n * m];
      dsTQ = new double[d1 * m];
      dzTQ = new double[d1 * m];
    }
  }
}
