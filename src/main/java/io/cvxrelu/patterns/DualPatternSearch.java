package io.cvxrelu.patterns;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Searches for gates that violate the dual constraint of the convex program over ALL sign
 * patterns. For a dual point lambda, the full program's constraint (Pilanci and Ergen 2020,
 * eq. (10)) is
 * <pre>
 *   max_{||u|| &lt;= 1} | lambda^T (X u)_+ | &lt;= beta,
 * </pre>
 * (for the gated program, max over patterns D of ||X^T D lambda|| &lt;= beta), and a unit u with
 * lambda^T (X u)_+ &gt; beta (gated: ||X^T D(u) lambda|| &gt; beta) names a pattern D = 1[X u &gt; 0] whose block
 * would lower the objective (its cone contains u, so min_mu ||X^T D lambda + K^T mu|| is at least
 * lambda^T D X u). The objective u -&gt; lambda^T (X u)_+ is piecewise linear and not concave, so
 * this is a multi-start fixed-point ascent, u &lt;- X^T D(u) lambda / ||.||, the maximiser of the
 * linear piece of the current cell, run for all starts at once (two GEMMs per step) and for
 * both signs of lambda. It is a search, not a proof: see the exact check over an enumerated
 * arrangement in {@code io.cvxrelu.solver.ArrangementCertificate}.
 */
public final class DualPatternSearch {
  private DualPatternSearch() {}

  /**
   * A gate found by the search.
   *
   * @param gate unit vector u (d entries)
   * @param value lambda^T (X u)_+ for the sign that was searched (always reported positive)
   * @param sign +1 when found for lambda (a v-block), -1 for -lambda (a w-block)
   */
  public record Candidate(double[] gate, double value, int sign) {}

  /**
   * Runs the ascent from the columns of {@code starts} (d x S, any scale, zero columns
   * skipped) for both signs of {@code lambda} (one sign for the gated value, which is even).
   *
   * @param steps fixed-point steps per start
   * @param gated score a gate by ||X^T D(u) lambda|| (gated program) instead of
   *     lambda^T (X u)_+ (ReLU program)
   * @return the best point of every start and sign, by decreasing value
   */
  public static List<Candidate> search(DenseMatrix x, double[] lambda, DenseMatrix starts,
      int steps, boolean gated) {
    if (starts.rows() != x.cols() || lambda.length != x.rows()) {
      throw new IllegalArgumentException("dimension mismatch: X " + x.rows() + "x" + x.cols()
          + ", lambda " + lambda.length + ", starts " + starts.rows() + "x" + starts.cols());
    }
    List<Candidate> out = new ArrayList<>();
    for (int sign : gated ? new int[] {1} : new int[] {1, -1}) {
      double[] l = new double[lambda.length];
      for (int k = 0; k < l.length; k++) {
        l[k] = sign * lambda[k];
      }
      ascend(x, l, starts, steps, sign, gated, out);
    }
    out.sort(Comparator.comparingDouble(Candidate::value).reversed());
    return out;
  }

  private static void ascend(DenseMatrix x, double[] lambda, DenseMatrix starts, int steps,
      int sign, boolean gated, List<Candidate> out) {
    int n = x.rows();
    int d = x.cols();
    int s = starts.cols();
    DenseMatrix u = starts.copy();
    normaliseColumns(u);
    DenseMatrix z = new DenseMatrix(n, s);
    DenseMatrix r = new DenseMatrix(n, s);
    DenseMatrix g = new DenseMatrix(d, s);
    double[] bestValue = new double[s];
    double[][] bestGate = new double[s][];
    java.util.Arrays.fill(bestValue, Double.NEGATIVE_INFINITY);
    for (int step = 0; step <= steps; step++) {
      Blas.gemm(false, false, 1.0, x, u, 0.0, z);
      double[] zd = z.data();
      double[] rd = r.data();
      double[] relu = new double[s];
      for (int c = 0; c < s; c++) {
        double value = 0.0;
        for (int k = 0; k < n; k++) {
          double zz = zd[c * n + k];
          boolean on = zz > 0.0;
          value += on ? lambda[k] * zz : 0.0;
          rd[c * n + k] = on ? lambda[k] : 0.0;
        }
        relu[c] = value;
      }
      Blas.gemm(true, false, 1.0, x, r, 0.0, g);
      for (int c = 0; c < s; c++) {
        double value = gated ? g.columnNorm(c) : relu[c];
        if (u.columnNorm(c) > 0.0 && value > bestValue[c]) {
          bestValue[c] = value;
          bestGate[c] = u.column(c);
        }
      }
      if (step == steps) {
        break;
      }
      System.arraycopy(g.data(), 0, u.data(), 0, g.data().length);
      normaliseColumns(u);
    }
    for (int c = 0; c < s; c++) {
      if (bestGate[c] != null && bestValue[c] > 0.0) {
        out.add(new Candidate(bestGate[c], bestValue[c], sign));
      }
    }
  }

  private static void normaliseColumns(DenseMatrix u) {
    int d = u.rows();
    for (int c = 0; c < u.cols(); c++) {
      double nrm = u.columnNorm(c);
      if (nrm > 0.0) {
        for (int k = 0; k < d; k++) {
          u.data()[c * d + k] /= nrm;
        }
      }
    }
  }
}
