package io.cvxrelu.theory;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;

/**
 * The linear network min_theta 1/2 ||A theta - y||^2 + beta ||theta|| as a program the existing
 * solvers take: the gated group lasso (Pilanci and Ergen 2020, eq. (8) without the cone
 * constraints) over the single pattern D = I. On Gaussian data with n &gt; d no gate g has
 * A g &gt; 0 on every row, so the all-ones pattern is made from a stand-in matrix with the
 * shape of A (first column ones) and the gate e_1; the gated solvers read only the mask, and
 * the stored gate is a placeholder, not a gate of A (do not read a model off it).
 */
public final class LinearNetworkProgram {
  private LinearNetworkProgram() {}

  /** The program for {@code a}, {@code y} and {@code beta}. */
  public static ConvexReluProblem of(DenseMatrix a, double[] y, double beta) {
    int n = a.rows();
    int d = a.cols();
    DenseMatrix standIn = new DenseMatrix(n, d);
    java.util.Arrays.fill(standIn.data(), 0, n, 1.0);
    DenseMatrix gate = new DenseMatrix(d, 1);
    gate.set(0, 0, 1.0);
    return new ConvexReluProblem(a, y, SignPatterns.fromGates(standIn, gate), new SquaredLoss(),
        beta, Formulation.GATED);
  }
}
