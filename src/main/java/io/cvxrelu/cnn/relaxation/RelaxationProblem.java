package io.cvxrelu.cnn.relaxation;

/**
 * One randomized convex relaxation of the CNN training problem min_w sum_i (y_i - sum_j
 * (X_ij w)_+)^2 (Bartan and Pilanci), for one direction r:
 *
 * <ul>
 *   <li>{@code beta = 0}: the LP (9), max r^T w subject to sum_j z_ij = y_i, z_ij &gt;= X_ij w,
 *       z_ij &gt;= 0, with dual (10), min y^T v subject to 0 &lt;= lambda_ij &lt;= v_i and
 *       sum_ij X_ij^T lambda_ij = r;
 *   <li>{@code beta > 0}: the QP (8), min 1/2 sum_i (sum_j z_ij - y_i)^2 - beta r^T w subject
 *       to the same cone constraints. The paper writes {@code + beta r^T w}; we flip the sign
 *       of r (which has the same Gaussian law) so that beta -&gt; 0 is the LP (9) for the same
 *       draw.
 * </ul>
 *
 * <p>With r = 0 this is the naive relaxation: every feasible w is optimal, w = 0 among them.
 *
 * @param design the patch matrix X (n x k f)
 * @param labels y (n entries); the LP needs y &gt;= 0 to be feasible
 * @param direction r (f entries)
 * @param beta 0 for the LP (9), else the weight of the direction in the QP (8)
 */
public record RelaxationProblem(PatchDesign design, double[] labels, double[] direction,
    double beta) {

  /** @throws IllegalArgumentException on shapes that do not match, beta &lt; 0, y &lt; 0 (LP) */
  public RelaxationProblem {
    if (labels.length != design.n()) {
      throw new IllegalArgumentException(labels.length + " labels for " + design.n() + " rows");
    }
    if (direction.length != design.filterSize()) {
      throw new IllegalArgumentException("direction r has " + direction.length
          + " entries, the filter " + design.filterSize());
    }
    if (!(beta >= 0.0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }
    if (beta == 0.0) {
      for (int i = 0; i < labels.length; i++) {
        if (!(labels[i] >= 0.0)) {
          throw new IllegalArgumentException("the LP (9) needs labels y >= 0 (the network's "
              + "output is a sum of ReLUs); row " + (i + 1) + " has " + labels[i]);
        }
      }
    }
  }

  /** True for the LP (9) (beta = 0), false for the QP (8). */
  public boolean linear() {
    return beta == 0.0;
  }

  /** The linear objective's vector c: r for the LP, beta r for the QP. */
  double[] cost() {
    double[] c = direction.clone();
    if (!linear()) {
      for (int l = 0; l < c.length; l++) {
        c[l] *= beta;
      }
    }
    return c;
  }
}
