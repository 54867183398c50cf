package io.cvxrelu.spline;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.Formulation;
import java.util.ArrayList;
import java.util.List;

/**
 * A two-layer ReLU network on scalar inputs with unpenalised neuron biases and output
 * intercept, f(x) = c + sum_j alpha_j (u_j x + b_j)_+, and its training objective
 *
 * <pre>
 *   J = 1/2 sum_i (f(x_i) - y_i)^2 + beta/2 sum_j (u_j^2 + alpha_j^2)     (b_j, c free).
 * </pre>
 *
 * {@link #recover} turns a solution of {@link SplineLasso} into such a network: atom k with
 * weight w_k and kink s_k becomes one neuron with |u| = |alpha| = sqrt(|w_k|) (the balanced
 * scaling, at which beta/2 (u^2 + alpha^2) = beta |w_k|), u &gt; 0 for a right ramp and &lt; 0
 * for a left ramp, b = -u s_k and alpha = sign(w_k) sqrt(|w_k|). So J at the recovered network
 * equals the Lasso objective (Pilanci and Ergen, ICML 2020, Theorem 1, with the bias outside
 * the penalty). Immutable.
 */
public final class SplineNetwork {
  private final double[] u;
  private final double[] b;
  private final double[] alpha;
  private final double intercept;

  /** A network from its weights; the three arrays have one entry per neuron. */
  public SplineNetwork(double[] u, double[] b, double[] alpha, double intercept) {
    if (u.length != b.length || u.length != alpha.length) {
      throw new IllegalArgumentException("u, b and alpha must have one entry per neuron, got "
          + u.length + ", " + b.length + ", " + alpha.length);
    }
    this.u = u.clone();
    this.b = b.clone();
    this.alpha = alpha.clone();
    this.intercept = intercept;
  }

  /** The network of a fit of the program p (one neuron per non-zero atom weight). */
  public static SplineNetwork recover(SplineLasso p, SplineFit fit) {
    double[] w = fit.weights();
    if (w.length != p.atomCount()) {
      throw new IllegalArgumentException("the fit has " + w.length + " weights but the program "
          + p.atomCount() + " atoms");
    }
    List<double[]> neurons = new ArrayList<>();
    for (int k = 0; k < w.length; k++) {
      if (w[k] != 0.0) {
        double root = Math.sqrt(Math.abs(w[k]));
        double uk = p.orientation(k) * root;
        neurons.add(new double[] {uk, -uk * p.kink(k), Math.signum(w[k]) * root});
      }
    }
    int m = neurons.size();
    double[] u = new double[m];
    double[] b = new double[m];
    double[] alpha = new double[m];
    for (int j = 0; j < m; j++) {
      u[j] = neurons.get(j)[0];
      b[j] = neurons.get(j)[1];
      alpha[j] = neurons.get(j)[2];
    }
    return new SplineNetwork(u, b, alpha, fit.intercept());
  }

  /** Number of hidden neurons. */
  public int width() {
    return u.length;
  }

  /** A copy of the input weights u_j. */
  public double[] u() {
    return u.clone();
  }

  /** A copy of the (unpenalised) biases b_j. */
  public double[] b() {
    return b.clone();
  }

  /** A copy of the output weights alpha_j. */
  public double[] alpha() {
    return alpha.clone();
  }

  /** The (unpenalised) output intercept c. */
  public double intercept() {
    return intercept;
  }

  /** The kinks -b_j / u_j of the neurons with u_j != 0, in neuron order. */
  public double[] kinks() {
    List<Double> k = new ArrayList<>();
    for (int j = 0; j < u.length; j++) {
      if (u[j] != 0.0) {
        k.add(-b[j] / u[j]);
      }
    }
    return k.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * The network as the cone-constrained program's model over the design [x, 1] (Pilanci and
   * Ergen 2020, eq. (8) with the bias column), which predicts exactly f: neuron j becomes the
   * gate (u_j, b_j) with the block alpha_j (u_j, b_j) (v if alpha_j &gt; 0, w otherwise), whose
   * cone constraint holds with equality of signs, and the intercept c the gate (0, 1) (every
   * row on) with the block (0, c). The model's beta is recorded for reference only: its group
   * norm penalises the bias coordinate, which this network's objective does not.
   */
  public ConvexReluModel toModel(double beta) {
    int m = u.length + (intercept != 0.0 ? 1 : 0);
    DenseMatrix gates = new DenseMatrix(2, m);
    DenseMatrix blocks = new DenseMatrix(2, 2 * m);
    for (int j = 0; j < m; j++) {
      boolean isIntercept = j == u.length;
      double gu = isIntercept ? 0.0 : u[j];
      double gb = isIntercept ? 1.0 : b[j];
      double a = isIntercept ? intercept : alpha[j];
      gates.set(0, j, gu);
      gates.set(1, j, gb);
      int col = a > 0.0 ? j : m + j;
      blocks.set(0, col, Math.abs(a) * gu);
      blocks.set(1, col, Math.abs(a) * gb);
    }
    return new ConvexReluModel(Formulation.RELU, "squared", beta, true, gates, blocks);
  }

  /** f(x) at one input. */
  public double evaluate(double x) {
    double f = intercept;
    for (int j = 0; j < u.length; j++) {
      f += alpha[j] * Math.max(u[j] * x + b[j], 0.0);
    }
    return f;
  }

  /** The training objective J at the data (x, y) with weight decay beta on u and alpha. */
  public double objective(double[] x, double[] y, double beta) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("x has " + x.length + " points and y " + y.length);
    }
    double loss = 0.0;
    for (int i = 0; i < x.length; i++) {
      double r = evaluate(x[i]) - y[i];
      loss += r * r;
    }
    double decay = 0.0;
    for (int j = 0; j < u.length; j++) {
      decay += u[j] * u[j] + alpha[j] * alpha[j];
    }
    return 0.5 * loss + 0.5 * beta * decay;
  }
}
