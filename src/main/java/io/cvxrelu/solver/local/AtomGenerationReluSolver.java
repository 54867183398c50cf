package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.Blas;
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
import io.cvxrelu.solver.local.atoms.ChamberProjector;
import io.cvxrelu.solver.local.atoms.NonnegativeLasso;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ReLU program (Pilanci and Ergen, ICML 2020, eq. (8)) with squared loss by column
 * generation over its atoms, fully corrective. For u in the chamber K_j = {u : (2 D_j - I) X u
 * &gt;= 0}, D_j X u = (X u)_+, and the block penalty ||v_j|| is the gauge of the unit vectors of
 * K_j, so the program is the lasso
 * <pre>
 *   min 1/2 ||sum_a theta_a s_a D_{j_a} X u_a - y||^2 + beta sum_a theta_a,  theta &gt;= 0,
 * </pre>
 * over atoms a = (block, unit u_a in its chamber), s_a = +1 for a v block and -1 for a w block.
 * Each round:
 * <ol>
 *   <li><b>Pricing and certificate.</b> With lambda = y - prediction, c_j = X^T D_j lambda, the
 *       most correlated unit atom of block (j, s) is Pi_{K_j}(s c_j) / ||Pi_{K_j}(s c_j)||, and
 *       the dual constraint of the block is ||Pi_{K_j}(s c_j)|| &lt;= beta (Moreau: the
 *       multipliers mu_j of the cone rows are the projection's dual). {@link ChamberProjector}
 *       projects every block with ||c_j|| &gt; beta at once; every bound it returns is valid,
 *       converged or not, so the duality gap of {@link Certificate#fromDualNorm} is a
 *       certificate of the ReLU program itself.</li>
 *   <li><b>Master.</b> The blocks whose bound exceeds beta, projected exactly, add their atom;
 *       the non-negative lasso over all atoms is solved exactly ({@link NonnegativeLasso}), and
 *       the atoms of one block are merged into one, v_j = sum theta_a u_a, which stays in the
 *       convex cone K_j and whose norm is at most sum theta_a: the objective never rises.</li>
 * </ol>
 * The first master runs over the 2P gate atoms g_j / ||g_j|| (each strictly inside its chamber):
 * the lasso over fixed neurons, a good start. On n = 10^4 rows the chambers are narrow (a unit
 * vector of K_j stays close to g_j), few facets bind at each projection, and a handful of
 * rounds certify: on the bench's planted instance (n = 10^4, d = 100, P = 1,000, beta = 0.01
 * beta_max) six rounds reached a gap of 2.5e-7 with cone violation 1e-14, where ADMM ended
 * uncertified at its time cap (docs/solvers.md).
 */
public final class AtomGenerationReluSolver implements ConvexSolver {
  /** The chamber projector's working memory: 2P passive-set factors of (d + 1)^2 doubles. */
  static final long MAX_FACTOR_DOUBLES = 60_000_000L;

  /** Squared loss, ReLU formulation, and the projector's factors within memory. */
  public static boolean supports(ConvexReluProblem problem) {
    long d = problem.d();
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss
        && 2L * problem.patternCount() * (d + 1) * (d + 1) <= MAX_FACTOR_DOUBLES;
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (!supports(problem)) {
      throw new IllegalArgumentException("atom generation takes the ReLU formulation with "
          + "squared loss and 2 P (d + 1)^2 <= " + MAX_FACTOR_DOUBLES);
    }
    return new Run(problem, options, listener).solve(warmStart);
  }

  /** One atom: block key (v_j for key j &lt; P, w_j for key P + j), unit direction, weight. */
  private record Atom(int key, double[] u, double theta) {
  }

  /** The state of one solve. */
  private static final class Run {
    private final ConvexReluProblem problem;
    private final ConvexReluProblem gatedView;
    private final SolverOptions options;
    private final IterationListener listener;
    private final int n;
    private final int d;
    private final int p;
    private final double beta;
    private final double[] y;
    private final byte[] mask;
    private final ChamberProjector projector;
    private final double allowedViolation;
    private final long start = System.nanoTime();
    private final List<IterationRecord> history = new ArrayList<>();
    private List<Atom> atoms = new ArrayList<>();
    private double[] lambda;

    Run(ConvexReluProblem problem, SolverOptions options, IterationListener listener) {
      this.problem = problem;
      this.gatedView = problem.with(problem.beta(), Formulation.GATED);
      this.options = options;
      this.listener = listener;
      this.n = problem.n();
      this.d = problem.d();
      this.p = problem.patternCount();
      this.beta = problem.beta();
      this.y = problem.y();
      this.mask = problem.patterns().mask();
      this.projector = new ChamberProjector(problem.x(), mask, p);
      this.allowedViolation = AdmmReluSolver.feasibilityTolerance(problem, options);
    }

    SolverResult solve(DenseMatrix warmStart) {
      List<Atom> initial = new ArrayList<>();
      if (warmStart != null) {
        initial.addAll(startAtoms(warmStart));
      }
      DenseMatrix gates = problem.patterns().gates();
      for (int key = 0; key < 2 * p; key++) {
        double[] g = gates.column(key % p);
        double gn = Blas.nrm2(d, g, 0);
        if (gn > 0.0) {
          Blas.scal(d, 1.0 / gn, g);
          initial.add(new Atom(key, g, 0.0));
        }
      }
      atoms = initial;
      master();
      for (int round = 0; ; round++) {
        double[] pred = new double[n];
        for (int k = 0; k < n; k++) {
          pred[k] = y[k] - lambda[k];
        }
        DenseMatrix c = gatedView.maskedAdjoint(lambda);
        double cheapBound = 0.0;
        List<Integer> priced = new ArrayList<>();
        for (int key = 0; key < 2 * p; key++) {
          double norm = c.columnNorm(key % p);
          if (norm > beta) {
            priced.add(key);
          } else {
            cheapBound = Math.max(cheapBound, norm);
          }
        }
        int[] keys = priced.stream().mapToInt(Integer::intValue).toArray();
        DenseMatrix targets = new DenseMatrix(d, keys.length);
        for (int k = 0; k < keys.length; k++) {
          int j = keys[k] % p;
          double sign = keys[k] < p ? 1.0 : -1.0;
          for (int i = 0; i < d; i++) {
            targets.data()[k * d + i] = sign * c.data()[j * d + i];
          }
        }
        ChamberProjector.Projections proj = projector.project(keys, targets, beta);
        double dualNorm = cheapBound;
        List<Atom> fresh = new ArrayList<>();
        for (int k = 0; k < keys.length; k++) {
          double b = proj.bounds()[k];
          dualNorm = Math.max(dualNorm, b);
          if (b > beta && proj.inCone()[k]) {
            double[] u = new double[d];
            System.arraycopy(proj.points().data(), k * d, u, 0, d);
            Blas.scal(d, 1.0 / b, u);
            fresh.add(new Atom(keys[k], u, 0.0));
          }
        }
        DenseMatrix weights = weights();
        double violation = violation();
        double objective = problem.loss().value(pred, y) + problem.regularizer(weights);
        Certificate cert = Certificate.fromDualNorm(problem, objective, lambda, dualNorm,
            violation);
        double seconds = (System.nanoTime() - start) * 1e-9;
        IterationRecord rec = new IterationRecord(round, projector.steps(), cert.objective(),
            cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
        history.add(rec);
        StopReason reason = null;
        if (!Double.isFinite(cert.relativeGap())) {
          reason = StopReason.NUMERICAL_FAILURE;
        } else if (cert.relativeGap() <= options.tolerance() && violation <= allowedViolation) {
          reason = StopReason.CONVERGED;
        } else if (!listener.onIteration(rec, weights)) {
          reason = StopReason.STOPPED_BY_LISTENER;
        } else if (seconds >= options.maxSeconds()) {
          reason = StopReason.TIME_LIMIT;
        } else if (round + 1 >= options.maxIterations()) {
          reason = StopReason.MAX_ITERATIONS;
        } else if (fresh.isEmpty()) {
          reason = StopReason.STALLED;
        }
        if (reason == StopReason.CONVERGED) {
          listener.onIteration(rec, weights);
        }
        if (reason != null) {
          return new SolverResult(weights, cert, reason, List.copyOf(history), round + 1,
              seconds, null);
        }
        atoms.addAll(fresh);
        master();
      }
    }

    /**
     * Atoms from a warm start's non-zero blocks: each block projected onto its chamber (a
     * block already inside keeps its direction), with its norm as the starting weight.
     */
    private List<Atom> startAtoms(DenseMatrix warm) {
      if (warm.rows() != d || warm.cols() != 2 * p) {
        throw new IllegalArgumentException("warm start is " + warm.rows() + " x " + warm.cols()
            + ", expected " + d + " x " + 2 * p);
      }
      List<Integer> nonzero = new ArrayList<>();
      for (int key = 0; key < 2 * p; key++) {
        if (warm.columnNorm(key) > 0.0) {
          nonzero.add(key);
        }
      }
      int[] keys = nonzero.stream().mapToInt(Integer::intValue).toArray();
      DenseMatrix blocks = new DenseMatrix(d, keys.length);
      for (int k = 0; k < keys.length; k++) {
        System.arraycopy(warm.data(), keys[k] * d, blocks.data(), k * d, d);
      }
      ChamberProjector.Projections proj = projector.project(keys, blocks, 0.0);
      List<Atom> out = new ArrayList<>();
      for (int k = 0; k < keys.length; k++) {
        double b = proj.bounds()[k];
        if (b > 0.0 && proj.inCone()[k]) {
          double[] u = new double[d];
          System.arraycopy(proj.points().data(), k * d, u, 0, d);
          Blas.scal(d, 1.0 / b, u);
          out.add(new Atom(keys[k], u, b));
        }
      }
      return out;
    }

    /** The atoms' columns s_a D_j X u_a (n x m). */
    private DenseMatrix columns(List<Atom> list) {
      int m = list.size();
      DenseMatrix u = new DenseMatrix(d, m);
      for (int a = 0; a < m; a++) {
        System.arraycopy(list.get(a).u(), 0, u.data(), a * d, d);
      }
      DenseMatrix f = new DenseMatrix(n, m);
      Blas.gemm(false, false, 1.0, problem.x(), u, 0.0, f);
      double[] fd = f.data();
      for (int a = 0; a < m; a++) {
        int key = list.get(a).key();
        int mOff = (key % p) * n;
        double s = key < p ? 1.0 : -1.0;
        int off = a * n;
        for (int r = 0; r < n; r++) {
          fd[off + r] = mask[mOff + r] != 0 ? s * fd[off + r] : 0.0;
        }
      }
      return f;
    }

    /** Solves the master over the atoms, merges each block's atoms, and updates lambda. */
    private void master() {
      int m = atoms.size();
      DenseMatrix f = columns(atoms);
      DenseMatrix q = new DenseMatrix(m, m);
      Blas.gemm(true, false, 1.0, f, f, 0.0, q);
      DenseMatrix fy = new DenseMatrix(m, 1);
      Blas.gemm(true, false, 1.0, f, new DenseMatrix(n, 1, y.clone()), 0.0, fy);
      double[] b = new double[m];
      double[] theta0 = new double[m];
      for (int a = 0; a < m; a++) {
        b[a] = fy.data()[a] - beta;
        theta0[a] = atoms.get(a).theta();
      }
      double[] theta = NonnegativeLasso.solve(q, b, theta0);
      Map<Integer, double[]> merged = new LinkedHashMap<>();
      for (int a = 0; a < m; a++) {
        if (theta[a] > 0.0) {
          double[] v = merged.computeIfAbsent(atoms.get(a).key(), k -> new double[d]);
          double[] u = atoms.get(a).u();
          for (int i = 0; i < d; i++) {
            v[i] += theta[a] * u[i];
          }
        }
      }
      List<Atom> next = new ArrayList<>();
      for (Map.Entry<Integer, double[]> e : merged.entrySet()) {
        double norm = Blas.nrm2(d, e.getValue(), 0);
        if (norm > 0.0) {
          Blas.scal(d, 1.0 / norm, e.getValue());
          next.add(new Atom(e.getKey(), e.getValue(), norm));
        }
      }
      atoms = next;
      // Merging keeps each block's sum theta_a u_a, so the prediction is F theta of the
      // unmerged atoms: no second product with X.
      double[] pred = new double[n];
      Blas.gemm(false, false, n, 1, m, 1.0, f.data(), 0, n, theta, 0, m, 0.0, pred, 0, n);
      lambda = new double[n];
      for (int r = 0; r < n; r++) {
        lambda[r] = y[r] - pred[r];
      }
    }

    /** The blocks (d x 2P): theta_a u_a in column key_a. */
    private DenseMatrix weights() {
      DenseMatrix w = new DenseMatrix(d, 2 * p);
      for (Atom a : atoms) {
        for (int i = 0; i < d; i++) {
          w.data()[a.key() * d + i] = a.theta() * a.u()[i];
        }
      }
      return w;
    }

    /** The largest cone violation of the atoms' blocks, max -(2 D_j - I) X v_j. */
    private double violation() {
      int m = atoms.size();
      if (m == 0) {
        return 0.0;
      }
      DenseMatrix v = new DenseMatrix(d, m);
      for (int a = 0; a < m; a++) {
        for (int i = 0; i < d; i++) {
          v.data()[a * d + i] = atoms.get(a).theta() * atoms.get(a).u()[i];
        }
      }
      DenseMatrix xv = new DenseMatrix(n, m);
      Blas.gemm(false, false, 1.0, problem.x(), v, 0.0, xv);
      double worst = 0.0;
      for (int a = 0; a < m; a++) {
        int mOff = (atoms.get(a).key() % p) * n;
        int off = a * n;
        for (int r = 0; r < n; r++) {
          double s = mask[mOff + r] != 0 ? xv.data()[off + r] : -xv.data()[off + r];
          worst = Math.max(worst, -s);
        }
      }
      return worst;
    }
  }
}
