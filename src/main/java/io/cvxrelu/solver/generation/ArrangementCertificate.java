package io.cvxrelu.solver.generation;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Nnls;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;

/**
 * A duality-gap certificate over ALL sign patterns of the data, for weights found on a subset.
 *
 * <p>The weights of a restricted program are feasible for the full one (the missing blocks are
 * zero). Its dual point lambda = -grad L(prediction) is checked against the dual constraint of
 * every cell of the hyperplane arrangement, enumerated exactly by {@link ArrangementEnumerator}:
 * for the ReLU program, min_{mu &gt;= 0} ||X^T D_i lambda + K_i^T mu|| (and with -lambda), which
 * by Moreau's decomposition equals max_{u in cone_i, ||u|| &lt;= 1} lambda^T D_i X u, solved as a
 * non-negative least-squares problem; for the gated program, ||X^T D_i lambda||. Scaling lambda
 * into the full dual set gives a lower bound on the full program's optimum, which by Pilanci and
 * Ergen (2020, Theorem 1) is the global minimum of the non-convex training objective over
 * networks of any width: a proof, unlike {@link io.cvxrelu.patterns.DualPatternSearch}.
 *
 * <p>Feasible when the arrangement can be enumerated: 1-D data with a bias column, small n.
 */
public final class ArrangementCertificate {
  private ArrangementCertificate() {}

  /**
   * @param certificate gap of the weights against the full program
   * @param patternsChecked number of cells of the arrangement checked
   * @param worstPattern index (among the enumerated cells) with the largest dual-constraint norm
   * @param dualNorm that largest norm (beta or less means lambda itself is dual feasible)
   */
  public record Result(Certificate certificate, int patternsChecked, int worstPattern,
      double dualNorm) {}

  /**
   * Certifies {@code weights} of {@code problem} (any subset of patterns) against all patterns.
   *
   * @param maxSubsets enumeration budget, see {@link ArrangementEnumerator#enumerate}
   * @throws IllegalArgumentException when the arrangement is too large to enumerate
   */
  public static Result compute(ConvexReluProblem problem, DenseMatrix weights, long maxSubsets) {
    DenseMatrix x = problem.x();
    int n = x.rows();
    int d = x.cols();
    DenseMatrix z = problem.forward(weights);
    Certificate restricted = Certificate.compute(problem, weights, z, null);
    double[] pred = problem.predict(z);
    double[] g = new double[n];
    problem.loss().valueAndGradient(pred, problem.y(), g);
    double[] lambda = new double[n];
    for (int k = 0; k < n; k++) {
      lambda[k] = -g[k];
    }
    SignPatterns all = ArrangementEnumerator.enumerate(x, maxSubsets);
    double[] norms = dualNorms(problem, lambda, all);
    double worst = 0.0;
    int worstIndex = -1;
    for (int i = 0; i < norms.length; i++) {
      if (norms[i] > worst) {
        worst = norms[i];
        worstIndex = i;
      }
    }
    int p = all.count();
    Certificate full = Certificate.fromDualNorm(problem, restricted.objective(), lambda, worst,
        restricted.constraintViolation());
    return new Result(full, p, worstIndex, worst);
  }

  /**
   * The dual-constraint norm of every pattern of {@code patterns} at the dual direction
   * {@code lambda}: for ReLU the larger of min_{mu &gt;= 0} ||+-X^T D_i lambda + K_i^T mu|| (a
   * non-negative least-squares problem each), for gated ||X^T D_i lambda||.
   */
  public static double[] dualNorms(ConvexReluProblem problem, double[] lambda,
      SignPatterns patterns) {
    DenseMatrix x = problem.x();
    int n = x.rows();
    int d = x.cols();
    int p = patterns.count();
    byte[] mask = patterns.mask();
    DenseMatrix masked = new DenseMatrix(n, p);
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < n; k++) {
        masked.data()[i * n + k] = mask[i * n + k] != 0 ? lambda[k] : 0.0;
      }
    }
    DenseMatrix c = new DenseMatrix(d, p);
    Blas.gemm(true, false, 1.0, x, masked, 0.0, c);
    boolean relu = problem.formulation() == Formulation.RELU;
    DenseMatrix negKt = new DenseMatrix(d, n);
    double[] norms = new double[p];
    for (int i = 0; i < p; i++) {
      if (!relu) {
        norms[i] = c.columnNorm(i);
        continue;
      }
      for (int k = 0; k < n; k++) {
        double s = mask[i * n + k] != 0 ? -1.0 : 1.0;
        for (int a = 0; a < d; a++) {
          negKt.data()[k * d + a] = s * x.data()[a * n + k];
        }
      }
      double[] ci = c.column(i);
      double up = residualNorm(negKt, Nnls.solve(negKt, ci, 10 * d + 10), ci);
      for (int a = 0; a < d; a++) {
        ci[a] = -ci[a];
      }
      norms[i] = Math.max(up, residualNorm(negKt, Nnls.solve(negKt, ci, 10 * d + 10), ci));
    }
    return norms;
  }

  /** ||A x - b|| for the NNLS solution x, i.e. ||c + K^T mu|| with A = -K^T. */
  private static double residualNorm(DenseMatrix a, double[] x, double[] b) {
    int m = a.rows();
    double s = 0.0;
    for (int r = 0; r < m; r++) {
      double v = -b[r];
      for (int j = 0; j < a.cols(); j++) {
        if (x[j] != 0.0) {
          v += a.data()[j * m + r] * x[j];
        }
      }
      s += v * v;
    }
    return Math.sqrt(s);
  }
}
