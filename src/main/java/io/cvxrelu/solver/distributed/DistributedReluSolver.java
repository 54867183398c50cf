package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.AugmentedLagrangian;
import io.cvxrelu.solver.iteration.ProxGradientIteration;
import org.apache.spark.api.java.JavaRDD;

/**
 * The cone-constrained ReLU program (Pilanci and Ergen 2020, eq. (8)) over distributed row
 * blocks by the augmented-Lagrangian method of the single-node solver ({@link
 * AugmentedLagrangian}: same penalty, multiplier update mu+ = (mu - rho K v)_+, rho schedule,
 * inner tolerance and stopping rule): each round minimises the augmented Lagrangian with
 * {@link DistributedFista}, one pass per step. The cone multipliers, n x 2P, never reach the
 * driver: they are an RDD aligned with the row blocks, replaced each round by a new persisted
 * RDD with a local checkpoint (bounded lineage) after which the old one is unpersisted.
 *
 * <p>The result carries no multipliers (they stay distributed). A checkpoint holds the round's
 * scalars and its starting multipliers, so a resumed solve runs that round again from the saved
 * iterate.
 */
public final class DistributedReluSolver implements DistributedSolver {
  private static final String PHASE = "ReLU augmented Lagrangian";

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    Formulation.RELU.require(problem, "DistributedReluSolver");
    long start = System.nanoTime();
    AugmentedLagrangian<JavaRDD<DenseMatrix>> method =
        new AugmentedLagrangian<>(problem, options);
    AugmentedLagrangian.State<JavaRDD<DenseMatrix>> state;
    DistributedFista fista;
    if (resume) {
      SolverCheckpoint.State s = checkpoint.load(problem);
      state = AugmentedLagrangian.State.resumed(s.round(), s.rho(), s.innerTolerance(),
          s.previousViolation(), checkpoint.loadMultipliers(problem.data()));
      fista = DistributedFista.resume(problem, smooth(problem, state.multipliers(),
          state.rho()), PHASE, s, false);
    } else {
      state = method.start(problem.zeroMultipliers());
      fista = DistributedFista.start(problem, smooth(problem, state.multipliers(), state.rho()),
          PHASE, warmStart != null ? warmStart : problem.zeroWeights(),
          method.lipschitz(state.rho()));
    }
    // Resume inside the round that stopped, with the multipliers it started from.
    Runnable save = () -> checkpoint.save(fista.checkpointState(state.round(), state.rho(),
        state.innerTolerance(), state.previousViolation(), true), problem.data(),
        state.multipliers());
    fista.checkpointEvery(checkpoint, save);
    return method.run(new ClusterPasses(problem, fista, checkpoint, save), state, resume,
        listener, start);
  }

  private static DistributedFista.Smooth smooth(DistributedProblem problem,
      JavaRDD<DenseMatrix> mu, double rho) {
    return (c, y) -> problem.evaluate(c, y, mu, rho);
  }

  /** The passes over the row blocks; multipliers are released by unpersisting them. */
  private record ClusterPasses(DistributedProblem problem, DistributedFista fista,
      SolverCheckpoint checkpoint, Runnable save)
      implements AugmentedLagrangian.Passes<JavaRDD<DenseMatrix>> {

    @Override
    public ProxGradientIteration iteration() {
      return fista;
    }

    @Override
    public void reset(JavaRDD<DenseMatrix> multipliers, double rho, double lipschitz) {
      fista.reset(smooth(problem, multipliers, rho), lipschitz);
    }

    @Override
    public JavaRDD<DenseMatrix> updatedMultipliers(JavaRDD<DenseMatrix> multipliers,
        double rho) {
      return problem.updatedMultipliers(fista.iterate(), multipliers, rho);
    }

    @Override
    public Certificate certificate(JavaRDD<DenseMatrix> updated) {
      return problem.certificate(fista.iterate(), updated);
    }

    @Override
    public void release(JavaRDD<DenseMatrix> multipliers) {
      multipliers.unpersist(false);
    }

    @Override
    public DenseMatrix finish(StopReason reason, JavaRDD<DenseMatrix> multipliers,
        JavaRDD<DenseMatrix> updated) {
      SolverCheckpoint.saveOnStop(checkpoint, reason, save);
      multipliers.unpersist(false);
      updated.unpersist(false);
      return null;
    }
  }
}
