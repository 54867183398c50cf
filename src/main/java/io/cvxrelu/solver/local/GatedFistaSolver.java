package io.cvxrelu.solver.local;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.iteration.GatedFistaLoop;
import io.cvxrelu.solver.iteration.OperatorNorms;
import io.cvxrelu.solver.iteration.PredictionSpaceFista;

/**
 * FISTA with backtracking and restart ({@link PredictionSpaceFista}) for the gated-ReLU group
 * lasso
 * min L(sum_i D_i X u_i, y) + beta sum_i ||u_i|| (Pilanci and Ergen 2020, eq. (8) without the
 * cone constraints; Mishkin, Sahiner and Pilanci 2022, eq. (4)), run by {@link GatedFistaLoop}.
 * Stops on the relative duality gap of {@link Certificate}, checked every few steps (one extra
 * tiled adjoint pass each time).
 */
public final class GatedFistaSolver implements ConvexSolver {
  private final int certificateEvery;

  public GatedFistaSolver() {
    this(5);
  }

  /** @param certificateEvery steps between certificate evaluations */
  public GatedFistaSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  @Override
  public SolverResult solve(ConvexReluProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    Formulation.GATED.require(problem, "GatedFistaSolver");
    long start = System.nanoTime();
    DenseMatrix b0 = warmStart != null ? warmStart : problem.zeroWeights();
    double lipschitz = problem.loss().curvature()
        * OperatorNorms.lossOperatorNormSquared(problem, 20);
    PredictionSpaceFista fista = new PredictionSpaceFista(problem, b0, lipschitz);
    return GatedFistaLoop.run(fista, () -> Certificate.atPrediction(problem, fista.iterate(),
        fista.prediction(), 0.0), certificateEvery, options, listener, start);
  }
}
