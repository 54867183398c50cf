package io.cvxrelu.data;

import io.cvxrelu.io.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.SerializableWritable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * CSV and LIBSVM read on the executors through Hadoop's {@code TextInputFormat} (what {@code
 * sc.textFile} reads with), keeping each line's file and byte offset so a bad record is reported
 * as {@code <file>: line <L> (byte <B>): <reason>}. Spark SQL's CSV and LIBSVM sources are not
 * used: they drop the line's position, and their header and blank-line rules are not the
 * single-node reader's ({@code io.TextDataReader}), which these follow line for line.
 *
 * <p>CSV: the width (label plus features) is the field count of the first non-blank line of
 * the first file, read on the driver; every row of every file must have it. The first
 * non-blank line of each file is a header when none of its fields is a number. LIBSVM: the
 * dimension is given, or is the largest index, found by one aggregation pass before the rows
 * are read (as Spark's own LIBSVM source does).
 */
final class TextInput {
  private TextInput() {}

  /** Reads a CSV input (label first) into blocks on the executors. */
  static BlockedDataset csv(JavaSparkContext sc, List<FileStatus> files, String source,
      int partitions, int blockRows) {
    int width = firstLineWidth(sc.hadoopConfiguration(), files, source);
    if (width == 0) {
      throw new DataFormatException(source + ": no data rows (empty input)");
    }
    if (width < 2) {
      throw new DataFormatException(source + ": needs a label and at least one feature per row");
    }
    Broadcast<SerializableWritable<Configuration>> conf = InputFiles.broadcastConf(sc);
    JavaRDD<LabeledBlock> blocks = lines(sc, files, partitions).mapPartitionsWithInputSplit(
        (split, it) -> new Blocking<>(it, new CsvLines((FileSplit) split, width,
            conf.value().value()), width - 1, blockRows, TaskContext.getPartitionId()), true);
    return BlockedDataset.materialise(blocks, width - 1, source, List.of(conf)).requireRows();
  }

  /**
   * Reads a LIBSVM input into blocks on the executors.
   *
   * @param dimension the number of features, an index above it being a record error; 0 to take
   *     the largest index in the input (one more pass over the text)
   */
  static BlockedDataset libsvm(JavaSparkContext sc, List<FileStatus> files, String source,
      int dimension, int partitions, int blockRows) {
    Broadcast<SerializableWritable<Configuration>> conf = InputFiles.broadcastConf(sc);
    JavaNewHadoopRDD<LongWritable, Text> lines = lines(sc, files, partitions);
    int d = dimension;
    try {
      if (d <= 0) {
        sc.setJobDescription("cvxrelu: LIBSVM dimension of " + source);
        d = lines.mapPartitionsWithInputSplit((split, it) -> {
          LibsvmLines reader = new LibsvmLines((FileSplit) split, 0, conf.value().value());
          Blocking.Row unused = new Blocking.Row(0);
          it.forEachRemaining(line -> reader.read(line, unused));
          return List.of(reader.maxIndex).iterator();
        }, true).fold(0, Math::max);
      }
    } catch (Exception e) {
      conf.destroy();
      DistributedInput.throwIfDataError(e);
      throw e;
    }
    if (d == 0) {
      conf.destroy();
      throw new DataFormatException(source + ": no feature index in any row (empty input?)");
    }
    int width = d;
    JavaRDD<LabeledBlock> blocks = lines.mapPartitionsWithInputSplit(
        (split, it) -> new Blocking<>(it, new LibsvmLines((FileSplit) split, width,
            conf.value().value()), width, blockRows, TaskContext.getPartitionId()), true);
    return BlockedDataset.materialise(blocks, d, source, List.of(conf)).requireRows();
  }

  private static JavaNewHadoopRDD<LongWritable, Text> lines(JavaSparkContext sc,
      List<FileStatus> files, int partitions) {
    return InputFiles.hadoopInput(sc, files, partitions, TextInputFormat.class,
        LongWritable.class, Text.class, new Configuration(sc.hadoopConfiguration()));
  }

  /** The field count of the first non-blank line of the input, 0 when all files are blank. */
  private static int firstLineWidth(Configuration conf, List<FileStatus> files, String source) {
    FirstLine first = firstLine(conf, files, source);
    return first == null ? 0 : first.fields().length;
  }

  /** The first non-blank CSV line of an input and the file it is in. */
  record FirstLine(Path file, String[] fields) {}

  /**
   * The fields of the first non-blank line of the input (a byte-order mark at the start of a
   * file dropped), or null when all files are blank. Read on the driver: one line.
   */
  static FirstLine firstLine(Configuration conf, List<FileStatus> files, String source) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    for (FileStatus st : files) {
      Path p = st.getPath();
      CompressionCodec codec = codecs.getCodec(p);
      try (InputStream raw = p.getFileSystem(conf).open(p);
          BufferedReader in = new BufferedReader(new InputStreamReader(
              codec == null ? raw : codec.createInputStream(raw), StandardCharsets.UTF_8))) {
        String line = in.readLine();
        if (line != null) {
          line = TextRecords.withoutByteOrderMark(line);
        }
        while (line != null) {
          String[] fields = TextRecords.csvFields(line);
          if (fields.length > 0) {
            return new FirstLine(p, fields);
          }
          line = in.readLine();
        }
      } catch (IOException e) {
        throw new DataFormatException("cannot read " + source + " " + p + ": " + e.getMessage());
      }
    }
    return null;
  }

  /**
   * The one-line error for the record at {@code offset} of {@code file}: {@code <file>: line L
   * (byte B): reason}, or {@code <file>: record at byte B: reason} when the line number cannot be
   * counted.
   */
  static DataFormatException at(Configuration conf, Path file, long offset, String reason) {
    long line;
    try {
      line = LineLocator.lineAt(conf, file, offset);
    } catch (IOException e) {
      line = -1;
    }
    return new DataFormatException(file + (line > 0 ? ": line " + line + " (byte " + offset + ")"
        : ": record at byte " + offset) + ": " + reason);
  }

  /** One split of a CSV input, read line by line. */
  private static final class CsvLines implements Blocking.RowReader<Tuple2<LongWritable, Text>> {
    private final Path file;
    private final long start;
    private final int width;
    private final Configuration conf;
    private boolean seenLine;

    CsvLines(FileSplit split, int width, Configuration conf) {
      this.file = split.getPath();
      this.start = split.getStart();
      this.width = width;
      this.conf = conf;
    }

    @Override
    public boolean read(Tuple2<LongWritable, Text> record, Blocking.Row row) {
      long offset = record._1().get();
      String line = record._2().toString();
      String[] fields = TextRecords.csvFields(offset == 0
          ? TextRecords.withoutByteOrderMark(line) : line);
      if (fields.length == 0) {
        return false;
      }
      boolean first = !seenLine;
      seenLine = true;
      try {
        TextRecords.csvRow(fields, width, row);
        return true;
      } catch (TextRecords.BadRecord e) {
        if (first && TextRecords.noneNumeric(fields) && firstOfFile(offset)) {
          return false;
        }
        throw at(conf, file, offset, e.getMessage());
      }
    }

    /** The first non-blank line of the split is the file's when the split starts it. */
    private boolean firstOfFile(long offset) {
      try {
        return start == 0 || LineLocator.onlyBlankBefore(conf, file, offset);
      } catch (IOException e) {
        throw new DataFormatException("cannot read " + file + ": " + e.getMessage());
      }
    }
  }

  /** One split of a LIBSVM input; with dimension 0 it only tracks the largest index. */
  private static final class LibsvmLines
      implements Blocking.RowReader<Tuple2<LongWritable, Text>> {
    private final Path file;
    private final int dimension;
    private final Configuration conf;
    private final TextRecords.SparseSink sink;
    private Blocking.Row current;
    int maxIndex;

    LibsvmLines(FileSplit split, int dimension, Configuration conf) {
      this.file = split.getPath();
      this.dimension = dimension;
      this.conf = conf;
      this.sink = (index, value) -> {
        maxIndex = Math.max(maxIndex, index);
        if (dimension > 0) {
          if (index > dimension) {
            throw new TextRecords.BadRecord("feature index " + index + " exceeds the dimension "
                + dimension);
          }
          current.x[index - 1] = value;
        }
      };
    }

    @Override
    public boolean read(Tuple2<LongWritable, Text> record, Blocking.Row row) {
      long offset = record._1().get();
      String line = record._2().toString();
      current = row;
      try {
        double label = TextRecords.libsvm(offset == 0
            ? TextRecords.withoutByteOrderMark(line) : line, sink);
        row.y = label;
        return !Double.isNaN(label);
      } catch (TextRecords.BadRecord e) {
        throw at(conf, file, offset, e.getMessage());
      }
    }
  }
}
