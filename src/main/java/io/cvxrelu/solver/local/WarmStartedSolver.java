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
import io.cvxrelu.solver.local.polish.ActiveSetPolish;
import java.util.List;

/**
 * Makes any single-node solver honour a warm start with two guarantees, whatever the algorithm
 * does with the start itself:
 * <ol>
 *   <li><b>A certified start returns at once.</b> The start is certified before the solver runs
 *       ({@link Certificate}, eq. (8) of Pilanci and Ergen 2020). For the gated program the
 *       certificate at a point needs no multipliers. For the ReLU program it needs the cone
 *       multipliers mu, which a start does not carry; when the {@link ActiveSetPolish} is
 *       affordable it recovers them (and the exact point on the start's active set) from the
 *       start, so a start at the optimum certifies with no iteration of the solver. The
 *       interior-point method, whose iterates must start inside the cones, benefits most: it
 *       ignores a start otherwise.</li>
 *   <li><b>A budgeted solve is never worse than its start.</b> When the solver stops without
 *       converging and the start (or its polish) is feasible with a lower objective than the
 *       returned point, the start is returned with its own certificate and the solver's stop
 *       reason and history.</li>
 * </ol>
 * Column generation and the regularisation path hand every round the previous solution, so
 * both gain from (1) when the new round changes little, and never lose ground to (2).
 */
public final class WarmStartedSolver implements ConvexSolver {
  /**
   * Active-set rounds spent confirming a ReLU start. At the optimum the first round's support
   * is right; the full polish from a start at a neighbouring beta of a path cost up to 1.5x
   * the interior point's cold solve (n = 1,000, d = 20, P = 100) without certifying it.
   */
  private static final int CONFIRMING_ROUNDS = 2;
  private final ConvexSolver solver;

  private WarmStartedSolver(ConvexSolver solver) {
    this.solver = solver;
  }

  /** {@code solver} with the warm-start guarantees (not wrapped twice). */
  public static ConvexSolver of(ConvexSolver solver) {
    return solver instanceof WarmStartedSolver ? solver : new WarmStartedSolver(solver);
  }

  /** The algorithm that runs when the start does not certify (for reports). */
  public ConvexSolver algorithm() {
    return solver;
  }

  /** The algorithm behind {@code solver}, unwrapping a {@link WarmStartedSolver}. */
  public static Class<?> algorithmOf(ConvexSolver solver) {
    return solver instanceof WarmStartedSolver w ? w.solver.getClass() : solver.getClass();
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    if (warmStart == null) {
      return solver.solve(problem, null, options, listener);
    }
    long start = System.nanoTime();
    double feasTol = AdmmReluSolver.feasibilityTolerance(problem, options);
    Start s = Start.certify(problem, warmStart, options.tolerance(), feasTol);
    if (s.certifies(options.tolerance(), feasTol)) {
      double seconds = (System.nanoTime() - start) * 1e-9;
      IterationRecord rec = record(s.certificate, seconds);
      listener.onIteration(rec, s.weights);
      return new SolverResult(s.weights, s.certificate, StopReason.CONVERGED, List.of(rec), 0,
          seconds, s.multipliers);
    }
    SolverResult r = solver.solve(problem, s.weights, options, listener);
    Certificate rc = r.certificate();
    boolean startBetter = s.feasible(feasTol) && (s.certificate.objective() < rc.objective()
        || !(rc.constraintViolation() <= feasTol) || !Double.isFinite(rc.objective()));
    if (r.stopReason() == StopReason.CONVERGED || !startBetter) {
      return r;
    }
    return new SolverResult(s.weights, s.certificate, r.stopReason(), r.history(),
        r.iterations(), r.seconds() + s.seconds, s.multipliers);
  }

  private static IterationRecord record(Certificate c, double seconds) {
    return new IterationRecord(0, 0, c.objective(), c.lowerBound(), c.relativeGap(),
        c.constraintViolation(), seconds);
  }

  /**
   * The start as the solvers see it: its weights (for the ReLU program, the polished point when
   * the polish improved the certificate), the certificate there and the multipliers behind it.
   */
  private record Start(DenseMatrix weights, Certificate certificate, DenseMatrix multipliers,
      double seconds) {

    static Start certify(ConvexReluProblem problem, DenseMatrix b, double tolerance,
        double feasTol) {
      long t0 = System.nanoTime();
      DenseMatrix xb = problem.forward(b);
      Start best = new Start(b, Certificate.compute(problem, b, xb, null), null, 0.0);
      if (problem.formulation() == Formulation.RELU && AdmmReluSolver.supports(problem)
          && ActiveSetPolish.affordable(problem)) {
        ActiveSetPolish polish = new ActiveSetPolish(problem, CONFIRMING_ROUNDS);
        // The start as it is, with multipliers fitted to it; then, unless that certifies,
        // the point a short polish reaches from it.
        DenseMatrix mu = polish.multipliersAt(b, xb);
        if (mu != null) {
          best = best.orBetter(new Start(b, Certificate.compute(problem, b, xb, mu), mu, 0.0));
        }
        if (!best.certifies(tolerance, feasTol) && polish.run(b, xb, null)) {
          best = best.orBetter(new Start(polish.weights(), Certificate.compute(problem,
              polish.weights(), polish.product(), polish.multipliers()), polish.multipliers(),
              0.0));
        }
      }
      return new Start(best.weights, best.certificate, best.multipliers,
          (System.nanoTime() - t0) * 1e-9);
    }

    /** The better certified of the two: a smaller gap without more cone violation. */
    Start orBetter(Start other) {
      Certificate o = other.certificate;
      return Double.isFinite(o.relativeGap()) && o.relativeGap() < certificate.relativeGap()
          && o.constraintViolation() <= Math.max(certificate.constraintViolation(), 1e-12)
          ? other : this;
    }

    boolean feasible(double feasTol) {
      return certificate.constraintViolation() <= feasTol
          && Double.isFinite(certificate.objective());
    }

    boolean certifies(double tolerance, double feasTol) {
      return feasible(feasTol) && certificate.relativeGap() <= tolerance;
    }
  }
}
