package io.cvxrelu.job;

import io.cvxrelu.scoring.Scorer;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.types.StructType;

/**
 * Prediction rows written to Parquet column by column: parquet-mr's column writers
 * ({@link ParquetProperties#newColumnWriteStore}, {@link ColumnChunkPageWriteStore},
 * {@link ParquetFileWriter}), the layer under its record writers, fed straight from a scored
 * block's arrays. Spark's row writer (a {@code Row} per prediction, converted, then one record
 * of field calls each) took 0.34 s of executor CPU per 10^6 predictions, 1.4 training passes;
 * this path writes the same file contents (the same schema, with Spark's schema in the footer
 * under {@value #SPARK_SCHEMA_KEY}, so Spark reads the columns' types and nullability back as
 * it wrote them) in 0.08 s, a third of a pass ({@code docs/pipelines.md}, "Writing by
 * column"). Only for rows named by their position ({@code row}, a long): identifier columns
 * of any Spark type go through Spark's writer.
 *
 * <p>One part file per partition; its name carries the task attempt, so a retried or
 * speculative attempt never writes into another's file, and the driver keeps exactly the
 * files of the attempts whose results it received ({@link ScoredBlocks#writeParquet}).
 */
final class PredictionParquet implements AutoCloseable {
  /** The footer key under which Spark keeps a file's Spark schema (as JSON). */
  static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";
  /** Buffered bytes at which a row group is closed (Spark's and parquet-mr's default). */
  private static final long ROW_GROUP_BYTES = 128L << 20;
  /** Largest padding to align row groups (parquet-mr's default). */
  private static final int MAX_PADDING = 8 << 20;

  /** What a task needs to write its part: the settings are strings, so they serialise. */
  record Settings(Map<String, String> hadoop, String codec, boolean probability,
      String sparkSchema) implements Serializable {
    /**
     * The settings of a write, or null when this path does not apply: a compression codec
     * (Spark's {@code spark.sql.parquet.compression.codec}) that parquet-mr does not name.
     */
    static Settings of(Configuration conf, String sparkCodec, boolean probability,
        StructType schema) {
      if (codecOf(sparkCodec) == null) {
        return null;
      }
      Map<String, String> hadoop = new HashMap<>();
      conf.forEach(e -> hadoop.put(e.getKey(), e.getValue()));
      return new Settings(hadoop, sparkCodec, probability, schema.json());
    }

    Configuration configuration() {
      Configuration c = new Configuration(false);
      hadoop.forEach(c::set);
      return c;
    }
  }

  private final Settings settings;
  private final ParquetFileWriter file;
  private final ParquetProperties properties;
  private final MessageType schema;
  private final CodecFactory codecs;
  private final CodecFactory.BytesCompressor compressor;
  private ColumnChunkPageWriteStore pages;
  private ColumnWriteStore store;
  private ColumnWriter[] columns;
  private long groupRows;

  private PredictionParquet(Settings settings, Path path) throws IOException {
    this.settings = settings;
    Configuration conf = settings.configuration();
    this.schema = schema(settings.probability());
    // Doubles of predictions rarely repeat: no dictionary, plain pages (as Spark falls back to).
    this.properties = ParquetProperties.builder().withDictionaryEncoding(false).build();
    this.file = new ParquetFileWriter(HadoopOutputFile.fromPath(path, conf), schema,
        ParquetFileWriter.Mode.CREATE, ROW_GROUP_BYTES, MAX_PADDING,
        null, properties);
    this.codecs = new CodecFactory(conf, properties.getPageSizeThreshold());
    this.compressor = codecs.getCompressor(codecOf(settings.codec()));
    file.start();
    newRowGroup();
  }

  /** Opens a part file (created, never overwritten). */
  static PredictionParquet create(Settings settings, Path path) throws IOException {
    return new PredictionParquet(settings, path);
  }

  /** parquet-mr's codec of a Spark codec name, or null for one it does not know. */
  static CompressionCodecName codecOf(String sparkCodec) {
    String name = sparkCodec.strip().toUpperCase(Locale.ROOT);
    if (name.equals("NONE")) {
      name = "UNCOMPRESSED";
    }
    try {
      return CompressionCodecName.valueOf(name);
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  /** The Parquet schema Spark writes for {@link ScoredBlocks#schema} without id columns. */
  static MessageType schema(boolean probability) {
    var b = Types.buildMessage()
        .required(PrimitiveTypeName.INT64).named(ScoredBlocks.ROW)
        .required(PrimitiveTypeName.DOUBLE).named(ScoredBlocks.LABEL)
        .required(PrimitiveTypeName.DOUBLE).named(ScoredBlocks.OUTPUT)
        .required(PrimitiveTypeName.DOUBLE).named(ScoredBlocks.PREDICTION);
    if (probability) {
      b = b.required(PrimitiveTypeName.DOUBLE).named(ScoredBlocks.PROBABILITY);
    }
    return b.named("spark_schema");
  }

  /**
   * Appends the rows of one scored block: positions firstRow, firstRow + 1, ..., labels y and
   * outputs f, with the scorer's prediction (and probability) of each output.
   */
  void append(long firstRow, double[] y, double[] f, Scorer scorer) throws IOException {
    ColumnWriter row = columns[0];
    ColumnWriter label = columns[1];
    ColumnWriter output = columns[2];
    ColumnWriter prediction = columns[3];
    ColumnWriter probability = settings.probability() ? columns[4] : null;
    for (int i = 0; i < f.length; i++) {
      row.write(firstRow + i, 0, 0);
      label.write(y[i], 0, 0);
      output.write(f[i], 0, 0);
      prediction.write(scorer.prediction(f[i]), 0, 0);
      if (probability != null) {
        probability.write(Scorer.probability(f[i]), 0, 0);
      }
      store.endRecord();
    }
    groupRows += f.length;
    if (store.getBufferedSize() >= ROW_GROUP_BYTES) {
      flushRowGroup();
      newRowGroup();
    }
  }

  private void newRowGroup() {
    pages = new ColumnChunkPageWriteStore(compressor, schema, properties.getAllocator(),
        properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
    store = properties.newColumnWriteStore(schema, pages);
    List<ColumnDescriptor> descriptors = schema.getColumns();
    columns = new ColumnWriter[descriptors.size()];
    for (int k = 0; k < columns.length; k++) {
      columns[k] = store.getColumnWriter(descriptors.get(k));
    }
    groupRows = 0;
  }

  private void flushRowGroup() throws IOException {
    if (groupRows > 0) {
      store.flush();
      file.startBlock(groupRows);
      pages.flushToFileWriter(file);
      file.endBlock();
    }
    store.close();
    pages.close();
  }

  /** Writes the last row group and the footer (with Spark's schema), and closes the file. */
  @Override
  public void close() throws IOException {
    try {
      flushRowGroup();
      Map<String, String> footer = new HashMap<>();
      footer.put(SPARK_SCHEMA_KEY, settings.sparkSchema());
      file.end(footer);
    } finally {
      codecs.release();
    }
  }

  /** Closes the file after a failure, without a footer (a file no reader takes). */
  void abort() {
    try {
      codecs.release();
      file.close();
    } catch (IOException | RuntimeException ignored) {
      // The write already failed; its own error is the one that matters.
    }
  }
}
