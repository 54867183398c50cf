package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.iteration.GatedFistaLoop;
import io.cvxrelu.solver.iteration.OperatorNorms;

/**
 * The gated-ReLU group lasso (Pilanci and Ergen 2020, eq. (8) without the cone constraints;
 * Mishkin, Sahiner and Pilanci 2022, eq. (4)) over distributed row blocks: the loop of the
 * single-node solver ({@link GatedFistaLoop}) driving {@link DistributedFista}, one pass per
 * step, stopping on the same duality-gap certificate (one more pass every few steps). The first
 * step is the inverse of the same power-iteration estimate of the Lipschitz constant as on a
 * single node, so the iterates follow the single-node ones.
 */
public final class DistributedGatedSolver implements DistributedSolver {
  private static final String PHASE = "gated FISTA";

  private final int certificateEvery;

  public DistributedGatedSolver() {
    this(5);
  }

  /** @param certificateEvery steps between certificate evaluations */
  public DistributedGatedSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    Formulation.GATED.require(problem, "DistributedGatedSolver");
    long start = System.nanoTime();
    DistributedFista.Smooth loss = (c, y) -> problem.evaluate(c, y, null, 0.0);
    DistributedFista fista = resume
        ? DistributedFista.resume(problem, loss, PHASE, checkpoint.load(problem))
        : DistributedFista.start(problem, loss, PHASE,
            warmStart != null ? warmStart : problem.zeroWeights(),
            problem.loss().curvature() * OperatorNorms.lossOperatorNormSquared(problem, 20));
    Runnable save = () -> checkpoint.save(fista.checkpointState(0, Double.NaN, Double.NaN,
        Double.NaN, false), problem.data(), null);
    fista.checkpointEvery(checkpoint, save);
    SolverResult result = GatedFistaLoop.run(fista,
        () -> problem.certificate(fista.iterate(), null), certificateEvery, options, listener,
        start);
    SolverCheckpoint.saveOnStop(checkpoint, result.stopReason(), save);
    return result;
  }
}
