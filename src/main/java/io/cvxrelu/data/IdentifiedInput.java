package io.cvxrelu.data;

import io.cvxrelu.io.DataFormatException;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.SerializableWritable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Rows to score read on the executors together with identifier columns, for inputs whose
 * columns have names: CSV with a header line and Parquet. Each block of rows (the same blocks,
 * partitions and order as {@link DistributedInput} reads without identifiers) travels with one
 * {@link Row} of identifier values per data row, so a scoring job writes them beside its
 * predictions without a join or a collect.
 *
 * <p>CSV: the first non-blank line of the first file is the header (no field a number); a line
 * equal to it in any file is skipped, so every file may repeat it. The identifier columns are
 * taken out wherever they stand and kept as text; the other columns are read as a CSV without
 * identifiers is, the label first. Parquet: the {@code features} vector and {@code label} as
 * always, the identifier columns with their own types.
 */
public final class IdentifiedInput {
  private IdentifiedInput() {}

  /** A block of rows and the identifier values of each of its rows, in the block's order. */
  public static final class IdentifiedBlock implements Serializable {
    private static final long serialVersionUID = 1L;
    private final LabeledBlock block;
    private final Row[] ids;

    IdentifiedBlock(LabeledBlock block, Row[] ids) {
      if (ids.length != block.rows()) {
        throw new IllegalStateException(block.rows() + " rows but " + ids.length + " ids");
      }
      this.block = block;
      this.ids = ids;
    }

    public LabeledBlock block() {
      return block;
    }

    /** Row r's identifier values, in the order of {@link Identified#idSchema()}. */
    public Row[] ids() {
      return ids;
    }
  }

  /**
   * The cached identified blocks, their row count n and width d, and the identifiers' schema.
   * Closing unpersists the blocks and destroys the broadcasts their lineage reads.
   */
  public record Identified(JavaRDD<IdentifiedBlock> blocks, StructType idSchema, long n, int d,
      String source, List<Broadcast<?>> owned) implements AutoCloseable {
    @Override
    public void close() {
      blocks.unpersist(false);
      owned.forEach(Broadcast::destroy);
    }
  }

  /**
   * Reads {@code location} with the identifier columns {@code ids}.
   *
   * @param format CSV or Parquet (resolved, not AUTO)
   * @param partitions CSV input partitions (0: one per split), as {@link DataSpec} gives them
   * @throws IllegalArgumentException for a usage error: a format without column names, a CSV
   *     without a header line, an id column the input does not have, one named twice
   * @throws DataFormatException for data that cannot be read, in one line
   */
  public static Identified read(SparkSession spark, DataFormat format, String location,
      List<String> ids, int partitions, int blockRows) {
    if (ids.isEmpty() || ids.stream().distinct().count() != ids.size()) {
      throw new IllegalArgumentException("--id-columns must name distinct columns, got "
          + String.join(",", ids));
    }
    String source = "data " + location;
    return switch (format) {
      case CSV -> csv(spark, location, ids, source, partitions, blockRows);
      case PARQUET -> parquet(spark, location, ids, source, blockRows);
      default -> throw new IllegalArgumentException("--id-columns needs named columns (CSV with"
          + " a header line, or Parquet); " + format.name().toLowerCase(java.util.Locale.ROOT)
          + " rows have none and are written with their 'row' position");
    };
  }

