package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.ipm.CertifiedPath;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import org.apache.spark.api.java.JavaRDD;

/**
 * The primal-dual interior point of {@link InteriorPointReluSolver} (Mehrotra predictor-corrector
 * path following with Nesterov-Todd scaling, Vandenberghe 2010, for the cone-constrained ReLU
 * program with squared loss, Pilanci and Ergen 2020, eq. (8)) over distributed row blocks: the
 * same {@link PathFollowing} and {@link CertifiedPath} on the driver (normal equations,
 * Cholesky, predictor-corrector, certificate, pruning), with its rows' side, the n x 2P slacks
 * and multipliers of the cone rows, held by the executors ({@link DistributedConeRows}: 4 P
 * doubles per row). Each iteration is three passes over the blocks, the first of which also
 * certifies the iterate (its loss moments, cone violation and dual residual); the driver holds
 * O(P d^2 + (P d)^2) state. For P d up to {@link InteriorPointReluSolver#MAX_PATTERN_DIMENSION}.
 *
 * <p>Like the single-node method it starts from its own centred interior point: a warm start
 * is ignored, and {@code resume} solves again from that start (the checkpoint is neither read
 * nor written; the method needs 20-60 iterations whatever the start). Numerical trouble before
 * any iterate is certified hands over to {@link DistributedReluSolver}. The result carries no
 * multipliers (they stay distributed).
 */
public final class DistributedInteriorPointSolver implements DistributedSolver {
  /** True for the ReLU formulation with squared loss and P d at most the IPM's limit. */
  public static boolean supports(DistributedProblem problem) {
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss
        && (long) problem.patternCount() * problem.d()
            <= InteriorPointReluSolver.MAX_PATTERN_DIMENSION;
  }

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    Formulation.RELU.require(problem, "DistributedInteriorPointSolver");
    if (!supports(problem)) {
      throw new IllegalArgumentException("the distributed interior point takes the ReLU "
          + "formulation with squared loss and P d <= "
          + InteriorPointReluSolver.MAX_PATTERN_DIMENSION);
    }
    long start = System.nanoTime();
    double feasTol = options.feasibilityTolerance() * Math.max(1.0, problem.largestLabel());
    try (DistributedConeRows rows = new DistributedConeRows(problem.data())) {
      CertifiedPath<JavaRDD<DenseMatrix>> run = new CertifiedPath<>(new BlockRows(problem,
          rows), options, feasTol, start);
      try {
        run.follow(new PathFollowing(problem.d(), problem.patternCount(), problem.beta(),
            problem.data().gates(), rows), listener);
      } catch (ArithmeticException e) {
        // A gate on a data hyperplane: no interior start (the augmented Lagrangian takes it).
      }
      if (run.best() == null) {
        double left = Math.max(1e-3, options.maxSeconds() - run.seconds());
        return new DistributedReluSolver().solve(problem, warmStart,
            new SolverOptions(options.tolerance(), options.feasibilityTolerance(),
                options.maxIterations(), left), listener, checkpoint, false);
      }
      return run.result(run.pruneInactiveBlocks(), null);
    }
  }

  /** The multipliers stay on the executors; an iterate is certified from its step's first pass. */
  private record BlockRows(DistributedProblem problem, DistributedConeRows rows)
      implements CertifiedPath.Rows<JavaRDD<DenseMatrix>> {
    @Override
    public JavaRDD<DenseMatrix> multipliers() {
      return rows.multipliers();
    }

    @Override
    public Certificate certify(DenseMatrix b, JavaRDD<DenseMatrix> mu) {
      return problem.certificate(b, mu);
    }

    /** From the pass that prepares the next step: no certificate pass of its own. */
    @Override
    public Certificate certify(DenseMatrix b, JavaRDD<DenseMatrix> mu,
        ConeRows.Prepared prepared) {
      Certificate c = CertifiedPath.fromPrepared(problem.regularizer(b), problem.beta(),
          prepared);
      return c != null ? c : certify(b, mu);
    }

    @Override
    public void release(JavaRDD<DenseMatrix> mu) {
      rows.release(mu);
    }
  }
}
