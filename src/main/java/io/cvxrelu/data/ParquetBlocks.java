package io.cvxrelu.data;

import io.cvxrelu.io.DataFormatException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Parquet as Spark ML writes it, read by Spark SQL on the executors: a {@code features} vector
 * column (dense or sparse) and a numeric {@code label} column. Each row also carries Spark's
 * hidden {@code _metadata.file_path} and {@code _metadata.row_index}, so a bad row is reported
 * as {@code <file>: row <r>: <reason>} with r counted from 1 within that file. The partitions
 * are Spark SQL's file splits ({@code spark.sql.files.maxPartitionBytes}).
 */
final class ParquetBlocks {
  static final String FEATURES = "features";
  static final String LABEL = "label";

  private ParquetBlocks() {}

  /**
   * True when {@code location} names Parquet data: a {@code .parquet} name, or a folder holding
   * {@code .parquet} part files (what {@code df.write().parquet(dir)} leaves).
   */
  static boolean looksLikeParquet(Configuration conf, String location) {
    if (location.matches("(?i).*\\.parquet/?$")) {
      return true;
    }
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      return fs.exists(p) && fs.getFileStatus(p).isDirectory()
          && Arrays.stream(fs.listStatus(p)).anyMatch(st -> st.isFile()
              && st.getPath().getName().endsWith(".parquet"));
    } catch (IOException e) {
      throw new DataFormatException("cannot list " + location + ": " + e.getMessage());
    }
  }

  /** Reads the rows into blocks on the executors. */
  static BlockedDataset read(SparkSession spark, String location, String source, int blockRows) {
    List<FileStatus> files = InputFiles.list(spark.sparkContext().hadoopConfiguration(),
        location, source);
    Dataset<Row> df;
    try {
      df = spark.read().parquet(location);
    } catch (Exception e) {
      // Scala throws AnalysisException, a checked exception, undeclared: a folder that is
      // not Parquet, say.
      String m = e instanceof AnalysisException a ? a.getSimpleMessage() : e.getMessage();
      throw new DataFormatException("cannot read " + source + " " + files.get(0).getPath()
          + ": " + m);
    }
    checkSchema(df.schema(), source);
    return blocks(df.select(functions.col(FEATURES), functions.col(LABEL).cast("double"),
        functions.col("_metadata.file_path"), functions.col("_metadata.row_index")), source,
        blockRows);
  }

  /**
   * A Spark ML data set's feature vectors and labels as blocks, read on the executors: what
   * the Spark ML estimators train on when they solve over row blocks. A bad row is reported
   * as {@code <source>: row <id>: <reason>}, the id being Spark's monotonically increasing
   * row id plus one (unique, but not a position in a file).
   */
  static BlockedDataset fromDataset(Dataset<?> data, String featuresCol, String labelCol,
      String source, int blockRows) {
    return blocks(data.select(functions.col(featuresCol).as(FEATURES),
        functions.col(labelCol).cast("double").as(LABEL), functions.lit(source),
        functions.monotonically_increasing_id()), source, blockRows);
  }

  /** Rows (features, label, file, index in the file) read into blocks on the executors. */
  private static BlockedDataset blocks(Dataset<Row> rows, String source, int blockRows) {
    int d = width(rows, source);
    return BlockedDataset.materialise(rows.javaRDD().mapPartitions(it -> new Blocking<>(it,
        ParquetBlocks::readRow, d, blockRows, TaskContext.getPartitionId())), d, source,
        List.of()).requireRows();
  }

  static void checkSchema(StructType schema, String source) {
    List<String> names = Arrays.asList(schema.fieldNames());
    for (String column : List.of(FEATURES, LABEL)) {
      if (!names.contains(column)) {
        throw new DataFormatException(source + ": no column '" + column + "' (columns: "
            + String.join(", ", names) + ")");
      }
    }
    StructField features = schema.apply(FEATURES);
    if (!features.dataType().equals(SQLDataTypes.VectorType())) {
      throw new DataFormatException(source + ": column '" + FEATURES + "' must be a Spark ML "
          + "vector, found " + features.dataType().simpleString());
    }
    StructField label = schema.apply(LABEL);
    if (!(label.dataType() instanceof NumericType)) {
      throw new DataFormatException(source + ": column '" + LABEL + "' must be numeric, found "
          + label.dataType().simpleString());
    }
  }

  /** The size of the first non-null feature vector (one row brought to the driver). */
  static int width(Dataset<Row> rows, String source) {
    List<Row> first;
    try {
      first = rows.select(FEATURES).where(functions.col(FEATURES).isNotNull()).takeAsList(1);
    } catch (Exception e) {
      DistributedInput.throwIfDataError(e);
      throw e;
    }
    if (first.isEmpty()) {
      throw new DataFormatException(source + ": no data rows (empty input)");
    }
    int d = ((Vector) first.get(0).get(0)).size();
    if (d == 0) {
      throw new DataFormatException(source + ": feature vectors are empty");
    }
    return d;
  }

  /** Reads one row (features, label, file, index in the file) into the block row. */
  static boolean readRow(Row r, Blocking.Row row) {
    if (r.isNullAt(0) || r.isNullAt(1)) {
      throw at(r, "null " + (r.isNullAt(0) ? FEATURES : LABEL));
    }
    Vector v = (Vector) r.get(0);
    if (v.size() != row.x.length) {
      throw at(r, v.size() + " features, expected " + row.x.length);
    }
    double label = r.getDouble(1);
    if (!Double.isFinite(label)) {
      throw at(r, "label " + label + " (NaN and infinite values are not allowed)");
    }
    row.y = label;
    double[] values = v.toArray();
    for (int j = 0; j < values.length; j++) {
      if (!Double.isFinite(values[j])) {
        throw at(r, "feature " + (j + 1) + " is " + values[j]
            + " (NaN and infinite values are not allowed)");
      }
      row.x[j] = values[j];
    }
    return true;
  }

  private static DataFormatException at(Row r, String reason) {
    return new DataFormatException(r.getString(2) + ": row " + (r.getLong(3) + 1) + ": "
        + reason);
  }
}
