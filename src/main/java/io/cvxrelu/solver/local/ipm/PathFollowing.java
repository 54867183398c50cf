package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;

/**
 * Primal-dual path following for the cone-constrained ReLU program with squared loss
 * (Pilanci and Ergen 2020, eq. (8)), written as a cone quadratic program in the blocks b_j and
 * epigraph variables t_j:
 * <pre>
 *   min  1/2 ||A b - y||^2 + beta sum_j t_j,     A b = sum_j sigma_j D_j X b_j
 *   s.t. K_j b_j &gt;= 0 (n rows each),  (t_j, b_j) in the second-order cone,
 * </pre>
 * with sigma = +1 for v and -1 for w and K_j = (2 D_j - I) X. One {@link #step} is a Mehrotra
 * predictor-corrector step with Nesterov-Todd scaling (Vandenberghe, "The CVXOPT linear and
 * quadratic cone program solvers", 2010, sections 2-5):
 * <ol>
 *   <li>the residuals at the iterate and its duality measure mu = s^T z / (n 2P + 2P);</li>
 *   <li>the scaling and the factorisation of the {@link NormalEquations};</li>
 *   <li>the predictor (affine) direction, for the complementarity target 0;</li>
 *   <li>the centering parameter sigma = (gap after the predictor step / gap)^3;</li>
 *   <li>the corrector direction, for the target sigma mu with the second-order correction;</li>
 *   <li>a step of 0.99 times the largest one that keeps s and z inside their cones.</li>
 * </ol>
 * The iterates stay strictly inside the cones, so the network read off the blocks is exactly
 * feasible. This class holds one solve's iterate and work space; the stopping rules, the
 * certificate and the fallbacks are the caller's.
 */
public final class PathFollowing {
  /** Fraction of the step to the cones' boundary taken by the corrector. */
  private static final double STEP_FRACTION = 0.99;

  private final ConeQp qp;
  private final ConeRows rows;
  /** The single-node rows, when this run holds them (for the multipliers). */
  private final RowCones localRows;
  private final ConeIterate iterate;
  private final Residuals residuals;
  private final NesterovToddScaling scaling;
  private final NormalEquations normal;
  private final NewtonDirection newton;
  private final Direction affine;
  private final Direction combined;
  /** The rows' summary at the current iterate, from {@link #prepare} (null: not yet formed). */
  private ConeRows.Prepared prepared;

  /**
   * The program on one node (all rows in one {@link RowCones}) and its strictly feasible,
   * centred start.
   *
   * @throws ArithmeticException when a gate lies on a data hyperplane (its cone has no
   *     interior point at the gate)
   */
  public PathFollowing(ConvexReluProblem problem) {
    this(problem.d(), problem.patternCount(), problem.beta(), problem.patterns().gates(),
        new RowCones(problem.x(), problem.y(), problem.maskValues(), problem.patternCount()));
  }

  /**
   * The program whose rows are {@code rows} (on one node or over row blocks), with d x P
   * {@code gates}, and its strictly feasible, centred start.
   *
   * @throws ArithmeticException when a gate lies on a data hyperplane
   */
  public PathFollowing(int d, int p, double beta, DenseMatrix gates, ConeRows rows) {
    this.qp = new ConeQp(d, p, beta, gates);
    this.rows = rows;
    this.localRows = rows instanceof RowCones rc ? rc : null;
    this.residuals = new Residuals(qp);
    this.scaling = new NesterovToddScaling(qp);
    this.normal = new NormalEquations(qp, rows.patternGram());
    this.newton = new NewtonDirection(qp, rows, residuals, scaling, normal);
    this.affine = new Direction(ConeRows.AFFINE, qp.d, qp.m);
    this.combined = new Direction(ConeRows.COMBINED, qp.d, qp.m);
    this.iterate = new ConeIterate(qp, rows);
  }

  /** Current blocks (a copy), d x 2P. */
  public DenseMatrix weights() {
    return iterate.weights();
  }

  /**
   * Cone multipliers on all n rows of the problem (zero rows of X get 0), n x 2P, for a run on
   * one node; row blocks give theirs through their own {@link ConeRows}.
   */
  public DenseMatrix multipliers() {
    if (localRows == null) {
      throw new IllegalStateException("the multipliers stay with the row blocks");
    }
    return localRows.multipliers();
  }

  /**
   * The rows' summary at the current iterate (one pass over the rows, kept for the next
   * {@link #step}): its loss moments and dual residual certify the iterate without a pass of
   * their own.
   */
  public ConeRows.Prepared prepare() {
    if (prepared == null) {
      prepared = rows.prepare(iterate.b);
    }
    return prepared;
  }

  /**
   * One predictor-corrector step.
   *
   * @return false when no progress is possible (the step to the boundary vanishes)
   * @throws ArithmeticException when the iterate leaves a cone or a pattern's block of the
   *     Newton matrix is not numerically positive definite
   */
  public boolean step() {
    ConeRows.Prepared rowsPart = prepare();
    prepared = null;
    residuals.compute(iterate, rowsPart.dualResidual());
    double gap = rowsPart.complementarity() + iterate.coneComplementarity();
    double mu = gap / (rows.rowCount() * qp.m + qp.m);
    scaling.update(iterate);
    normal.factor(scaling, rowsPart.blockGram());
    double sigma = predictor(gap);
    corrector(sigma, mu);
    newton.solve(combined, sigma, mu);
    double alpha = Math.min(1.0, STEP_FRACTION * iterate.stepToBoundary(combined));
    if (!(alpha > 1e-14)) {
      return false;
    }
    iterate.advance(alpha, combined);
    return true;
  }

  /**
   * The affine direction, complementarity target 0, i.e. e = lambda \ (-lambda o lambda) =
   * -lambda; returns the centering parameter sigma = (gap reached along it / gap)^3.
   */
  private double predictor(double gap) {
    double[] lamQ = scaling.lamQ;
    for (int k = 0; k < qp.d1 * qp.m; k++) {
      affine.eQ[k] = -lamQ[k];
    }
    newton.solve(affine, 0.0, 0.0);
    double alphaAff = Math.min(1.0, iterate.stepToBoundary(affine));
    double gapAff = iterate.complementarityAfter(alphaAff, affine);
    double ratio = Math.max(0.0, Math.min(1.0, gapAff / gap));
    return ratio * ratio * ratio;
  }

  /**
   * The corrector's right-hand side, d = -lambda o lambda - (W^-T ds_a) o (W dz_a) + sigma mu e
   * and e = lambda \ d, from the affine direction: the cones' part (the rows form theirs in
   * {@link ConeRows#rightHandSide}).
   */
  private void corrector(double sigma, double mu) {
    int d1 = qp.d1;
    double[] lamQ = scaling.lamQ;
    double[] dq = new double[d1];
    for (int j = 0; j < qp.m; j++) {
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
      SecondOrderCone.jordanSolve(lamQ, off, dq, combined.eQ, off, d1);
    }
  }
}
