package io.cvxrelu.deep;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import java.util.Locale;

/**
 * The global optimum of the L-layer ReLU training problem of {@link DeepNetwork} on rank-one
 * data X = c a^T with c &gt;= 0 entrywise and ||a|| = 1 (Ergen and Pilanci, ICML 2021, the
 * rank-one theorem: the optimal first-layer weights are aligned with a, and every later layer is
 * rank one). Outputs may be scalar (K = 1) or vectors.
 *
 * <p><b>Reduction.</b> Because c &gt;= 0, (c z)_+ = c (z)_+ for every scalar z, so every layer's
 * activation is c times the activation of the network at the single input a, and F(X) = c g^T
 * with g = F(a) in R^K. A network maps the unit input a to g only if ||g|| &lt;= prod_l ||W_l||,
 * so its weight decay is at least (L beta / 2) ||g||^{2/L} (AM-GM), attained by the one-path
 * network W_1 = s a, W_l = s, W_L = s g^T/||g||, s = ||g||^{1/L}. This holds for any width.
 *
 * <p><b>Value.</b> With gamma = ||c||, b = Y^T c / gamma and rho = gamma ||g||,
 * 1/2 ||c g^T - Y||^2 = 1/2 (rho - ||b||)^2 + 1/2 (||Y||^2 - ||b||^2) when g is aligned with b,
 * and the weight decay is (L beta' / 2) rho^{2/L} with beta' = beta gamma^{-2/L}. Hence
 *
 * <pre>
 *   J* = phi_L(||Y^T c|| / ||c||; beta ||c||^{-2/L}) + 1/2 (||Y||_F^2 - ||Y^T c||^2 / ||c||^2),
 * </pre>
 *
 * <p>with phi_L of {@link PathShrinkage}; for L = 2 it is 1/2 ||Y||^2 - 1/2 (||Y^T c||/||c||
 * - beta/||c||)_+^2.
 */
public final class RankOneClosedForm {
  /** Largest sigma_2 / sigma_1 accepted as rank one. */
  public static final double RANK_TOLERANCE = 1e-10;

  private RankOneClosedForm() {}

  /** The optimum for targets Y (n x K; K = 1 for a scalar output). */
  public static ClosedForm solve(DenseMatrix x, DenseMatrix y, double beta, int depth) {
    if (y.rows() != x.rows()) {
      throw new IllegalArgumentException(x.rows() + " rows but " + y.rows() + " labels");
    }
    ThinSvd svd = ThinSvd.of(x);
    double[] s = svd.s();
    if (s.length == 0 || !(s[0] > 0.0)) {
      throw new IllegalArgumentException("rank-one data need X != 0");
    }
    double ratio = s.length > 1 ? s[1] / s[0] : 0.0;
    if (!(ratio <= RANK_TOLERANCE)) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "data are not rank one: sigma_2 / sigma_1 = %.3e > %.0e", ratio, RANK_TOLERANCE));
    }
    int n = x.rows();
    double[] c = new double[n];
    double[] a = svd.v().column(0);
    double sign = 0.0;
    for (int i = 0; i < n; i++) {
      c[i] = s[0] * svd.u().get(i, 0);
      sign = Math.abs(c[i]) > Math.abs(sign) ? c[i] : sign;
    }
    // X = c a^T = (-c)(-a)^T: orient c so its largest entry is positive.
    double flip = Math.signum(sign);
    double gamma = 0.0;
    for (int i = 0; i < n; i++) {
      c[i] *= flip;
      gamma = Math.max(gamma, Math.abs(c[i]));
    }
    for (int j = 0; j < a.length; j++) {
      a[j] *= flip;
    }
    for (int i = 0; i < n; i++) {
      if (c[i] < -RANK_TOLERANCE * gamma) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "rank-one data X = c a^T "
            + "need c >= 0 (or <= 0): c has entries %.3e and %.3e", -gamma, c[i]));
      }
      c[i] = Math.max(c[i], 0.0);
    }
    return optimum(c, a, y, beta, depth);
  }

  private static ClosedForm optimum(double[] c, double[] a, DenseMatrix y, double beta,
      int depth) {
    double gamma2 = 0.0;
    for (double v : c) {
      gamma2 += v * v;
    }
    double gamma = Math.sqrt(gamma2);
    int k = y.cols();
    double[] b = new double[k];
    double yy = 0.0;
    for (int col = 0; col < k; col++) {
      double dot = 0.0;
      for (int i = 0; i < c.length; i++) {
        double v = y.get(i, col);
        dot += c[i] * v;
        yy += v * v;
      }
      b[col] = dot / gamma;
    }
    double r = 0.0;
    for (double v : b) {
      r += v * v;
    }
    r = Math.sqrt(r);
    double betaPrime = beta * Math.pow(gamma, -2.0 / depth);
    double rho = PathShrinkage.rho(r, betaPrime, depth);
    double value = PathShrinkage.value(r, betaPrime, depth) + 0.5 * Math.max(yy - r * r, 0.0);
    // The one path: unit input direction a, output direction b/||b||, output norm ||g|| =
    // rho / gamma at input a (rho is the norm of the path's output c g^T over the data).
    DenseMatrix q = new DenseMatrix(a.length, 1, a.clone());
    DenseMatrix out = new DenseMatrix(1, k);
    for (int col = 0; col < k; col++) {
      out.set(0, col, r > 0.0 ? b[col] / r : 0.0);
    }
    DeepNetwork net = Paths.network(q, out, new double[] {rho / gamma}, depth,
        DeepNetwork.Activation.RELU);
    return new ClosedForm(value, net, new double[] {rho});
  }
}
