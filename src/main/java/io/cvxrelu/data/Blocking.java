package io.cvxrelu.data;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Turns the records of one partition into {@link LabeledBlock}s lazily, one block in memory at
 * a time: each record is read into a dense row buffer by a {@link RowReader} and copied into
 * the column-major block, which is handed out without a copy when full.
 *
 * @param <T> the record type of the partition (a text line with its offset, a binary record,
 *     a Spark SQL row)
 */
final class Blocking<T> implements Iterator<LabeledBlock> {
  /** Block size cap in doubles (128 MB): wide data get fewer rows per block. */
  static final int MAX_BLOCK_DOUBLES = 1 << 24;

  /** Reads one record into a row; false when the record holds no row. */
  interface RowReader<T> {
    /**
     * @param row zeroed features of length d, and the label to set
     * @return false for a record that is not a data row (a header or blank line, an image of
     *     an unselected class); the row's contents are then ignored
     */
    boolean read(T record, Row row);
  }

  /** One row being read: d features (zero unless set) and a label. */
  static final class Row {
    final double[] x;
    double y;

    Row(int d) {
      x = new double[d];
    }
  }

  private final Iterator<T> records;
  private final RowReader<T> reader;
  private final int d;
  private final int blockRows;
  private final long partition;
  private final Row row;
  private int ordinal;
  private LabeledBlock pending;

  /**
   * @param partition the partition index, the high half of the block ids
   * @param blockRows rows per block (capped so a block holds at most {@link
   *     #MAX_BLOCK_DOUBLES})
   */
  Blocking(Iterator<T> records, RowReader<T> reader, int d, int blockRows, int partition) {
    this.records = records;
    this.reader = reader;
    this.d = d;
    this.blockRows = rowsPerBlock(d, blockRows);
    this.partition = partition;
    this.row = new Row(d);
  }

  /** Rows per block for width d: the requested count, capped by the block size limit. */
  static int rowsPerBlock(int d, int blockRows) {
    return Math.max(1, Math.min(blockRows, MAX_BLOCK_DOUBLES / Math.max(d, 1)));
  }

  @Override
  public boolean hasNext() {
    if (pending == null) {
      pending = fill();
    }
    return pending != null;
  }

  @Override
  public LabeledBlock next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    LabeledBlock b = pending;
    pending = null;
    return b;
  }

  private LabeledBlock fill() {
    double[] data = null;
    double[] y = null;
    int r = 0;
    while (r < blockRows && records.hasNext()) {
      T record = records.next();
      Arrays.fill(row.x, 0.0);
      if (!reader.read(record, row)) {
        continue;
      }
      if (data == null) {
        data = new double[blockRows * d];
        y = new double[blockRows];
      }
      for (int j = 0; j < d; j++) {
        data[r + j * blockRows] = row.x[j];
      }
      y[r++] = row.y;
    }
    if (r == 0) {
      return null;
    }
    long id = (partition << 32) | ordinal++;
    if (r == blockRows) {
      return new LabeledBlock(id, new DenseMatrix(r, d, data), y);
    }
    DenseMatrix x = new DenseMatrix(r, d);
    for (int j = 0; j < d; j++) {
      System.arraycopy(data, j * blockRows, x.data(), j * r, r);
    }
    return new LabeledBlock(id, x, Arrays.copyOf(y, r));
  }
}
