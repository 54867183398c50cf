package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The smooth part phi of a composite objective phi(X B) + beta sum_j ||B_j||, seen through the
 * product Z = X B so that the solver needs exactly one forward GEMM (X B) and one adjoint GEMM
 * (X^T dphi/dZ) per gradient.
 */
public interface SmoothPart {
  /** phi(Z). */
  double value(DenseMatrix z);

  /** Returns phi(Z) and writes dphi/dZ into {@code gz} (same shape as Z). */
  double valueAndGradient(DenseMatrix z, DenseMatrix gz);
}
