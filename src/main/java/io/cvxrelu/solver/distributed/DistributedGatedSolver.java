package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.OperatorNorms;
import io.cvxrelu.solver.local.GatedFistaSolver;

/**
 * The gated-ReLU group lasso (Pilanci and Ergen 2020, eq. (8) without the cone constraints;
 * Mishkin, Sahiner and Pilanci 2022, eq. (4)) over distributed row blocks: the loop of
 * {@link GatedFistaSolver} driving {@link DistributedFista}, one pass per step, stopping on the
 * same duality-gap certificate (one more pass every few steps). The first step is the inverse
 * of the same power-iteration estimate of the Lipschitz constant as on a single node, so the
 * iterates follow the single-node ones.
 */
public final class DistributedGatedSolver {
  private final int certificateEvery;

  public DistributedGatedSolver() {
    this(5);
  }

  /** @param certificateEvery steps between certificate evaluations */
  public DistributedGatedSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  /**
   * Solves from zero, or from the checkpoint when {@code resume} is set.
   *
   * @param checkpoint where state is saved every few steps and when a budget runs out (null:
   *     none)
   */
  public SolverResult solve(DistributedProblem problem, SolverOptions options,
      IterationListener listener, SolverCheckpoint checkpoint, boolean resume) {
    return solve(problem, null, options, listener, checkpoint, resume);
  }

  /**
   * Solves from {@code warmStart} (d x P; null: zero), or from the checkpoint when
   * {@code resume} is set.
   */
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    if (problem.formulation() != Formulation.GATED) {
      throw new IllegalArgumentException("DistributedGatedSolver solves the gated formulation");
    }
    long start = System.nanoTime();
    String fingerprint = SolverCheckpoint.fingerprint(problem);
    DistributedFista.Smooth loss = (c, y) -> problem.evaluate(c, y, null, 0.0);
    DistributedFista fista;
    if (resume) {
      SolverCheckpoint.State s = checkpoint.load(fingerprint);
      fista = new DistributedFista(problem, loss, "gated FISTA", s.iterate(),
          s.previousIterate(), s.momentum(), s.stepSize(), s.steps());
      fista.restoreGradientMapping(s.gradientMapping());
    } else {
      problem.context().setJobDescription("cvxrelu: step size (power iteration)");
      double lipschitz = problem.loss().curvature() * OperatorNorms.normalOperatorNorm(
          problem.d(), problem.blockCount(), problem::normalOperator, 20);
      DenseMatrix b0 = warmStart != null ? warmStart
          : new DenseMatrix(problem.d(), problem.blockCount());
      fista = new DistributedFista(problem, loss, "gated FISTA", b0, b0, 1.0,
          1.0 / Math.max(lipschitz, Double.MIN_NORMAL), 0);
    }
    if (checkpoint != null) {
      fista.afterStep(f -> {
        if (checkpoint.due(f.steps())) {
          save(checkpoint, fingerprint, f, problem);
        }
      });
    }
    SolverResult result = GatedFistaSolver.iterate(fista,
        () -> problem.certificate(fista.iterate(), null), certificateEvery, options, listener,
        start);
    if (checkpoint != null && result.stopReason() != StopReason.CONVERGED) {
      save(checkpoint, fingerprint, fista, problem);
    }
    return result;
  }

  private static void save(SolverCheckpoint checkpoint, String fingerprint, DistributedFista f,
      DistributedProblem problem) {
    checkpoint.save(new SolverCheckpoint.State(fingerprint, f.steps(), f.iterate(),
        f.previousIterate(), f.momentum(), f.stepSize(), f.gradientMapping(), 0, Double.NaN, Double.NaN, Double.NaN,
        false), problem.data(), null);
  }
}
