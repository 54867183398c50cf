package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexProgram;
import io.cvxrelu.problem.ConvexReluProblem;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Power-iteration estimates of the norms that set the first proximal-gradient step. They are
 * estimates from below; backtracking in {@link Fista} corrects them.
 */
public final class OperatorNorms {
  private OperatorNorms() {}

  /**
   * ||A||^2 for A: B -&gt; sum_i D_i X B_i (the data-fit operator), by power iteration on the
   * program's normal operator (two GEMMs, or one pass over the row blocks, per round).
   */
  public static double lossOperatorNormSquared(ConvexProgram program, int rounds) {
    if (program instanceof ConvexReluProblem p) {
      // A does not depend on beta: a path's solves share one estimate.
      return p.betaFreeEstimate("lossOperatorNormSquared/" + rounds, () -> normalOperatorNorm(
          p.d(), p.blockCount(), p::normalOperator, rounds));
    }
    return normalOperatorNorm(program.d(), program.blockCount(), program::normalOperator,
        rounds);
  }

  /**
   * Power iteration for ||A^T A|| = ||A||^2 given the normal operator B -&gt; A^T A B on d x q
   * matrices, from a fixed Gaussian start (seed 17) so that every caller, local or distributed,
   * gets the same estimate from the same operator.
   */
  public static double normalOperatorNorm(int d, int q, UnaryOperator<DenseMatrix> normal,
      int rounds) {
    DenseMatrix b = new DenseMatrix(d, q);
    SplittableRandom rng = new SplittableRandom(17);
    for (int k = 0; k < b.data().length; k++) {
      b.data()[k] = rng.nextGaussian();
    }
    double estimate = 0.0;
    for (int it = 0; it < rounds; it++) {
      double norm = Blas.nrm2(b.data().length, b.data(), 0);
      if (norm == 0.0) {
        return 0.0;
      }
      Blas.scal(b.data().length, 1.0 / norm, b.data());
      b = normal.apply(b);
      estimate = Blas.nrm2(b.data().length, b.data(), 0);
    }
    return estimate;
  }

  /** Largest eigenvalue of a symmetric positive semi-definite Gram matrix, by power iteration. */
  public static double gramNormSquared(DenseMatrix gram) {
    int d = gram.rows();
    double[] v = new double[d];
    java.util.Arrays.fill(v, 1.0 / Math.sqrt(Math.max(d, 1)));
    double estimate = 0.0;
    for (int it = 0; it < 100; it++) {
      double[] w = new double[d];
      for (int j = 0; j < d; j++) {
        double vj = v[j];
        for (int i = 0; i < d; i++) {
          w[i] += gram.get(i, j) * vj;
        }
      }
      double norm = Blas.nrm2(d, w, 0);
      if (norm == 0.0) {
        return 0.0;
      }
      for (int i = 0; i < d; i++) {
        v[i] = w[i] / norm;
      }
      if (Math.abs(norm - estimate) <= 1e-6 * norm) {
        return norm;
      }
      estimate = norm;
    }
    return estimate;
  }
}
