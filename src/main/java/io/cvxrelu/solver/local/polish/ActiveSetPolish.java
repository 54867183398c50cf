package io.cvxrelu.solver.local.polish;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.Certificate;

/**
 * Active-set polish for the ReLU program with squared loss (Pilanci and Ergen 2020, eq. (8)),
 * run on a moderately accurate iterate (e.g. from ADMM). It guesses the support (nonzero
 * blocks) and the tight cone rows, solves the reduced smooth problem exactly, and computes the
 * cone multipliers:
 * <ol>
 *   <li>for every active block j with tight rows T_j, an orthonormal basis N_j of the null space
 *       of K_{T_j} (u_j = N_j c_j keeps those rows at zero; {@link ReducedProblem});</li>
 *   <li>Newton's method with backtracking on the reduced problem
 *       1/2 ||A c - y||^2 + beta sum_j ||c_j||, A = [sign_j D_j X N_j] ({@link ReducedNewton});</li>
 *   <li>rows outside T_j that the polished point violates are added to T_j and the reduced problem
 *       solved again (a few primal-dual active-set rounds);</li>
 *   <li>the multipliers mu_j &gt;= 0 on the allowed rows (T_j for active blocks, all rows for zero
 *       blocks) by non-negative least squares on min ||X^T D_j lambda + K_j^T mu_j - t_j||, with
 *       t_j = beta u_j / ||u_j|| (0 for a zero block), warm-started from the given multipliers
 *       ({@link ConeMultipliers}); tight rows that cannot carry a positive multiplier are
 *       released and the round repeated.</li>
 * </ol>
 * The caller decides with {@link Certificate} whether the result is better than its iterate.
 */
public final class ActiveSetPolish {
  /**
   * Work (flops) of one polish at most: per block, the Gram of its tight rows (n d^2) and its
   * null space (d^3). Beyond this the polish would take minutes (the Gram is built row by row)
   * and is skipped; ADMM's own iterations then carry the solve.
   */
  static final double MAX_FLOPS = 2.5e11;
  private static final int MAX_ROUNDS = 30;

  private final int maxRounds;
  private final ConvexReluProblem problem;
  private final ConeRows rows;
  private final ReducedNewton newton;
  private final ConeMultipliers multipliers;

  /** Polished weights, their product and multipliers (valid after a successful run). */
  private DenseMatrix weights;
  private DenseMatrix product;
  private DenseMatrix mu;

  /** True when a polish of this problem fits {@link #MAX_FLOPS}. */
  public static boolean affordable(ConvexReluProblem problem) {
    double d = problem.d();
    return 2.0 * problem.patternCount() * (problem.n() * d * d + d * d * d) <= MAX_FLOPS;
  }

  /** A polisher for the problem (ReLU formulation, squared loss). */
  public ActiveSetPolish(ConvexReluProblem problem) {
    this(problem, MAX_ROUNDS);
  }

  /**
   * A polisher that stops after {@code maxRounds} active-set rounds: one or two confirm a point
   * whose support is already right (a warm start at the optimum) at the price of one reduced
   * Newton solve, where the full 30 rounds may cost more than a cold solve.
   */
  public ActiveSetPolish(ConvexReluProblem problem, int maxRounds) {
    this.maxRounds = Math.max(1, maxRounds);
    this.problem = problem;
    this.rows = new ConeRows(problem);
    this.newton = new ReducedNewton(rows);
    this.multipliers = new ConeMultipliers(rows);
  }

  /** The polished blocks, d x 2P (after a successful {@link #run}). */
  public DenseMatrix weights() {
    return weights;
  }

  /** X times the polished blocks, n x 2P. */
  public DenseMatrix product() {
    return product;
  }

  /** The cone multipliers of the polished point, n x 2P. */
  public DenseMatrix multipliers() {
    return mu;
  }

  /**
   * Runs the polish from weights {@code b} (d x q), product {@code xb} and multipliers
   * {@code mu0} (n x q, may be null). Returns false when the reduced problem is degenerate.
   */
  public boolean run(DenseMatrix b, DenseMatrix xb, DenseMatrix mu0) {
    int q = rows.q;
    boolean[] active = new boolean[q];
    boolean[][] tight = new boolean[q][];
    if (!guessSupport(b, xb, active, tight)) {
      return false;
    }
    DenseMatrix u = null;
    DenseMatrix xu = null;
    DenseMatrix fitted = null;
    boolean done = false;
    for (int round = 0; round < maxRounds && !done; round++) {
      u = newton.solve(active, tight, b);
      if (u == null) {
        return false;
      }
      b = u;
      xu = problem.forward(u);
      if (updateSupport(u, xu, active, tight)) {
        continue;
      }
      fitted = multipliers.fit(u, xu, active, tight, mu0);
      done = !releaseRows(fitted, active, tight);
    }
    weights = u;
    product = xu;
    mu = fitted != null ? fitted : multipliers.fit(u, xu, active, tight, mu0);
    return true;
  }