  private static Identified csv(SparkSession spark, String location, List<String> ids,
      String source, int partitions, int blockRows) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<FileStatus> files = InputFiles.list(sc.hadoopConfiguration(), location, "data");
    String[] header = header(sc.hadoopConfiguration(), files, source);
    int[] idAt = positions(header, ids, "the header of " + location);
    int[] valueAt = new int[header.length - idAt.length];
    for (int c = 0, v = 0; c < header.length; c++) {
      if (!contains(idAt, c)) {
        valueAt[v++] = c;
      }
    }
    if (valueAt.length < 2) {
      throw new DataFormatException(source + ": needs a label and at least one feature besides"
          + " the id columns");
    }
    StructType schema = new StructType();
    for (String id : ids) {
      schema = schema.add(id, DataTypes.StringType, false);
    }
    Broadcast<SerializableWritable<Configuration>> conf = InputFiles.broadcastConf(sc);
    int d = valueAt.length - 1;
    JavaRDD<IdentifiedBlock> blocks = InputFiles.hadoopInput(sc, files, partitions,
        TextInputFormat.class, LongWritable.class, Text.class,
        new Configuration(sc.hadoopConfiguration())).mapPartitionsWithInputSplit((split, it) -> {
          CsvWithIds reader = new CsvWithIds((FileSplit) split, header, idAt, valueAt,
              conf.value().value());
          return identified(new Blocking<>(it, reader, d, blockRows,
              TaskContext.getPartitionId()), reader.ids);
        }, true);
    return materialise(blocks, schema, d, source, List.of(conf));
  }

  private static Identified parquet(SparkSession spark, String location, List<String> ids,
      String source, int blockRows) {
    InputFiles.list(spark.sparkContext().hadoopConfiguration(), location, "data");
    Dataset<Row> df;
    try {
      df = spark.read().parquet(location);
    } catch (Exception e) {
      String m = e instanceof AnalysisException a ? a.getSimpleMessage() : e.getMessage();
      throw new DataFormatException("cannot read " + source + ": " + m);
    }
    ParquetBlocks.checkSchema(df.schema(), source);
    positions(df.schema().fieldNames(), ids, location);
    List<Column> columns = new ArrayList<>(List.of(functions.col(ParquetBlocks.FEATURES),
        functions.col(ParquetBlocks.LABEL).cast("double"), functions.col("_metadata.file_path"),
        functions.col("_metadata.row_index")));
    StructType schema = new StructType();
    for (String id : ids) {
      columns.add(functions.col("`" + id + "`"));
      StructField f = df.schema().apply(id);
      schema = schema.add(f.name(), f.dataType(), f.nullable());
    }
    Dataset<Row> rows = df.select(columns.toArray(new Column[0]));
    int d = ParquetBlocks.width(rows, source);
    int first = 4;
    int count = ids.size();
    JavaRDD<IdentifiedBlock> blocks = rows.javaRDD().mapPartitions(it -> {
      ArrayDeque<Row> queue = new ArrayDeque<>();
      Blocking.RowReader<Row> reader = (r, row) -> {
        boolean read = ParquetBlocks.readRow(r, row);
        Object[] values = new Object[count];
        for (int k = 0; k < count; k++) {
          values[k] = r.get(first + k);
        }
        queue.add(RowFactory.create(values));
        return read;
      };
      return identified(new Blocking<>(it, reader, d, blockRows, TaskContext.getPartitionId()),
          queue);
    });
    return materialise(blocks, schema, d, source, List.of());
  }

  /**
   * The blocks of a partition paired with the ids their reader queued: a block is filled before
   * it is handed out, so the queue then holds exactly its rows' ids.
   */
  private static Iterator<IdentifiedBlock> identified(Iterator<LabeledBlock> blocks,
      ArrayDeque<Row> queue) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return blocks.hasNext();
      }

      @Override
      public IdentifiedBlock next() {
        LabeledBlock b = blocks.next();
        Row[] ids = new Row[b.rows()];
        for (int r = 0; r < ids.length; r++) {
          ids[r] = queue.poll();
        }
        return new IdentifiedBlock(b, ids);
      }
    };
  }

  private static Identified materialise(JavaRDD<IdentifiedBlock> blocks, StructType schema,
      int d, String source, List<Broadcast<?>> owned) {
    blocks.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    JavaSparkContext.fromSparkContext(blocks.context())
        .setJobDescription("cvxrelu: read " + source + " with ids");
    long n;
    try {
      n = blocks.map(b -> (long) b.block().rows()).fold(0L, Long::sum);
    } catch (Exception e) {
      new Identified(blocks, schema, 0, d, source, owned).close();
      DistributedInput.throwIfDataError(e);
      throw e;
    }
    Identified out = new Identified(blocks, schema, n, d, source, owned);
    if (n == 0) {
      out.close();
      throw new DataFormatException(source + ": no data rows (empty input)");
    }
    return out;
  }

  /** The positions of {@code ids} among {@code names}. */
  private static int[] positions(String[] names, List<String> ids, String where) {
    List<String> all = Arrays.asList(names);
    int[] at = new int[ids.size()];
    for (int k = 0; k < at.length; k++) {
      at[k] = all.indexOf(ids.get(k));
      if (at[k] < 0) {
        throw new IllegalArgumentException("unknown id column '" + ids.get(k) + "' (columns of "
            + where + ": " + String.join(", ", names) + ")");
      }
    }
    return at;
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  /** The fields of the first non-blank line of the input, which must be a header. */
  private static String[] header(Configuration conf, List<FileStatus> files, String source) {
    TextInput.FirstLine first = TextInput.firstLine(conf, files, source);
    if (first == null) {
      throw new DataFormatException(source + ": no data rows (empty input)");
    }
    if (!TextRecords.noneNumeric(first.fields())) {
      throw new IllegalArgumentException("--id-columns needs a CSV header line naming "
          + "the columns; the first line of " + first.file() + " holds numbers");
    }
    return first.fields();
  }

  /** One split of a CSV input with a header: features and label to the row, ids queued. */
  private static final class CsvWithIds
      implements Blocking.RowReader<Tuple2<LongWritable, Text>> {
    private final Path file;
    private final String[] header;
    private final int[] idAt;
    private final int[] valueAt;
    private final Configuration conf;
    final ArrayDeque<Row> ids = new ArrayDeque<>();

    CsvWithIds(FileSplit split, String[] header, int[] idAt, int[] valueAt,
        Configuration conf) {
      this.file = split.getPath();
      this.header = header;
      this.idAt = idAt;
      this.valueAt = valueAt;
      this.conf = conf;
    }

    @Override
    public boolean read(Tuple2<LongWritable, Text> record, Blocking.Row row) {
      long offset = record._1().get();
      String line = record._2().toString();
      String[] fields = TextRecords.csvFields(offset == 0
          ? TextRecords.withoutByteOrderMark(line) : line);
      if (fields.length == 0 || Arrays.equals(fields, header)) {
        return false;
      }
      try {
        if (fields.length != header.length) {
          throw new TextRecords.BadRecord("ragged row with " + fields.length
              + " fields, expected " + header.length);
        }
        row.y = TextRecords.number(fields[valueAt[0]], valueAt[0] + 1);
        for (int j = 1; j < valueAt.length; j++) {
          row.x[j - 1] = TextRecords.number(fields[valueAt[j]], valueAt[j] + 1);
        }
      } catch (TextRecords.BadRecord e) {
        throw TextInput.at(conf, file, offset, e.getMessage());
      }
      Object[] values = new Object[idAt.length];
      for (int k = 0; k < idAt.length; k++) {
        values[k] = fields[idAt[k]];
      }
      ids.add(RowFactory.create(values));
      return true;
    }
  }
}
