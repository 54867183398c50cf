package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.SolverResult;

/**
 * The convex program of a two-layer linear CNN (Pilanci and Ergen 2020, section 5, case 2):
 * <pre>
 *   min_Z  1/2 sum_i (&lt;M_i, Z&gt; - y_i)^2 + beta ||Z||_*,   M_i = [x_{i,1} ... x_{i,K}] in R^{h x K},
 * </pre>
 * equal to the optimum of the linear CNN with weight decay beta/2 (||u_j||^2 + ||alpha_j||^2)
 * once it has at least rank(Z*) filters. Its dual is max lambda^T y - 1/2 ||lambda||^2 s.t.
 * ||sum_i lambda_i M_i||_op &lt;= beta, the certificate {@link NormRegularizedLeastSquares}
 * evaluates. The filters come from the SVD of Z ({@link LinearCnn#fromProduct}).
 */
public final class LinearCnnProgram {
  private LinearCnnProgram() {}

  /** The program for examples X (n x CHW) under the patch geometry. */
  public static NormRegularizedLeastSquares of(DenseMatrix x, double[] y,
      PatchGeometry geometry, double beta) {
    return new NormRegularizedLeastSquares(geometry.patchRows(x), y, beta, norm(geometry));
  }

  /** beta_max = ||sum_i y_i M_i||_op: above it Z = 0 is optimal. */
  public static double betaMax(DenseMatrix x, double[] y, PatchGeometry geometry) {
    return NormRegularizedLeastSquares.betaMax(geometry.patchRows(x), y, norm(geometry));
  }

  private static NuclearNorm norm(PatchGeometry geometry) {
    return new NuclearNorm(geometry.patchSize(), geometry.patchCount());
  }

  /** Z (h x K) of a solution. */
  public static DenseMatrix product(SolverResult result, PatchGeometry geometry) {
    return new DenseMatrix(geometry.patchSize(), geometry.patchCount(),
        result.weights().data().clone());
  }

  /** The network read off a solution. */
  public static LinearCnn recover(SolverResult result, PatchGeometry geometry) {
    return LinearCnn.fromProduct(product(result, geometry), geometry);
  }
}
