package io.cvxrelu.linalg;

import java.util.Arrays;

/**
 * A dense double matrix in column-major order, the layout BLAS expects, so every product
 * in the solvers is a single {@code dgemm} on the backing array.
 */
public final class DenseMatrix implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final int rows;
  private final int cols;
  private final double[] data;

  /** Zero matrix of the given shape. */
  public DenseMatrix(int rows, int cols) {
    this(rows, cols, new double[checkedSize(rows, cols)]);
  }

  /** Wraps {@code data} (column-major, length rows*cols) without copying. */
  public DenseMatrix(int rows, int cols, double[] data) {
    if (data.length != checkedSize(rows, cols)) {
      throw new IllegalArgumentException(
          "data length " + data.length + " does not match " + rows + "x" + cols);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  private static int checkedSize(int rows, int cols) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
    }
    long size = (long) rows * cols;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("matrix " + rows + "x" + cols + " exceeds one Java array");
    }
    return (int) size;
  }

  /** Builds a matrix from row arrays (copied). */
  public static DenseMatrix fromRows(double[][] rowArrays, int cols) {
    DenseMatrix m = new DenseMatrix(rowArrays.length, cols);
    for (int i = 0; i < rowArrays.length; i++) {
      if (rowArrays[i].length != cols) {
        throw new IllegalArgumentException("row " + i + " has " + rowArrays[i].length
            + " entries, expected " + cols);
      }
      for (int j = 0; j < cols; j++) {
        m.data[i + j * m.rows] = rowArrays[i][j];
      }
    }
    return m;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The backing column-major array (shared, not copied). */
  public double[] data() {
    return data;
  }

  public double get(int i, int j) {
    return data[i + j * rows];
  }

  public void set(int i, int j, double v) {
    data[i + j * rows] = v;
  }

  /** Copy of row {@code i}. */
  public double[] row(int i) {
    double[] r = new double[cols];
    for (int j = 0; j < cols; j++) {
      r[j] = data[i + j * rows];
    }
    return r;
  }

  /** Copy of column {@code j}. */
  public double[] column(int j) {
    return Arrays.copyOfRange(data, j * rows, (j + 1) * rows);
  }

  /** Euclidean norm of column {@code j}. */
  public double columnNorm(int j) {
    return Blas.nrm2(rows, data, j * rows);
  }

  public DenseMatrix copy() {
    return new DenseMatrix(rows, cols, data.clone());
  }

  /** Transposed copy. */
  public DenseMatrix transpose() {
    DenseMatrix t = new DenseMatrix(cols, rows);
    for (int j = 0; j < cols; j++) {
      int off = j * rows;
      for (int i = 0; i < rows; i++) {
        t.data[j + i * cols] = data[off + i];
      }
    }
    return t;
  }

  /** Copy with a column of ones appended (the bias feature). */
  public DenseMatrix withOnesColumn() {
    DenseMatrix m = new DenseMatrix(rows, cols + 1);
    System.arraycopy(data, 0, m.data, 0, data.length);
    Arrays.fill(m.data, data.length, m.data.length, 1.0);
    return m;
  }

  /** Copy of the given column range [from, to). */
  public DenseMatrix columns(int from, int to) {
    return new DenseMatrix(rows, to - from, Arrays.copyOfRange(data, from * rows, to * rows));
  }

  /** True when every entry is finite. */
  public boolean isFinite() {
    for (double v : data) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "DenseMatrix(" + rows + "x" + cols + ")";
  }
}
