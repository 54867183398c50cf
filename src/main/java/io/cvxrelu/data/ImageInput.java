package io.cvxrelu.data;

import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.DataFormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.spark.SerializableWritable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.TaskCompletionListener;
import scala.Tuple2;

/**
 * The image formats read on the executors as fixed-size records ({@link
 * FixedRecordInputFormat}): CIFAR-10 binary batches (Krizhevsky 2009) and IDX image files with
 * their label files (MNIST, Fashion-MNIST). Only the two selected classes are kept, labelled +1
 * and -1, with pixels / 255 as features, exactly as {@code io.ImageSet} makes them. The driver
 * reads file sizes and the IDX headers (16 and 8 bytes); the executors read the records and
 * report a bad one by file and byte offset.
 */
final class ImageInput {
  private static final int IDX_UNSIGNED_BYTE = 0x08;

  private ImageInput() {}

  /** Reads CIFAR-10 batch files, keeping the two selected classes. */
  static BlockedDataset cifar(JavaSparkContext sc, List<FileStatus> files, ClassSelection classes,
      String source, String what, int partitions, int blockRows) {
    for (FileStatus st : files) {
      long length = st.getLen();
      if (length == 0 || length % Cifar10Reader.RECORD_BYTES != 0) {
        throw new DataFormatException(st.getPath() + ": size " + length + " bytes is not a "
            + "positive multiple of the CIFAR-10 record size " + Cifar10Reader.RECORD_BYTES
            + " (1 label + 3072 pixels)");
      }
    }
    Configuration settings = new Configuration(sc.hadoopConfiguration());
    settings.setInt(FixedRecordInputFormat.RECORD_BYTES, Cifar10Reader.RECORD_BYTES);
    int positive = classes.labels()[0];
    int negative = classes.labels()[1];
    int pixels = Cifar10Reader.IMAGE_BYTES;
    JavaRDD<LabeledBlock> blocks = records(sc, files, partitions, settings)
        .mapPartitionsWithInputSplit((split, it) -> new Blocking<>(it,
            cifarReader(((FileSplit) split).getPath(), positive, negative), pixels, blockRows,
            TaskContext.getPartitionId()), true);
    return bothClasses(BlockedDataset.materialise(blocks, pixels, source, List.of()), classes,
        what);
  }

  private static Blocking.RowReader<Tuple2<LongWritable, BytesWritable>> cifarReader(Path file,
      int positive, int negative) {
    return (record, row) -> {
      byte[] b = record._2().getBytes();
      int label = b[0] & 0xff;
      if (label > 9) {
        long r = record._1().get();
        throw new DataFormatException(file + ": record " + r + " (byte "
            + r * Cifar10Reader.RECORD_BYTES + ") has label byte " + label
            + " (CIFAR-10 labels are 0-9)");
      }
      return pixelsRow(label, positive, negative, b, 1, row);
    };
  }

  /** Sets the row to the image's pixels / 255 and its +-1 target; false for another class. */
  private static boolean pixelsRow(int label, int positive, int negative, byte[] bytes, int from,
      Blocking.Row row) {
    if (label != positive && label != negative) {
      return false;
    }
    row.y = label == positive ? 1.0 : -1.0;
    for (int j = 0; j < row.x.length; j++) {
      row.x[j] = (bytes[from + j] & 0xff) / 255.0;
    }
    return true;
  }

  /**
   * Reads an IDX images file ({@code ...images-idx3-ubyte[.gz]}) with its labels file (the
   * same name with {@code labels-idx1}), keeping the two selected classes.
   */
  static BlockedDataset idx(JavaSparkContext sc, String images, ClassSelection classes,
      String source, String what, int partitions, int blockRows) {
    Configuration conf = sc.hadoopConfiguration();
    String labels = images.replace("images-idx3", "labels-idx1");
    int[] imageDims = idxHeader(conf, images, 3);
    int[] labelDims = idxHeader(conf, labels, 1);
    if (imageDims[0] != labelDims[0]) {
      throw new DataFormatException(images + ": " + imageDims[0] + " images but the label file "
          + "has " + labelDims[0] + " labels");
    }
    int pixels = imageDims[1] * imageDims[2];
    FileStatus file = InputFiles.list(conf, images, what).get(0);
    FileStatus labelFile = InputFiles.list(conf, labels, what + " labels").get(0);
    checkIdxLength(conf, file, 16 + (long) imageDims[0] * pixels);
    checkIdxLength(conf, labelFile, 8 + (long) labelDims[0]);
    String labelPath = labelFile.getPath().toString();
    Configuration settings = new Configuration(conf);
    settings.setLong(FixedRecordInputFormat.HEADER_BYTES, 16);
    settings.setInt(FixedRecordInputFormat.RECORD_BYTES, pixels);
    settings.setLong(FixedRecordInputFormat.RECORD_COUNT, imageDims[0]);
    Broadcast<SerializableWritable<Configuration>> shared = InputFiles.broadcastConf(sc);
    int positive = classes.labels()[0];
    int negative = classes.labels()[1];
    JavaRDD<LabeledBlock> blocks = records(sc, List.of(file), partitions, settings)
        .mapPartitionsWithInputSplit((split, it) -> {
          IdxLabels reader = new IdxLabels(new Path(labelPath), shared.value().value(), positive,
              negative);
          TaskContext.get().addTaskCompletionListener(
              (TaskCompletionListener) context -> reader.close());
          return new Blocking<>(it, reader, pixels, blockRows, TaskContext.getPartitionId());
        }, true);
    return bothClasses(BlockedDataset.materialise(blocks, pixels, source, List.of(shared)),
        classes, what);
  }

