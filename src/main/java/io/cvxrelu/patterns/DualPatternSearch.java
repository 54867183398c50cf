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
 * arrangement in {@code io.cvxrelu.solver.generation.ArrangementCertificate}.
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
    return search((u, sign) -> pass(x, lambda, sign, u), starts, steps, gated);
  }

  /**
   * The sums one fixed-point step needs for unit gates U (d x S), over some rows:
   * {@code values[c]} = sum_k sign lambda_k (x_k^T u_c)_+ and
   * {@code g} = X^T (sign lambda .* 1[X U &gt; 0]) (d x S). Both are sums over rows, so a
   * distributed search adds the passes of its row blocks.
   */
  public record Pass(double[] values, DenseMatrix g) implements java.io.Serializable {
    /** Adds another block's pass into this one (returns this). */
    public Pass add(Pass o) {
      for (int c = 0; c < values.length; c++) {
        values[c] += o.values[c];
      }
      double[] gd = g.data();
      double[] od = o.g.data();
      for (int k = 0; k < gd.length; k++) {
        gd[k] += od[k];
      }
      return this;
    }
  }

  /** Evaluates a {@link Pass} over all rows for gates U and the sign of lambda searched. */
  @FunctionalInterface
  public interface PassFunction {
    Pass apply(DenseMatrix u, int sign);
  }

  /** The pass over one block of rows X_b with its lambda_b: two GEMMs. */
  public static Pass pass(DenseMatrix xb, double[] lambda, int sign, DenseMatrix u) {
    int n = xb.rows();
    int s = u.cols();
    DenseMatrix z = new DenseMatrix(n, s);
    Blas.gemm(false, false, 1.0, xb, u, 0.0, z);
    double[] zd = z.data();
    double[] values = new double[s];
    for (int c = 0; c < s; c++) {
      double value = 0.0;
      for (int k = 0; k < n; k++) {
        double zz = zd[c * n + k];
        boolean on = zz > 0.0;
        double l = sign * lambda[k];
        value += on ? l * zz : 0.0;
        zd[c * n + k] = on ? l : 0.0;
      }
      values[c] = value;
    }
    DenseMatrix g = new DenseMatrix(xb.cols(), s);
    Blas.gemm(true, false, 1.0, xb, z, 0.0, g);
    return new Pass(values, g);
  }

  /**
   * The search with the passes supplied by the caller (e.g. summed over the row blocks of a
   * distributed data set); same result as {@link #search(DenseMatrix, double[], DenseMatrix,
   * int, boolean)} when the passes are the same sums.
   */
  public static List<Candidate> search(PassFunction passes, DenseMatrix starts, int steps,
      boolean gated) {
    List<Candidate> out = new ArrayList<>();
    for (int sign : gated ? new int[] {1} : new int[] {1, -1}) {
      ascend(passes, starts, steps, sign, gated, out);
    }
    out.sort(Comparator.comparingDouble(Candidate::value).reversed());
    return out;
  }

  private static void ascend(PassFunction passes, DenseMatrix starts, int steps, int sign,
      boolean gated, List<Candidate> out) {
    int s = starts.cols();
    DenseMatrix u = starts.copy();
    normaliseColumns(u);
    double[] bestValue = new double[s];
    double[][] bestGate = new double[s][];
    java.util.Arrays.fill(bestValue, Double.NEGATIVE_INFINITY);
    for (int step = 0; step <= steps; step++) {
      Pass p = passes.apply(u, sign);
      DenseMatrix g = p.g();
      for (int c = 0; c < s; c++) {
        double value = gated ? g.columnNorm(c) : p.values()[c];
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
