package io.cvxrelu.job;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.ml.CollectedData;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Parquet training data as Spark ML writes it: a {@code features} vector column (dense or
 * sparse) and a numeric {@code label} column, in a file or a folder of part files on any Hadoop
 * file system. Reading Parquet needs Spark, so this lives in the job layer, not in {@code io}.
 */
final class ParquetInput {
  static final String FEATURES = "features";
  static final String LABEL = "label";

  private ParquetInput() {}

  /**
   * True when {@code location} names Parquet data: a {@code .parquet} name, or a folder whose
   * files are Parquet parts (what {@code df.write().parquet(dir)} leaves).
   */
  static boolean looksLikeParquet(String location, Configuration conf) {
    if (location.matches("(?i).*\\.parquet/?$")) {
      return true;
    }
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
        return false;
      }
      for (FileStatus st : fs.listStatus(p)) {
        if (st.isFile() && st.getPath().getName().endsWith(".parquet")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new DataFormatException("cannot list " + location + ": " + e.getMessage());
    }
  }

  /** Reads {@code features} and {@code label} to the driver. */
  static LabeledData read(SparkSession spark, String location, String what) {
    try {
      Path p = new Path(location);
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new DataFormatException(what + " not found: " + location);
      }
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + what + " " + location + ": " + e.getMessage());
    }
    Dataset<Row> df;
    try {
      df = spark.read().parquet(location);
    } catch (Exception e) {
      // Scala throws AnalysisException (a checked exception) undeclared: a missing path or a
      // folder that is not Parquet.
      String m = e instanceof AnalysisException a ? a.getSimpleMessage() : rootMessage(e);
      throw new DataFormatException("cannot read " + what + " " + location + ": " + m);
    }
    try {
      return CollectedData.collect(df, FEATURES, LABEL, what + " " + location);
    } catch (DataFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      // A corrupt or truncated part file fails inside the Spark job.
      throw new DataFormatException("cannot read " + what + " " + location + ": "
          + rootMessage(e));
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }
}
