package io.cvxrelu.train;

import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.local.AdmmReluSolver;
import io.cvxrelu.solver.local.AtomGenerationReluSolver;
import io.cvxrelu.solver.local.AugmentedLagrangianSolver;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.solver.local.WarmStartedSolver;

/**
 * Which solver runs a convex program: the one place that decides. It picks the single-node
 * algorithm for a problem ({@link #local}), decides between this JVM and the distributed
 * solvers over row blocks ({@link #of}), and names the solver in reports ({@link #name}). The
 * Spark layer maps a distributed choice to its solver class
 * ({@code solver.distributed.DistributedTraining}).
 *
 * @param distributed the program is solved over row blocks on the executors
 * @param generate pattern generation runs around the solves
 */
public record SolverChoice(boolean distributed, boolean generate) {

  /** Where a spec asks the program to be solved ({@code --solver}). */
  public enum Placement {
    /** On the driver, with {@link #local}. */
    LOCAL,
    /** Over row blocks on the executors. */
    DISTRIBUTED,
    /** Distributed on a cluster or for large data, else local (see {@link #of}). */
    AUTO;

    /** Parses {@code local}, {@code distributed} or {@code auto}. */
    public static Placement parse(String s) {
      return switch (s) {
        case "local" -> LOCAL;
        case "distributed" -> DISTRIBUTED;
        case "auto" -> AUTO;
        default -> throw new InvalidSpecException("--solver must be local, distributed or auto, got"
            + " '" + s + "'");
      };
    }
  }

  /** With {@link Placement#AUTO}, row counts from which the distributed solvers are used. */
  public static final int AUTO_DISTRIBUTED_ROWS = 200_000;
  /** Largest n for which ADMM's n x n factor is used (about 3 GB at the limit). */
  public static final int ADMM_MAX_ROWS = 20_000;

  /**
   * The choice for {@code spec} on {@code rows} training rows under the Spark master
   * {@code master}: distributed when asked, when resuming (only the distributed solvers
   * checkpoint), or with {@link Placement#AUTO} when the master is not {@code local[...]} or
   * the data have at least {@link #AUTO_DISTRIBUTED_ROWS} rows.
   */
  public static SolverChoice of(TrainingSpec spec, String master, int rows) {
    boolean distributed = distributedForAnyRows(spec, master)
        || spec.placement() == Placement.AUTO && rows >= AUTO_DISTRIBUTED_ROWS;
    return new SolverChoice(distributed, spec.generation().enabled());
  }

  /**
   * Whether {@link #of} chooses the distributed solvers whatever the row count: asked for,
   * resuming, or {@link Placement#AUTO} on a master that is not {@code local[...]}. A job can
   * then read its data straight onto the executors.
   */
  public static boolean distributedForAnyRows(TrainingSpec spec, String master) {
    Placement where = spec.placement();
    return spec.distributed().resume() || where == Placement.DISTRIBUTED
        || where == Placement.AUTO && !master.startsWith("local");
  }

  /**
   * The single-node solver for a problem: for gated, the semismooth Newton augmented Lagrangian
   * method with squared loss when its working arrays fit ({@link SsnalGatedSolver#supports};
   * on the bench's gated target it certified 1e-6 where FISTA was still near 1e-3), FISTA
   * otherwise (logistic loss, very large n P); for ReLU with squared loss the interior-point
   * method when P d is small enough for its normal equations, else column generation over the
   * program's atoms ({@link AtomGenerationReluSolver}: on the bench's n = 10^4, d = 100,
   * P = 1,000 instance it certified 2.5e-7 in 25 s where ADMM ended uncertified at 120 s) when
   * its chamber projections fit in memory, else ADMM with active-set polish for n up to
   * {@link #ADMM_MAX_ROWS}; augmented Lagrangian otherwise (logistic loss). The algorithm is
   * wrapped in {@link WarmStartedSolver}: a start that already certifies returns at once, and a
   * budgeted solve never returns worse than its start.
   */
  public static ConvexSolver local(ConvexReluProblem problem) {
    return WarmStartedSolver.of(algorithmFor(problem));
  }

  /** The class of the algorithm {@link #local} runs for {@code problem} (for reports). */
  public static Class<?> algorithm(ConvexReluProblem problem) {
    return WarmStartedSolver.algorithmOf(local(problem));
  }

  private static ConvexSolver algorithmFor(ConvexReluProblem problem) {
    if (problem.formulation() == Formulation.GATED) {
      return SsnalGatedSolver.supports(problem) ? new SsnalGatedSolver()
          : new GatedFistaSolver();
    }
    if (InteriorPointReluSolver.supports(problem)) {
      return new InteriorPointReluSolver();
    }
    if (AtomGenerationReluSolver.supports(problem)) {
      return new AtomGenerationReluSolver();
    }
    return AdmmReluSolver.supports(problem) && problem.n() <= ADMM_MAX_ROWS
        ? new AdmmReluSolver() : new AugmentedLagrangianSolver();
  }

  /**
   * The solver's name in reports: the algorithm's class, followed by {@code + ColumnGeneration}
   * when pattern generation ran around it.
   */
  public String name(Class<?> algorithm) {
    return algorithm.getSimpleName() + (generate ? " + ColumnGeneration" : "");
  }

  /**
   * Seconds between progress lines: the distributed solvers certify less often, so every
   * certificate is logged there.
   */
  public double progressSeconds() {
    return distributed ? 0.0 : 2.0;
  }
}
