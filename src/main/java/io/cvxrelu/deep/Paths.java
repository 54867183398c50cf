package io.cvxrelu.deep;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The network shared by the ReLU closed forms: P parallel paths, path k carrying the unit
 * first-layer feature q_k to the output direction o_k with output norm rho_k. Every layer of a
 * path has norm rho_k^{1/L} (the balanced scaling at which the AM-GM bound of
 * {@link PathShrinkage} is tight):
 *
 * <pre>
 *   W_1 = [rho_k^{1/L} q_k]_k (d x P),  W_l = diag(rho_k^{1/L}) (P x P, 1 &lt; l &lt; L),
 *   W_L = diag(rho_k^{1/L}) O (P x K, O's rows the unit o_k).
 * </pre>
 *
 * <p>When every X q_k is entrywise non-negative the ReLUs pass it unchanged and
 * F(X) = sum_k rho_k (X q_k) o_k^T.
 */
final class Paths {
  private Paths() {}

  /**
   * @param q d x P unit first-layer directions
   * @param o P x K output directions (unit rows, or zero rows for empty paths)
   */
  static DeepNetwork network(DenseMatrix q, DenseMatrix o, double[] rho, int depth,
      DeepNetwork.Activation activation) {
    int p = rho.length;
    double[] scale = new double[p];
    for (int k = 0; k < p; k++) {
      scale[k] = Math.pow(rho[k], 1.0 / depth);
    }
    List<DenseMatrix> layers = new ArrayList<>();
    DenseMatrix w1 = q.copy();
    for (int k = 0; k < p; k++) {
      scaleColumn(w1, k, scale[k]);
    }
    layers.add(w1);
    for (int l = 2; l < depth; l++) {
      DenseMatrix w = new DenseMatrix(p, p);
      for (int k = 0; k < p; k++) {
        w.set(k, k, scale[k]);
      }
      layers.add(w);
    }
    DenseMatrix last = new DenseMatrix(p, o.cols());
    for (int k = 0; k < p; k++) {
      for (int c = 0; c < o.cols(); c++) {
        last.set(k, c, scale[k] * o.get(k, c));
      }
    }
    layers.add(last);
    return new DeepNetwork(layers, activation);
  }

  private static void scaleColumn(DenseMatrix m, int k, double s) {
    double[] d = m.data();
    int off = k * m.rows();
    for (int i = 0; i < m.rows(); i++) {
      d[off + i] *= s;
    }
  }
}
