package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.ml.CollectedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark ML Parquet (dense and sparse vectors) read into blocks equals what the driver-side
 * path collects, and a bad row is named by its part file and row.
 */
class ParquetBlocksTest {
  private static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.IntegerType)
      .add("features", SQLDataTypes.VectorType())
      .add("weight", DataTypes.DoubleType);
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = Collected.spark("ParquetBlocksTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** n rows of d features, every third one sparse; {@code bad} (if >= 0) has d - 1. */
  private static List<Row> rows(int n, int d, int bad) {
    SplittableRandom rng = new SplittableRandom(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int size = i == bad ? d - 1 : d;
      Vector v;
      if (i % 3 == 0) {
        v = Vectors.sparse(size, new int[] {0, size - 1}, new double[] {rng.nextGaussian(), i});
      } else {
        double[] a = new double[size];
        for (int j = 0; j < size; j++) {
          a[j] = rng.nextGaussian();
        }
        v = Vectors.dense(a);
      }
      rows.add(RowFactory.create(i % 2 == 0 ? 1 : -1, v, 1.0));
    }
    return rows;
  }

  private String write(List<Row> rows, int files, String name) {
    String dir = tmp.resolve(name).toString();
    spark.createDataFrame(rows, SCHEMA).repartition(files).write().parquet(dir);
    return dir;
  }

  @Test
  void partFilesOfDenseAndSparseVectorsEqualTheCollectedRows() {
    String dir = write(rows(300, 5, -1), 3, "train.parquet");
    Dataset<Row> df = spark.read().parquet(dir);
    LabeledData expected = CollectedData.collect(df, "features", "label", dir);
    try (DistributedInput.Loaded loaded = Collected.load(spark,
        DataSpec.builder(DataFormat.AUTO, dir, null).layout(0, 16))) {
      assertEquals(5, loaded.train().d());
      Collected.assertClose(expected, Collected.rows(loaded.train()), 1e-12);
    }
  }

  @Test
  void aFolderWithoutTheParquetSuffixIsFoundByItsParts() {
    String dir = write(rows(40, 3, -1), 2, "plainname");
    try (DistributedInput.Loaded loaded = Collected.load(spark,
        DataSpec.builder(DataFormat.AUTO, dir, null))) {
      assertEquals(40, loaded.train().n());
    }
  }

  @Test
  void aShortVectorIsNamedByItsFileAndRow() {
    String dir = write(rows(60, 4, 50), 1, "bad.parquet");
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, DataSpec.builder(DataFormat.AUTO, dir, null)));
    assertTrue(e.getMessage().matches("file:.*/bad\\.parquet/part-[^/]*\\.parquet: row \\d+: 3 "
        + "features, expected 4"), e.getMessage());
    // The row is counted from 1 within the file, in the file's order.
    int row = Integer.parseInt(e.getMessage().replaceAll(".*: row (\\d+):.*", "$1"));
    List<Row> written = spark.read().parquet(dir).collectAsList();
    assertEquals(3, ((Vector) written.get(row - 1).getAs("features")).size());
  }

  @Test
  void aWrongSchemaIsAOneLineError() {
    String dir = tmp.resolve("nolabel.parquet").toString();
    spark.createDataFrame(rows(5, 2, -1), SCHEMA).drop("label").write().parquet(dir);
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> Collected.load(spark, DataSpec.builder(DataFormat.AUTO, dir, null)));
    assertTrue(e.getMessage().contains("no column 'label' (columns: features, weight)"),
        e.getMessage());
  }
}
