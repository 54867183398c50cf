package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;

/**
 * A two-layer gated-ReLU network with c outputs, f(x) = sum_k 1[g_k^T x &gt;= 0] (u_k^T x) a_k
 * with gates g_k in R^d, first-layer weights u_k in R^d and output weights a_k in R^c (Fiat,
 * Malach and Shalev-Shwartz 2019; Mishkin, Sahiner and Pilanci 2022), and its
 * recovery from the blocks of {@link MultiOutputProblem}.
 *
 * <p>Recovery: block i with thin SVD W_i = sum_k s_k p_k q_k^T (rank r_i) becomes r_i neurons
 * sharing the gate of pattern i, u = sqrt(s_k) p_k and a = sqrt(s_k) q_k. The network's
 * prediction equals the convex one, sum_i D_i X W_i, for every rank. Its weight-decay penalty
 * beta/2 sum_k (||u_k||^2 + ||a_k||^2) is beta sum_i ||W_i||_* (nuclear norm), which equals the
 * convex penalty beta sum_i ||W_i||_F exactly when every block has rank at most one. With
 * c = 1 that always holds and the neurons are u = w / sqrt(||w||), a = sqrt(||w||) (Pilanci
 * and Ergen 2020, Theorem 1; scnn's recovery). For c &gt; 1 the non-convex objective exceeds the
 * convex one by beta sum_i (||W_i||_* - ||W_i||_F) &gt;= 0 ({@link #rankExcess}): the training
 * problem of gated networks with these gates and weight decay equals the program with the
 * nuclear norm of each block (the nuclear-norm variant of Sahiner et al. 2021), and the
 * Frobenius group lasso solved here (scnn's) is its relaxation, a lower bound that is tight
 * exactly when the solution's blocks have rank at most one.
 *
 * @param gates d x m gate vectors
 * @param first d x m first-layer weights
 * @param second m x c output weights
 */
public record GatedVectorNetwork(DenseMatrix gates, DenseMatrix first, DenseMatrix second) {

  public GatedVectorNetwork {
    if (gates.rows() != first.rows() || gates.cols() != first.cols()
        || second.rows() != first.cols()) {
      throw new IllegalArgumentException("inconsistent network shapes: gates " + gates.rows()
          + "x" + gates.cols() + ", first " + first.rows() + "x" + first.cols() + ", second "
          + second.rows() + "x" + second.cols());
    }
  }

  /** Hidden neurons m. */
  public int neurons() {
    return first.cols();
  }

  /** Outputs c. */
  public int outputs() {
    return second.cols();
  }

  /** f(X) (n x c): two GEMMs for the gates and the first layer, one for the output. */
  public DenseMatrix predict(DenseMatrix x) {
    int n = x.rows();
    int m = neurons();
    DenseMatrix g = new DenseMatrix(n, m);
    Blas.gemm(false, false, 1.0, x, gates, 0.0, g);
    DenseMatrix h = new DenseMatrix(n, m);
    Blas.gemm(false, false, 1.0, x, first, 0.0, h);
    double[] gd = g.data();
    double[] hd = h.data();
    for (int k = 0; k < hd.length; k++) {
      hd[k] = gd[k] >= 0.0 ? hd[k] : 0.0;
    }
    DenseMatrix f = new DenseMatrix(n, outputs());
    Blas.gemm(false, false, 1.0, h, second, 0.0, f);
    return f;
  }

  /** L(f(X), Y) + beta/2 (||U||_F^2 + ||A||_F^2), the weight-decay objective. */
  public double objective(DenseMatrix x, DenseMatrix y, MultiOutputLoss loss, double beta) {
    double u = Blas.nrm2(first.data().length, first.data(), 0);
    double a = Blas.nrm2(second.data().length, second.data(), 0);
    return loss.valueAndGradient(predict(x), y, null) + 0.5 * beta * (u * u + a * a);
  }

  /** The neurons of the non-zero blocks of W (d x P c), rank-r blocks giving r neurons. */
  public static GatedVectorNetwork recover(MultiOutputProblem problem, DenseMatrix w) {
    int d = problem.d();
    int c = problem.outputs();
    int p = problem.patternCount();
    ThinSvd[] svds = new ThinSvd[p];
    int m = 0;
    for (int i = 0; i < p; i++) {
      if (problem.blockNorm(w, i) > 0.0) {
        svds[i] = ThinSvd.of(w.columns(i * c, (i + 1) * c));
        m += svds[i].rank();
      }
    }
    DenseMatrix gates = new DenseMatrix(d, m);
    DenseMatrix first = new DenseMatrix(d, m);
    DenseMatrix second = new DenseMatrix(m, c);
    DenseMatrix allGates = problem.patterns().gates();
    int k = 0;
    for (int i = 0; i < p; i++) {
      if (svds[i] == null) {
        continue;
      }
      ThinSvd svd = svds[i];
      for (int r = 0; r < svd.rank(); r++, k++) {
        double root = Math.sqrt(svd.s()[r]);
        for (int row = 0; row < d; row++) {
          gates.set(row, k, allGates.get(row, i));
          first.set(row, k, root * svd.u().get(row, r));
        }
        for (int j = 0; j < c; j++) {
          second.set(k, j, root * svd.vt().get(r, j));
        }
      }
    }
    return new GatedVectorNetwork(gates, first, second);
  }

  /**
   * sum_i (||W_i||_* - ||W_i||_F) &gt;= 0: zero exactly when every block has rank at most one,
   * i.e. when the recovered network's weight-decay objective equals the convex objective.
   */
  public static double rankExcess(MultiOutputProblem problem, DenseMatrix w) {
    int c = problem.outputs();
    double excess = 0.0;
    for (int i = 0; i < problem.patternCount(); i++) {
      double fro = problem.blockNorm(w, i);
      if (fro > 0.0) {
        double nuclear = 0.0;
        for (double s : ThinSvd.singularValues(w.columns(i * c, (i + 1) * c))) {
          nuclear += s;
        }
        excess += nuclear - fro;
      }
    }
    return excess;
  }
}
