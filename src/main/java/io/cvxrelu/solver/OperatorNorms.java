package io.cvxrelu.solver;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import java.util.SplittableRandom;

/**
 * Power-iteration estimates of the norms that set the first proximal-gradient step. They are
 * estimates from below; backtracking in {@link Fista} corrects them.
 */
final class OperatorNorms {
  private OperatorNorms() {}

  /** ||A||^2 for A: B -&gt; sum_i D_i X B_i (the data-fit operator), two GEMMs per round. */
  static double lossOperatorNormSquared(ConvexReluProblem problem, int rounds) {
    int q = problem.blockCount();
    DenseMatrix b = new DenseMatrix(problem.d(), q);
    SplittableRandom rng = new SplittableRandom(17);
    for (int k = 0; k < b.data().length; k++) {
      b.data()[k] = rng.nextGaussian();
    }
    double estimate = 0.0;
    DenseMatrix r = new DenseMatrix(problem.n(), q);
    for (int it = 0; it < rounds; it++) {
      double norm = Blas.nrm2(b.data().length, b.data(), 0);
      if (norm == 0.0) {
        return 0.0;
      }
      Blas.scal(b.data().length, 1.0 / norm, b.data());
      double[] p = problem.predict(problem.forward(b));
      problem.maskedResidual(p, r);
      b = problem.adjoint(r);
      estimate = Blas.nrm2(b.data().length, b.data(), 0);
    }
    return estimate;
  }

  /** ||X||_2^2, the largest eigenvalue of the d x d Gram matrix X^T X. */
  static double dataNormSquared(DenseMatrix x) {
    int d = x.cols();
    DenseMatrix gram = new DenseMatrix(d, d);
    Blas.gemm(true, false, 1.0, x, x, 0.0, gram);
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
