package io.cvxrelu.data;

import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.InputFormat;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The driver's part of reading: which files an input names, their sizes, and the Hadoop input
 * that splits them for the executors. The driver touches metadata and, for the binary formats,
 * a header of a few bytes; never the records.
 */
final class InputFiles {
  private InputFiles() {}

  /**
   * The files a location names, sorted by path: the file itself, the visible files of a folder
   * (names not starting with {@code _} or {@code .}, as Hadoop and Spark skip them), or the
   * matches of a glob.
   */
  static List<FileStatus> list(Configuration conf, String location, String what) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus[] matched = fs.globStatus(p);
      if (matched == null || matched.length == 0) {
        throw new DataFormatException(what + " not found: " + location);
      }
      List<FileStatus> files = new ArrayList<>();
      for (FileStatus st : matched) {
        if (st.isDirectory()) {
          Arrays.stream(fs.listStatus(st.getPath()))
              .filter(c -> c.isFile() && visible(c.getPath().getName()))
              .forEach(files::add);
        } else {
          files.add(st);
        }
      }
      if (files.isEmpty()) {
        throw new DataFormatException(what + ": no file in " + location);
      }
      files.sort(Comparator.comparing(st -> st.getPath().toString()));
      return files;
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + what + " " + location + ": "
          + e.getMessage());
    }
  }

  private static boolean visible(String name) {
    return !name.startsWith("_") && !name.startsWith(".");
  }

  /** True when the location exists and is a folder. */
  static boolean isDirectory(Configuration conf, String location) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(conf);
      return fs.exists(p) && fs.getFileStatus(p).isDirectory();
    } catch (IOException e) {
      throw new DataFormatException("cannot access " + location + ": " + e.getMessage());
    }
  }

  /** True when the location exists. */
  static boolean exists(Configuration conf, String location) {
    try {
      Path p = new Path(location);
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new DataFormatException("cannot access " + location + ": " + e.getMessage());
    }
  }

  /** CIFAR-10 class names: the folder's {@code batches.meta.txt} if present, else the standard. */
  static List<String> cifarClassNames(Configuration conf, String train) {
    String meta = child(train, Cifar10Reader.META_FILE);
    if (!isDirectory(conf, train) || !exists(conf, meta)) {
      return Cifar10Reader.CLASS_NAMES;
    }
    Path p = new Path(meta);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        p.getFileSystem(conf).open(p), StandardCharsets.UTF_8))) {
      return Cifar10Reader.readClassNames(r, meta);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + meta + ": " + e.getMessage());
    }
  }

  /**
   * CIFAR-10 batch files of one part: for training, every {@code data_batch_*.bin} of a folder
   * or the file named; for test, {@code test_batch.bin} of the test folder, or the test file,
   * or by default the training folder's {@code test_batch.bin} when present. Empty when there
   * is no test part.
   */
  static List<FileStatus> cifarFiles(Configuration conf, String train, String test,
      boolean training, String what) {
    if (training) {
      if (!isDirectory(conf, train)) {
        return list(conf, train, what);
      }
      List<FileStatus> batches = list(conf, train, what).stream()
          .filter(st -> st.getPath().getName().matches(Cifar10Reader.TRAIN_PATTERN)).toList();
      if (batches.isEmpty()) {
        throw new DataFormatException("no data_batch_*.bin file in " + train);
      }
      return batches;
    }
    if (test != null) {
      return list(conf, isDirectory(conf, test) ? child(test, Cifar10Reader.TEST_FILE) : test,
          what);
    }
    String beside = child(train, Cifar10Reader.TEST_FILE);
    return isDirectory(conf, train) && exists(conf, beside) ? list(conf, beside, what)
        : List.of();
  }

  /**
   * The images file of an IDX part: in a folder {@code <prefix>-images-idx3-ubyte[.gz]}
   * ({@code train} or {@code t10k}), otherwise the path itself; null when optional and absent.
   * Its labels file has {@code labels-idx1} for {@code images-idx3} in its name.
   */
  static String idxImages(Configuration conf, String location, String prefix, boolean required,
      String what) {
    String images = null;
    if (!isDirectory(conf, location)) {
      images = location;
    } else {
      for (String name : List.of(prefix + "-images-idx3-ubyte.gz",
          prefix + "-images-idx3-ubyte")) {
        String f = child(location, name);
        if (images == null && exists(conf, f)) {
          images = f;
        }
      }
      if (images == null && required) {
        throw new DataFormatException("no " + prefix + "-images-idx3-ubyte[.gz] in " + location);
      }
    }
    if (images != null && !images.contains("images-idx3")) {
      throw new DataFormatException(what + " " + images + ": an IDX images file name contains "
          + "'images-idx3' (its labels file has 'labels-idx1' instead)");
    }
    return images;
  }

  /** {@code folder/name} as a path string. */
  static String child(String folder, String name) {
    return new Path(new Path(folder), name).toString();
  }

  /**
   * The files read by an input format on the executors, one partition per split, in the order
   * of {@code files} and of the offsets within each file. With {@code partitions > 0} splits
   * are at most total size / partitions bytes, so there are at least that many partitions
   * (unsplittable files, such as gzip, stay whole).
   *
   * @param settings extra configuration for the input format (copied)
   */
  @SuppressWarnings("unchecked")
  static <K, V> JavaNewHadoopRDD<K, V> hadoopInput(JavaSparkContext sc, List<FileStatus> files,
      int partitions, Class<? extends InputFormat<K, V>> format, Class<K> key, Class<V> value,
      Configuration settings) {
    try {
      Job job = Job.getInstance(settings);
      FileInputFormat.setInputPaths(job, files.stream().map(FileStatus::getPath)
          .toArray(Path[]::new));
      if (partitions > 0) {
        long total = files.stream().mapToLong(FileStatus::getLen).sum();
        FileInputFormat.setMaxInputSplitSize(job, Math.max(1, (total + partitions - 1)
            / partitions));
      }
      return (JavaNewHadoopRDD<K, V>) sc.newAPIHadoopRDD(job.getConfiguration(), format, key,
          value);
    } catch (IOException e) {
      throw new DataFormatException("cannot set up the input " + files.get(0).getPath() + ": "
          + e.getMessage());
    }
  }

  /** The Spark context's Hadoop configuration, broadcast for the executors' own file reads. */
  static Broadcast<SerializableWritable<Configuration>> broadcastConf(JavaSparkContext sc) {
    return sc.broadcast(new SerializableWritable<>(sc.hadoopConfiguration()));
  }
}
