package io.cvxrelu.data;

import io.cvxrelu.io.DataFormatException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;

/**
 * Fixed-size records after a fixed-size header, split like any Hadoop file: the binary layout
 * of CIFAR-10 (no header, 3073-byte records) and of IDX images (a 16-byte header, rows x
 * columns bytes per image). Keys are record indices within the file; a split holds the records
 * that start inside it. This is what {@code sc.binaryRecords} reads with, plus the header and
 * the key, which binaryRecords drops (so its records name neither file nor position).
 *
 * <p>A gzip file (recognised by its magic bytes, as {@code io.IdxReader} does) is not split
 * and is decompressed by one task.
 */
public final class FixedRecordInputFormat extends FileInputFormat<LongWritable, BytesWritable> {
  /** Bytes before the first record. */
  public static final String HEADER_BYTES = "cvxrelu.fixedrecords.header.bytes";
  /** Bytes per record. */
  public static final String RECORD_BYTES = "cvxrelu.fixedrecords.record.bytes";
  /** Records per file when the header declares it (-1: up to the end of the file). */
  public static final String RECORD_COUNT = "cvxrelu.fixedrecords.count";

  @Override
  protected boolean isSplitable(JobContext context, Path file) {
    try {
      return !isGzip(context.getConfiguration(), file);
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public RecordReader<LongWritable, BytesWritable> createRecordReader(InputSplit split,
      TaskAttemptContext context) {
    return new Reader();
  }

  /** True when the file starts with the gzip magic bytes 1f 8b. */
  static boolean isGzip(Configuration conf, Path file) throws IOException {
    try (FSDataInputStream in = file.getFileSystem(conf).open(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  /** Opens a file, decompressing it when it is gzip. */
  static InputStream open(Configuration conf, Path file) throws IOException {
    boolean gzip = isGzip(conf, file);
    FSDataInputStream raw = file.getFileSystem(conf).open(file, 1 << 16);
    return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  /**
   * Reads up to {@code buf.length} bytes, fewer only at the end of the stream.
   *
   * @return the bytes read
   */
  static int readFully(InputStream in, byte[] buf) throws IOException {
    int off = 0;
    while (off < buf.length) {
      int k = in.read(buf, off, buf.length - off);
      if (k < 0) {
        break;
      }
      off += k;
    }
    return off;
  }

  /** Reads the records of one split. */
  private static final class Reader extends RecordReader<LongWritable, BytesWritable> {
    private Path file;
    private InputStream in;
    private long header;
    private long next;
    private long end;
    private long first;
    private byte[] buf;
    private final LongWritable key = new LongWritable();
    private final BytesWritable value = new BytesWritable();

    @Override
    public void initialize(InputSplit genericSplit, TaskAttemptContext context)
        throws IOException {
      FileSplit split = (FileSplit) genericSplit;
      Configuration conf = context.getConfiguration();
      file = split.getPath();
      header = conf.getLong(HEADER_BYTES, 0);
      int length = conf.getInt(RECORD_BYTES, -1);
      if (length <= 0) {
        throw new IllegalArgumentException(RECORD_BYTES + " is not set");
      }
      buf = new byte[length];
      long count = conf.getLong(RECORD_COUNT, -1);
      end = count >= 0 ? count : Long.MAX_VALUE;
      if (isGzip(conf, file)) {
        in = open(conf, file);
        in.skipNBytes(header);
        next = 0;
      } else {
        next = recordAt(split.getStart());
        end = Math.min(end, recordAt(split.getStart() + split.getLength()));
        FileSystem fs = file.getFileSystem(conf);
        FSDataInputStream raw = fs.open(file, 1 << 16);
        raw.seek(header + next * length);
        in = new BufferedInputStream(raw, 1 << 16);
      }
      first = next;
    }

    /** Index of the first record starting at or after byte {@code pos}. */
    private long recordAt(long pos) {
      return pos <= header ? 0 : (pos - header + buf.length - 1) / buf.length;
    }

    @Override
    public boolean nextKeyValue() throws IOException {
      if (next >= end) {
        return false;
      }
      int got = readFully(in, buf);
      if (got == 0 && end == Long.MAX_VALUE) {
        return false;
      }
      if (got < buf.length) {
        throw new DataFormatException(file + ": file ends inside record " + next + " (byte "
            + (header + next * buf.length + got) + "): truncated?");
      }
      key.set(next++);
      value.set(buf, 0, buf.length);
      return true;
    }

    @Override
    public LongWritable getCurrentKey() {
      return key;
    }

    @Override
    public BytesWritable getCurrentValue() {
      return value;
    }

    @Override
    public float getProgress() {
      return end == Long.MAX_VALUE || end == first ? 0f
          : (float) (next - first) / (end - first);
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
