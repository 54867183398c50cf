package io.cvxrelu.ml;

import io.cvxrelu.linalg.DenseMatrix;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Model transform over row blocks: each partition is cut into blocks of {@value #BLOCK_ROWS}
 * rows, stacked into one column-major matrix, and the network output is computed for the whole
 * block with GEMMs (X G for the gates, X U for the neurons), instead of a matrix-vector product
 * per row as Spark's per-row prediction UDFs would do.
 */
final class BlockTransform {
  static final int BLOCK_ROWS = 4096;

  /** The columns a model appends for one network output f(x). */
  interface Outputs extends Serializable {
    Object[] values(double f);
  }

  private BlockTransform() {}

  /**
   * Appends {@code added} (fields of the model's transformed schema, in the order
   * {@code outputs} produces values) to every row of {@code data}.
   */
  static Dataset<Row> apply(Dataset<?> data, String featuresCol, List<StructField> added,
      TrainedNetwork network, Outputs outputs) {
    StructType in = data.schema();
    StructType out = in;
    for (StructField f : added) {
      out = out.add(f);
    }
    int featureIndex = in.fieldIndex(featuresCol);
    int d = network.model().inputDimension();
    MapPartitionsFunction<Row, Row> fn =
        rows -> new Blocks(rows, featureIndex, d, network, outputs);
    return data.toDF().mapPartitions(fn, Encoders.row(out));
  }

  /** Picks the named fields out of a transformed schema. */
  static List<StructField> fields(StructType transformed, String... names) {
    List<StructField> out = new ArrayList<>();
    for (String n : names) {
      if (n != null && !n.isEmpty()) {
        out.add(transformed.apply(n));
      }
    }
    return out;
  }

  private static final class Blocks implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final int featureIndex;
    private final int d;
    private final TrainedNetwork network;
    private final Outputs outputs;
    private final List<Row> block = new ArrayList<>();
    private double[] f;
    private int next;

    Blocks(Iterator<Row> rows, int featureIndex, int d, TrainedNetwork network, Outputs outputs) {
      this.rows = rows;
      this.featureIndex = featureIndex;
      this.d = d;
      this.network = network;
      this.outputs = outputs;
    }

    @Override
    public boolean hasNext() {
      if (next < block.size()) {
        return true;
      }
      block.clear();
      next = 0;
      while (block.size() < BLOCK_ROWS && rows.hasNext()) {
        block.add(rows.next());
      }
      if (block.isEmpty()) {
        return false;
      }
      int n = block.size();
      DenseMatrix x = new DenseMatrix(n, d);
      double[] xd = x.data();
      for (int i = 0; i < n; i++) {
        Row r = block.get(i);
        if (r.isNullAt(featureIndex)) {
          throw new IllegalArgumentException("null feature vector in row " + r);
        }
        Vector v = (Vector) r.get(featureIndex);
        if (v.size() != d) {
          throw new IllegalArgumentException("model expects " + d + " features, got "
              + v.size());
        }
        final int row = i;
        v.foreachActive((j, value) -> {
          xd[row + (Integer) j * n] = (Double) value;
          return scala.runtime.BoxedUnit.UNIT;
        });
      }
      f = network.outputs(x);
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = block.get(next);
      Object[] extra = outputs.values(f[next]);
      next++;
      Object[] all = new Object[r.length() + extra.length];
      for (int k = 0; k < r.length(); k++) {
        all[k] = r.get(k);
      }
      System.arraycopy(extra, 0, all, r.length(), extra.length);
      return RowFactory.create(all);
    }
  }
}
