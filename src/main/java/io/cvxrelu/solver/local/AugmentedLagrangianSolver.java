package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.AugmentedLossTerm;
import io.cvxrelu.solver.iteration.Fista;
import io.cvxrelu.solver.iteration.OperatorNorms;
import java.util.ArrayList;
import java.util.List;

/**
 * Augmented-Lagrangian method for the cone-constrained ReLU program (Pilanci and Ergen 2020,
 * eq. (8)). Each round minimises the augmented Lagrangian (see {@link AugmentedLossTerm}) in
 * the blocks (v, w) with warm-started FISTA to a shrinking gradient-mapping tolerance, then
 * updates the cone multipliers mu+ = (mu - rho K v)_+ and raises rho when the constraint
 * violation stalls.
 *
 * <p>It stops only when all three optimality conditions hold: primal feasibility (violation at
 * most the feasibility tolerance), stationarity and complementary slackness. The last two are
 * checked through the duality gap of {@link Certificate} built from the residual and the updated
 * multipliers: for a feasible point the gap equals sum_i mu_i^T K_i v_i plus the dual
 * infeasibility of the stationarity residual, so a gap below tolerance certifies both.
 */
public final class AugmentedLagrangianSolver implements ConvexSolver {
  private static final double RHO_GROWTH = 10.0;
  private static final double MAX_RHO = 1e8;

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (problem.formulation() != Formulation.RELU) {
      throw new IllegalArgumentException("AugmentedLagrangianSolver solves the ReLU formulation");
    }
    long start = System.nanoTime();
    double beta = problem.beta();
    double lossLipschitz = problem.loss().curvature()
        * OperatorNorms.lossOperatorNormSquared(problem, 20);
    double dataNorm2 = OperatorNorms.dataNormSquared(problem.x());
    double feasScale = 1.0;
    for (double v : problem.y()) {
      feasScale = Math.max(feasScale, Math.abs(v));
    }
    double feasTol = options.feasibilityTolerance() * feasScale;

    // The penalty's curvature rho ||X||^2 costs nothing in step size while it stays below the
    // loss term's Lipschitz constant, so start there: fewer rounds for the same inner work.
    double rho = Math.max(problem.loss().curvature(),
        dataNorm2 > 0.0 ? lossLipschitz / dataNorm2 : 1.0);
    DenseMatrix mu = new DenseMatrix(problem.n(), problem.blockCount());
    DenseMatrix muNext = new DenseMatrix(problem.n(), problem.blockCount());
    DenseMatrix b0 = warmStart != null ? warmStart : problem.zeroWeights();
    AugmentedLossTerm term = new AugmentedLossTerm(problem, mu, rho);
    Fista fista = new Fista(problem, term, b0, lossLipschitz + rho * dataNorm2);

    List<IterationRecord> history = new ArrayList<>();
    double eta = 1e-2;
    double previousViolation = Double.POSITIVE_INFINITY;
    Certificate cert = null;
    StopReason reason = null;
    int round = 0;
    while (reason == null) {
      round++;
      // Inner solve: FISTA on the augmented Lagrangian until the gradient mapping is small.
      boolean stalled = false;
      long innerStart = fista.steps();
      while (fista.steps() - innerStart < 1 || fista.gradientMapping() > eta * beta) {
        if (!fista.step()) {
          stalled = true;
          break;
        }
        if (fista.steps() >= options.maxIterations()
            || (System.nanoTime() - start) * 1e-9 >= options.maxSeconds()) {
          break;
        }
      }
      term.updatedMultipliers(fista.product(), muNext);
      cert = Certificate.compute(problem, fista.iterate(), fista.product(), muNext);
      double seconds = (System.nanoTime() - start) * 1e-9;
      IterationRecord rec = new IterationRecord(round, fista.steps(), cert.objective(),
          cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
      history.add(rec);
      double violation = cert.constraintViolation();
      reason = roundOutcome(cert, rec, feasTol, options, stalled, listener, fista.iterate());
      if (reason != null) {
        break;
      }
      rho = nextRho(rho, violation, previousViolation, feasTol);
      previousViolation = violation;
      DenseMatrix swap = mu;
      mu = muNext;
      muNext = swap;
      term = new AugmentedLossTerm(problem, mu, rho);
      fista.reset(term, lossLipschitz + rho * dataNorm2);
      eta = Math.max(eta * 0.2, 1e-13);
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(fista.iterate().copy(), cert, reason, List.copyOf(history),
        fista.steps(), seconds, muNext.copy());
  }

  /**
   * Why the method stops after a round with this certificate, or null to go on: all three
   * optimality conditions (gap and feasibility), a listener, a budget or a stalled step.
   */
  public static StopReason roundOutcome(Certificate cert, IterationRecord rec, double feasTol,
      SolverOptions options, boolean stalled, IterationListener listener, DenseMatrix weights) {
    if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
      return StopReason.NUMERICAL_FAILURE;
    } else if (cert.relativeGap() <= options.tolerance()
        && cert.constraintViolation() <= feasTol) {
      return StopReason.CONVERGED;
    } else if (!listener.onIteration(rec, weights)) {
      return StopReason.STOPPED_BY_LISTENER;
    } else if (rec.innerIterations() >= options.maxIterations()) {
      return StopReason.MAX_ITERATIONS;
    } else if (rec.seconds() >= options.maxSeconds()) {
      return StopReason.TIME_LIMIT;
    }
    return stalled ? StopReason.STALLED : null;
  }

  /** rho grows tenfold while the violation is above tolerance and falls too slowly. */
  public static double nextRho(double rho, double violation, double previousViolation,
      double feasTol) {
    return violation > feasTol && violation > 0.25 * previousViolation && rho < MAX_RHO
        ? rho * RHO_GROWTH : rho;
  }
}
