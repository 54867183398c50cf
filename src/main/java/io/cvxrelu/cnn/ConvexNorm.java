package io.cvxrelu.cnn;

/**
 * A norm R on R^p with what a certified proximal-gradient method needs: its value, its
 * proximal operator and its dual norm R*. For min 1/2 ||A x - y||^2 + beta R(x) the Fenchel dual
 * is max_lambda lambda^T y - 1/2 ||lambda||^2 subject to R*(A^T lambda) &lt;= beta, which is how
 * {@link ProximalGradientSolver} turns a residual into a lower bound.
 */
public interface ConvexNorm {
  /** The dimension p of the vectors it measures. */
  int dimension();

  /** R(x). */
  double value(double[] x);

  /** argmin_z t R(z) + 1/2 ||z - v||^2, written into {@code out} ({@code v} is kept). */
  void prox(double[] v, double t, double[] out);

  /** R*(c) = max over R(x) &lt;= 1 of c^T x. */
  double dual(double[] c);
}
