package io.cvxrelu.ml;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.Iterator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Brings a Spark ML training set (a Vector features column and a numeric label column, dense
 * or sparse vectors, as {@code VectorAssembler} and Spark ML's writers make them) to the
 * driver as one column-major {@link LabeledData}, for the single-node solvers.
 */
public final class CollectedData {
  private CollectedData() {}

  /** Checks that {@code schema} has a Vector {@code featuresCol} and a numeric {@code labelCol}. */
  public static void checkSchema(StructType schema, String featuresCol, String labelCol,
      String source) {
    DataType f = fieldType(schema, featuresCol, source);
    if (!f.equals(SQLDataTypes.VectorType())) {
      throw new DataFormatException(source + ": column '" + featuresCol
          + "' must be a Spark ML vector, found " + f.simpleString());
    }
    DataType l = fieldType(schema, labelCol, source);
    if (!(l instanceof NumericType)) {
      throw new DataFormatException(source + ": column '" + labelCol + "' must be numeric, found "
          + l.simpleString());
    }
  }

  private static DataType fieldType(StructType schema, String name, String source) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f.dataType();
      }
    }
    throw new DataFormatException(source + ": no column '" + name + "' (columns: "
        + String.join(", ", schema.fieldNames()) + ")");
  }

  /**
   * Collects the rows to the driver, in the data set's order (two passes: a count, then the
   * rows partition by partition, so the driver never holds more than the matrix and one
   * partition). Labels are cast to double; null, NaN or infinite values are data errors.
   */
  public static LabeledData collect(Dataset<?> data, String featuresCol, String labelCol,
      String source) {
    checkSchema(data.schema(), featuresCol, labelCol, source);
    Dataset<Row> rows = data.select(functions.col(featuresCol),
        functions.col(labelCol).cast("double"));
    long count = rows.count();
    if (count == 0) {
      throw new DataFormatException(source + ": no data rows");
    }
    if (count > Integer.MAX_VALUE) {
      throw new DataFormatException(source + ": " + count + " rows do not fit one driver array");
    }
    int n = (int) count;
    DenseMatrix x = null;
    double[] y = new double[n];
    int i = 0;
    Iterator<Row> it = rows.toLocalIterator();
    while (it.hasNext()) {
      Row r = it.next();
      if (i >= n) {
        throw new DataFormatException(source + ": the data changed while it was read");
      }
      if (r.isNullAt(0) || r.isNullAt(1)) {
        throw new DataFormatException(source + ": row " + (i + 1) + " has a null "
            + (r.isNullAt(0) ? featuresCol : labelCol));
      }
      Vector v = (Vector) r.get(0);
      if (x == null) {
        if (v.size() == 0) {
          throw new DataFormatException(source + ": feature vectors are empty");
        }
        x = new DenseMatrix(n, v.size());
      } else if (v.size() != x.cols()) {
        throw new DataFormatException(source + ": row " + (i + 1) + " has " + v.size()
            + " features, expected " + x.cols());
      }
      double label = r.getDouble(1);
      if (!Double.isFinite(label)) {
        throw new DataFormatException(source + ": row " + (i + 1) + " has label " + label
            + " (NaN and infinite values are not allowed)");
      }
      y[i] = label;
      double[] xd = x.data();
      final int row = i;
      v.foreachActive((j, value) -> {
        double val = (Double) value;
        if (!Double.isFinite(val)) {
          throw new DataFormatException(source + ": row " + (row + 1) + " feature "
              + ((Integer) j + 1) + " is " + val + " (NaN and infinite values are not allowed)");
        }
        xd[row + (Integer) j * n] = val;
        return scala.runtime.BoxedUnit.UNIT;
      });
      i++;
    }
    if (i != n) {
      throw new DataFormatException(source + ": the data changed while it was read");
    }
    return new LabeledData(x, y);
  }
}
