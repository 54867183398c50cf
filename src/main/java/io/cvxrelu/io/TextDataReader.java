package io.cvxrelu.io;

import io.cvxrelu.linalg.DenseMatrix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsers for the text formats the jobs accept. They read from a {@link BufferedReader} so the
 * job layer can open any Hadoop file system; every problem is a {@link DataFormatException}
 * with the source name and line number.
 */
public final class TextDataReader {
  private TextDataReader() {}

  /**
   * CSV with the label in the first column and features after it. Blank lines are skipped; a
   * first line whose fields are all non-numeric is taken as a header.
   */
  public static LabeledData readCsv(BufferedReader in, String source) {
    List<double[]> rows = readNumericRows(in, source, true);
    int cols = rows.get(0).length;
    if (cols < 2) {
      throw new DataFormatException(source + ": needs a label and at least one feature per row");
    }
    int n = rows.size();
    DenseMatrix x = new DenseMatrix(n, cols - 1);
    double[] y = new double[n];
    double[] xd = x.data();
    for (int i = 0; i < n; i++) {
      double[] r = rows.get(i);
      y[i] = r[0];
      for (int j = 1; j < cols; j++) {
        xd[i + (j - 1) * n] = r[j];
      }
    }
    return new LabeledData(x, y);
  }

  /** A headerless numeric CSV as a matrix, one file row per matrix row (e.g. a gate file). */
  public static DenseMatrix readMatrixCsv(BufferedReader in, String source) {
    List<double[]> rows = readNumericRows(in, source, false);
    return DenseMatrix.fromRows(rows.toArray(new double[0][]), rows.get(0).length);
  }

  private static List<double[]> readNumericRows(BufferedReader in, String source,
      boolean allowHeader) {
    List<double[]> rows = new ArrayList<>();
    int width = -1;
    int lineNo = 0;
    try {
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String trimmed = (lineNo == 1 ? withoutByteOrderMark(line) : line).strip();
        if (trimmed.isEmpty()) {
          continue;
        }
        String[] parts = trimmed.split("\\s*,\\s*", -1);
        if (rows.isEmpty() && width < 0 && allowHeader && allNonNumeric(parts)) {
          width = parts.length;
          continue;
        }
        if (width >= 0 && parts.length != width) {
          throw new DataFormatException(source + ":" + lineNo + ": ragged row with "
              + parts.length + " fields, expected " + width);
        }
        width = parts.length;
        double[] r = new double[parts.length];
        for (int j = 0; j < parts.length; j++) {
          r[j] = parseFinite(parts[j], source, lineNo, j + 1);
        }
        rows.add(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new DataFormatException(source + ": no data rows (empty file)");
    }
    return rows;
  }

  private static boolean allNonNumeric(String[] parts) {
    for (String p : parts) {
      try {
        Double.parseDouble(p);
        return false;
      } catch (NumberFormatException e) {
        // a header field
      }
    }
    return true;
  }

  static double parseFinite(String field, String source, int line, int column) {
    double v;
    try {
      v = Double.parseDouble(field);
    } catch (NumberFormatException e) {
      throw new DataFormatException(source + ":" + line + ": non-numeric field '"
          + abbreviate(field) + "' in column " + column);
    }
    if (!Double.isFinite(v)) {
      throw new DataFormatException(source + ":" + line + ": " + field + " in column " + column
          + " (NaN and infinite values are not allowed)");
    }
    return v;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /**
   * LIBSVM: {@code label index:value ...} with 1-based, increasing indices.
   *
   * @param minFeatures the dimension is the larger of this and the largest index seen (so a
   *     test file can be padded to the training dimension)
   */
  public static LabeledData readLibsvm(BufferedReader in, String source, int minFeatures) {
    List<double[]> values = new ArrayList<>();
    List<int[]> indices = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    int maxIndex = 0;
    int lineNo = 0;
    try {
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (lineNo == 1) {
          line = withoutByteOrderMark(line);
        }
        int hash = line.indexOf('#');
        String t = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (t.isEmpty()) {
          continue;
        }
        String[] parts = t.split("\\s+");
        labels.add(parseFinite(parts[0], source, lineNo, 1));
        int[] idx = new int[parts.length - 1];
        double[] val = new double[parts.length - 1];
        int prev = 0;
        for (int k = 1; k < parts.length; k++) {
          int colon = parts[k].indexOf(':');
          if (colon <= 0) {
            throw new DataFormatException(source + ":" + lineNo + ": expected index:value, got '"
                + abbreviate(parts[k]) + "'");
          }
          int index;
          try {
            index = Integer.parseInt(parts[k].substring(0, colon));
          } catch (NumberFormatException e) {
            throw new DataFormatException(source + ":" + lineNo + ": non-numeric index in '"
                + abbreviate(parts[k]) + "'");
          }
          if (index <= prev) {
            throw new DataFormatException(source + ":" + lineNo
                + ": indices must be 1-based and increasing, got " + index + " after " + prev);
          }
          prev = index;
          idx[k - 1] = index;
          val[k - 1] = parseFinite(parts[k].substring(colon + 1), source, lineNo, k + 1);
          maxIndex = Math.max(maxIndex, index);
        }
        indices.add(idx);
        values.add(val);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": " + e.getMessage(), e);
    }
    if (labels.isEmpty()) {
      throw new DataFormatException(source + ": no data rows (empty file)");
    }
    int n = labels.size();
    int d = Math.max(maxIndex, minFeatures);
    DenseMatrix x = new DenseMatrix(n, d);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = labels.get(i);
      int[] idx = indices.get(i);
      double[] val = values.get(i);
      for (int k = 0; k < idx.length; k++) {
        x.set(i, idx[k] - 1, val[k]);
      }
    }
    return new LabeledData(x, y);
  }

  /**
   * The line without a leading UTF-8 byte-order mark (U+FEFF), which spreadsheet exports put
   * before the first field; without this the first field reads as non-numeric.
   */
  static String withoutByteOrderMark(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }
}
