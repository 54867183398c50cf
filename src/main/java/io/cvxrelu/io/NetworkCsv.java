package io.cvxrelu.io;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ReluNetwork;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;

/**
 * A two-layer ReLU network as CSV: a header {@code u1,...,ud,alpha} and one neuron per row,
 * its first-layer weights u_j (over the design's columns, the bias included) then its output
 * weight alpha_j. Values are written with 17 significant digits, so a round trip is exact.
 */
public final class NetworkCsv {
  private NetworkCsv() {}

  public static String write(ReluNetwork net) {
    DenseMatrix u = net.hidden();
    int d = u.rows();
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < d; k++) {
      sb.append('u').append(k + 1).append(',');
    }
    sb.append("alpha\n");
    for (int j = 0; j < net.width(); j++) {
      for (int k = 0; k < d; k++) {
        sb.append(String.format(Locale.ROOT, "%.17g", u.get(k, j))).append(',');
      }
      sb.append(String.format(Locale.ROOT, "%.17g", net.alpha()[j])).append('\n');
    }
    return sb.toString();
  }

  /**
   * Reads a network written by {@link #write} (the header line is optional).
   *
   * @param dimension expected length of u_j (the design's columns)
   * @throws DataFormatException for a malformed file or another dimension
   */
  public static ReluNetwork read(BufferedReader r, String source, int dimension)
      throws IOException {
    r.mark(1 << 16);
    String first = r.readLine();
    if (first == null || !first.startsWith("u1")) {
      r.reset();
    }
    DenseMatrix rows = TextDataReader.readMatrixCsv(r, source);
    if (rows.cols() != dimension + 1) {
      throw new DataFormatException("network in " + source + " has " + rows.cols()
          + " columns, expected " + (dimension + 1) + " (u_1..u_" + dimension + ", alpha)");
    }
    int m = rows.rows();
    DenseMatrix u = new DenseMatrix(dimension, m);
    double[] alpha = new double[m];
    for (int j = 0; j < m; j++) {
      for (int k = 0; k < dimension; k++) {
        u.set(k, j, rows.get(j, k));
      }
      alpha[j] = rows.get(j, dimension);
    }
    return new ReluNetwork(u, alpha);
  }
}