  private static JavaNewHadoopRDD<LongWritable, BytesWritable> records(JavaSparkContext sc,
      List<FileStatus> files, int partitions, Configuration settings) {
    return InputFiles.hadoopInput(sc, files, partitions, FixedRecordInputFormat.class,
        LongWritable.class, BytesWritable.class, settings);
  }

  /**
   * The dimensions in an IDX header, checked as {@code io.IdxReader} checks them: two zero
   * bytes, type unsigned byte, {@code expected} dimensions, each positive.
   */
  static int[] idxHeader(Configuration conf, String location, int expected) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        FixedRecordInputFormat.open(conf, new Path(location)), 64))) {
      int magic = in.readInt();
      String problem = (magic >>> 16) != 0 ? "not an IDX file (magic 0x"
          + Integer.toHexString(magic) + ")"
          : ((magic >>> 8) & 0xff) != IDX_UNSIGNED_BYTE ? "IDX data type 0x"
              + Integer.toHexString((magic >>> 8) & 0xff) + ", only unsigned bytes (0x08) are "
              + "supported"
          : (magic & 0xff) != expected ? "IDX file has " + (magic & 0xff) + " dimensions, "
              + "expected " + expected + (expected == 1 ? " (labels)" : " (images)")
          : null;
      if (problem != null) {
        throw new DataFormatException(location + ": " + problem);
      }
      int[] dims = new int[expected];
      for (int k = 0; k < expected; k++) {
        dims[k] = in.readInt();
        if (dims[k] <= 0) {
          throw new DataFormatException(location + ": IDX dimension " + k + " is " + dims[k]);
        }
      }
      return dims;
    } catch (EOFException e) {
      throw new DataFormatException(location + ": file ends inside the IDX header");
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + location + ": " + e.getMessage());
    }
  }

  /** An uncompressed IDX file must hold what its header declares (gzip is checked as read). */
  private static void checkIdxLength(Configuration conf, FileStatus st, long declared) {
    try {
      if (!FixedRecordInputFormat.isGzip(conf, st.getPath()) && st.getLen() < declared) {
        throw new DataFormatException(st.getPath() + ": file ends before the size its header "
            + "declares (" + st.getLen() + " of " + declared + " bytes)");
      }
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + st.getPath() + ": " + e.getMessage());
    }
  }

  /** Fails, as {@code io.ImageSet} does, when either selected class has no image. */
  private static BlockedDataset bothClasses(BlockedDataset data, ClassSelection classes,
      String what) {
    long positives = data.blocks().map(b -> {
      long k = 0;
      for (double t : b.y()) {
        k += t > 0 ? 1 : 0;
      }
      return k;
    }).fold(0L, Long::sum);
    long[] perClass = {positives, data.n() - positives};
    for (int k = 0; k < 2; k++) {
      if (perClass[k] == 0) {
        data.close();
        throw new DataFormatException(what + " has no image of class '" + classes.names()[k]
            + "' (" + perClass[1 - k] + " of '" + classes.names()[1 - k] + "'): a binary task "
            + "needs both classes");
      }
    }
    return data;
  }

  /**
   * Pairs each image record of a split with its byte in the labels file, which is read in step
   * from the split's first record (seeking when plain, decompressing when gzip).
   */
  private static final class IdxLabels
      implements Blocking.RowReader<Tuple2<LongWritable, BytesWritable>> {
    private final Path file;
    private final Configuration conf;
    private final int positive;
    private final int negative;
    private InputStream in;
    private long next = -1;

    IdxLabels(Path file, Configuration conf, int positive, int negative) {
      this.file = file;
      this.conf = conf;
      this.positive = positive;
      this.negative = negative;
    }

    @Override
    public boolean read(Tuple2<LongWritable, BytesWritable> record, Blocking.Row row) {
      long index = record._1().get();
      int label;
      try {
        if (index != next) {
          close();
          in = new BufferedInputStream(FixedRecordInputFormat.open(conf, file), 1 << 16);
          in.skipNBytes(8 + index);
        }
        label = in.read();
      } catch (EOFException e) {
        label = -1;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
      if (label < 0) {
        throw new DataFormatException(file + ": file ends before label " + index
            + " (byte " + (8 + index) + "), before the size its header declares");
      }
      next = index + 1;
      return pixelsRow(label, positive, negative, record._2().getBytes(), 0, row);
    }

    void close() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // the labels were read; a failed close loses nothing
        }
        in = null;
      }
    }
  }
}
