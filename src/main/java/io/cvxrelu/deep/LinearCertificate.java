package io.cvxrelu.deep;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * A point of the convex program min_M 1/2 ||X M - Y||_F^2 + lambda ||M||_* with a dual-feasible
 * point and the duality gap between them.
 *
 * @param weights the end-to-end map M (d x K)
 * @param primal the objective at M
 * @param dual the dual objective &lt;Lambda, Y&gt; - 1/2 ||Lambda||_F^2 at the dual point, a lower
 *     bound on the optimum
 * @param dualPoint Lambda (n x K) with ||X^T Lambda||_2 &lt;= lambda
 */
public record LinearCertificate(DenseMatrix weights, double primal, double dual,
    DenseMatrix dualPoint) {

  /** primal - dual, &gt;= 0 up to rounding. */
  public double gap() {
    return primal - dual;
  }

  /** The gap relative to max(1, |primal|). */
  public double relativeGap() {
    return gap() / Math.max(1.0, Math.abs(primal));
  }
}