  /**
   * Cone multipliers for the point {@code b} itself (n x 2P), without moving it: the support
   * and tight rows guessed from b as {@link #run} does, then the non-negative least-squares fit
   * of its last step. A feasible point needs no polish to be certified, only multipliers; at an
   * interior-point optimum, whose tight rows sit at slacks of 1e-7, the polished point leaves
   * the cones by 1e-8 to 1e-6 of max |y| while b itself is feasible. Null when b is zero.
   */
  public DenseMatrix multipliersAt(DenseMatrix b, DenseMatrix xb) {
    boolean[] active = new boolean[rows.q];
    boolean[][] tight = new boolean[rows.q][];
    if (!guessSupport(b, xb, active, tight)) {
      return null;
    }
    return multipliers.fit(b, xb, active, tight, null);
  }

  /**
   * The starting guess: the blocks above 1e-10 of the largest are active, and their rows with
   * K_j u_j at most 1e-5 of the block's largest |X u_j| are tight. False when b is zero.
   */
  private boolean guessSupport(DenseMatrix b, DenseMatrix xb, boolean[] active,
      boolean[][] tight) {
    int n = rows.n;
    int d = rows.d;
    double[] bd = b.data();
    double[] zd = xb.data();
    double maxNorm = 0.0;
    double[] norms = new double[rows.q];
    for (int j = 0; j < rows.q; j++) {
      norms[j] = Blas.nrm2(d, bd, j * d);
      maxNorm = Math.max(maxNorm, norms[j]);
    }
    if (maxNorm == 0.0) {
      return false;
    }
    for (int j = 0; j < rows.q; j++) {
      if (norms[j] <= 1e-10 * maxNorm) {
        continue;
      }
      active[j] = true;
      boolean[] t = new boolean[n];
      double scale = 0.0;
      for (int k = 0; k < n; k++) {
        scale = Math.max(scale, Math.abs(zd[j * n + k]));
      }
      double tol = 1e-5 * scale;
      for (int k = 0; k < n; k++) {
        if (rows.coneValue(j, k, zd[j * n + k]) <= tol) {
          t[k] = true;
        }
      }
      tight[j] = t;
    }
    return true;
  }

  /**
   * Drops the blocks that vanished (below 1e-12 of the largest) and adds to the tight sets the
   * rows the point violates; true when anything changed.
   */
  private boolean updateSupport(DenseMatrix u, DenseMatrix xu, boolean[] active,
      boolean[][] tight) {
    double[] ud = u.data();
    double uMax = 0.0;
    for (int j = 0; j < rows.q; j++) {
      if (active[j]) {
        uMax = Math.max(uMax, Blas.nrm2(rows.d, ud, j * rows.d));
      }
    }
    boolean changed = false;
    for (int j = 0; j < rows.q; j++) {
      if (!active[j]) {
        continue;
      }
      double un = Blas.nrm2(rows.d, ud, j * rows.d);
      if (un <= 1e-12 * uMax) {
        active[j] = false;
        changed = true;
        continue;
      }
      changed |= addViolatedRows(j, un, xu.data(), tight[j]);
    }
    return changed;
  }

  /** Makes tight the rows of block j (norm un) that X u_j violates; true when any was added. */
  private boolean addViolatedRows(int j, double un, double[] xud, boolean[] tightJ) {
    boolean added = false;
    for (int k = 0; k < rows.n; k++) {
      double c = rows.coneValue(j, k, xud[j * rows.n + k]);
      if (!tightJ[k] && c < -1e-13 * un * Math.sqrt(rows.rowNorm2[k])) {
        tightJ[k] = true;
        added = true;
      }
    }
    return added;
  }

  /**
   * Releases the tight rows that cannot carry a positive multiplier, in the active blocks
   * whose stationarity residual is above 1e-9 beta; true when any was released.
   */
  private boolean releaseRows(DenseMatrix fitted, boolean[] active, boolean[][] tight) {
    int n = rows.n;
    double[] mud = fitted.data();
    boolean released = false;
    for (int j = 0; j < rows.q; j++) {
      if (active[j] && multipliers.residual[j] > 1e-9 * problem.beta()) {
        for (int k = 0; k < n; k++) {
          if (tight[j][k] && mud[j * n + k] == 0.0) {
            tight[j][k] = false;
            released = true;
          }
        }
      }
    }
    return released;
  }
}
