package io.cvxrelu.job;

import io.cvxrelu.data.DataFormat;
import io.cvxrelu.data.DataSpec;
import io.cvxrelu.io.Cifar10Reader;
import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.IdxReader;
import io.cvxrelu.io.ImageSet;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.TextDataReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a job's training and test data in any supported format and preprocesses them: the
 * one place the jobs turn {@code --train/--test/--format/--classes/...} into matrices.
 *
 * <ul>
 *   <li>{@code csv}, {@code libsvm} (or {@code auto}, by file name): labels as in the file.
 *   <li>{@code cifar10}: {@code --train} is the {@code cifar-10-batches-bin} folder (training
 *       from every {@code data_batch_*.bin}, test from {@code test_batch.bin} unless
 *       {@code --test} names a file or folder) or a single batch file.
 *   <li>{@code idx}: {@code --train} is a folder with {@code train-images-idx3-ubyte[.gz]} and
 *       {@code train-labels-idx1-ubyte[.gz]} (test from {@code t10k-*} there) or an images
 *       file whose labels file has {@code labels-idx1} for {@code images-idx3} in its name.
 * </ul>
 *
 * <p>Image formats need {@code --classes A,B} (first class +1, second -1) and scale pixels to
 * [0, 1]; then (by default for images, on request for text formats) every feature is
 * standardised with training statistics, and optionally reduced by PCA or a random projection
 * fitted on the training data. The bias column is left to the jobs ({@code --bias}).
 */
final class DataLoader {
  private static final Logger LOG = LogManager.getLogger(DataLoader.class);

  /**
   * Training data, test data (null when none), a one-line description and the preprocessing
   * fitted on the training rows (the identity when none was asked for).
   */
  record Loaded(LabeledData train, LabeledData test, String description,
      FeatureTransform transform) {
    Loaded(LabeledData train, LabeledData test, String description) {
      this(train, test, description, FeatureTransform.IDENTITY);
    }
  }

  private DataLoader() {}

  /** Declares the data options shared by the jobs. */
  static JobOptions declareOptions(JobOptions opts) {
    return opts
        .option("train", null, "training data: CSV (label first), LIBSVM, Parquet, CIFAR-10 "
            + "batches folder or IDX folder/file")
        .option("test", null, "test data in the same format (optional; for cifar10/idx the "
            + "folder's test files by default)")
        .option("format", "auto", "auto|csv|libsvm|parquet|cifar10|idx (auto: .libsvm/.svm/.txt"
            + " are LIBSVM, .parquet or a folder of Parquet parts is Parquet with 'features' and"
            + " 'label' columns, else CSV)")
        .option("classes", null, "two classes for cifar10/idx, by name or index, positive "
            + "first (e.g. airplane,automobile); compare.sh and train-multiclass.sh also take "
            + "'all' or a list of more")
        .option("standardize", "auto", "auto|true|false: standardise features with training "
            + "statistics (auto: for cifar10/idx)")
        .option("pca", null, "reduce the (standardised) features to K principal components")
        .option("random-projection", null, "reduce the features to K dimensions by a Gaussian "
            + "random projection (seeded by --seed)");
  }

  /** Reads and preprocesses the data named by the options. */
  static Loaded load(SparkSession spark, HadoopIo io, JobOptions opts) {
    String format = opts.get("format").toLowerCase(Locale.ROOT);
    boolean image = format.equals("cifar10") || format.equals("idx");
    if (!image && !List.of("auto", "csv", "libsvm", "parquet").contains(format)) {
      throw new UsageException("--format must be auto, csv, libsvm, parquet, cifar10 or idx, got '"
          + format + "'");
    }
    if (!image && opts.get("classes") != null) {
      throw new UsageException("--classes applies to --format cifar10 or idx only");
    }
    boolean standardise = switch (opts.get("standardize").toLowerCase(Locale.ROOT)) {
      case "auto" -> image;
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException("--standardize must be auto, true or false, got '"
          + opts.get("standardize") + "'");
    };
    Reduction reduction = Reduction.of(opts);
    Loaded raw = read(spark, io, opts, format);
    if (raw.test() != null && raw.test().d() != raw.train().d()) {
      throw new DataFormatException("test data has " + raw.test().d() + " features but "
          + "training data has " + raw.train().d());
    }
    Loaded data = standardise || reduction.kind() != FeatureTransform.Reduction.NONE
        ? transformed(raw, standardise, reduction, opts.anyLong("seed")) : raw;
    LOG.info("data: {}: train n={} d={}{}", data.description(), data.train().n(),
        data.train().d(), data.test() == null ? "" : ", test n=" + data.test().n());
    return data;
  }

  /**
   * The data options as a spec for reading on the executors ({@code data.DistributedInput}),
   * laid out over at least {@code partitions} splits of the distributed solvers' block size.
   */
  static DataSpec spec(JobOptions opts, int partitions) {
    try {
      Reduction reduction = Reduction.of(opts);
      return DataSpec.builder(DataFormat.of(opts.get("format")), opts.require("train"),
              opts.get("test"))
          .classes(opts.get("classes"))
          .standardise(DataSpec.Standardise.of(opts.get("standardize")))
          .reduction(reduction.kind(), reduction.dimensions(), opts.anyLong("seed"))
          .layout(partitions, DataSpec.DEFAULT_BLOCK_ROWS)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** --pca K or --random-projection K (at most one), or none. */
  private record Reduction(FeatureTransform.Reduction kind, int dimensions) {
    static Reduction of(JobOptions opts) {
      if (opts.get("pca") != null && opts.get("random-projection") != null) {
        throw new UsageException("--pca and --random-projection exclude each other");
      } else if (opts.get("pca") != null) {
        return new Reduction(FeatureTransform.Reduction.PCA,
            (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("pca")));
      } else if (opts.get("random-projection") != null) {
        return new Reduction(FeatureTransform.Reduction.RANDOM,
            (int) Math.min(Integer.MAX_VALUE, opts.positiveLong("random-projection")));
      }
      return new Reduction(FeatureTransform.Reduction.NONE, 0);
    }
  }

  /** The training and test data as stored, in {@code format}. */
  private static Loaded read(SparkSession spark, HadoopIo io, JobOptions opts, String format) {
    String trainPath = opts.require("train");
    String testPath = opts.get("test");
    if (format.equals("cifar10")) {
      ClassSelection classes = classes(opts, cifarClassNames(io, trainPath));
      LabeledData train = readCifar(io, cifarTrainFiles(io, trainPath), classes,
          "training data");
      String testFile = cifarTestFile(io, trainPath, testPath);
      return new Loaded(train, testFile == null ? null
          : readCifar(io, List.of(testFile), classes, "test data"),
          "CIFAR-10 " + classes.describe());
    } else if (format.equals("idx")) {
      ClassSelection classes = classes(opts, IdxReader.FASHION_CLASS_NAMES);
      LabeledData train = readIdx(io, idxImages(io, trainPath, "train", true), classes,
          "training data");
      String testImages = testPath != null ? idxImages(io, testPath, "t10k", true)
          : io.isDirectory(trainPath) ? idxImages(io, trainPath, "t10k", false) : null;
      return new Loaded(train, testImages == null ? null
          : readIdx(io, testImages, classes, "test data"), "IDX " + classes.describe());
    } else if (format.equals("parquet") || format.equals("auto")
        && ParquetInput.looksLikeParquet(trainPath, spark.sparkContext().hadoopConfiguration())) {
      LabeledData train = ParquetInput.read(spark, trainPath, "training data");
      return new Loaded(train, testPath == null ? null
          : ParquetInput.read(spark, testPath, "test data"), trainPath);
    }
    LabeledData train = readText(io, trainPath, format, 0, "training data");
    return new Loaded(train, testPath == null ? null
        : readText(io, testPath, format, train.d(), "test data"), trainPath);
  }

  /** Standardised and/or reduced with statistics of the training data. */
  private static Loaded transformed(Loaded raw, boolean standardise, Reduction reduction,
      long seed) {
    FeatureTransform t;
    try {
      t = FeatureTransform.fit(raw.train().x(), standardise, reduction.kind(),
          reduction.dimensions(), seed);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String description = raw.description() + (standardise ? ", standardised" : "")
        + (reduction.kind() == FeatureTransform.Reduction.NONE ? ""
            : ", " + reduction.kind().name().toLowerCase(Locale.ROOT) + " to "
                + reduction.dimensions() + " dims");
    return new Loaded(t.apply(raw.train()), raw.test() == null ? null : t.apply(raw.test()),
        description, t);
  }

  private static ClassSelection classes(JobOptions opts, List<String> names) {
    try {
      return ClassSelection.parse(opts.get("classes"), names);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static LabeledData readText(HadoopIo io, String path, String format, int minFeatures,
      String what) {
    boolean libsvm = format.equals("libsvm") || format.equals("auto")
        && path.matches("(?i).*\\.(libsvm|svm|txt)$");
    try (BufferedReader r = io.open(path, what)) {
      return libsvm ? TextDataReader.readLibsvm(r, path, minFeatures)
          : TextDataReader.readCsv(r, path);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + what + " " + path + ": " + e.getMessage());
    }
  }

  private static List<String> cifarClassNames(HadoopIo io, String trainPath) {
    if (!io.isDirectory(trainPath)) {
      return Cifar10Reader.CLASS_NAMES;
    }
    String meta = HadoopIo.child(trainPath, Cifar10Reader.META_FILE);
    if (!io.exists(meta)) {
      return Cifar10Reader.CLASS_NAMES;
    }
    try (BufferedReader r = io.open(meta, "CIFAR-10 class names")) {
      return Cifar10Reader.readClassNames(r, meta);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + meta + ": " + e.getMessage());
    }
  }

  private static List<String> cifarTrainFiles(HadoopIo io, String trainPath) {
    if (!io.isDirectory(trainPath)) {
      return List.of(trainPath);
    }
    List<String> files = io.listFiles(trainPath, Cifar10Reader.TRAIN_PATTERN);
    if (files.isEmpty()) {
      throw new DataFormatException("no data_batch_*.bin file in " + trainPath);
    }
    return files;
  }

  private static String cifarTestFile(HadoopIo io, String trainPath, String testPath) {
    if (testPath != null) {
      return io.isDirectory(testPath) ? HadoopIo.child(testPath, Cifar10Reader.TEST_FILE)
          : testPath;
    }
    if (io.isDirectory(trainPath)) {
      String f = HadoopIo.child(trainPath, Cifar10Reader.TEST_FILE);
      return io.exists(f) ? f : null;
    }
    return null;
  }

  static LabeledData readCifar(HadoopIo io, List<String> files, ClassSelection classes,
      String what) {
    ImageSet set = new ImageSet(classes, Cifar10Reader.IMAGE_BYTES);
    for (String f : files) {
      HadoopIo.BinaryInput in = io.openBinary(f, what);
      try (InputStream s = in.stream()) {
        Cifar10Reader.read(s, in.length(), f, set);
      } catch (IOException e) {
        throw new DataFormatException("cannot read " + what + " " + f + ": " + e.getMessage());
      }
    }
    return set.toLabeledData(what);
  }

  /**
   * The images file of an IDX split: in a folder, {@code <prefix>-images-idx3-ubyte[.gz]};
   * otherwise the path itself. Null when optional and absent.
   */
  private static String idxImages(HadoopIo io, String path, String prefix, boolean required) {
    if (!io.isDirectory(path)) {
      return path;
    }
    for (String name : List.of(prefix + "-images-idx3-ubyte.gz", prefix + "-images-idx3-ubyte")) {
      String f = HadoopIo.child(path, name);
      if (io.exists(f)) {
        return f;
      }
    }
    if (required) {
      throw new DataFormatException("no " + prefix + "-images-idx3-ubyte[.gz] in " + path);
    }
    return null;
  }

  static LabeledData readIdx(HadoopIo io, String images, ClassSelection classes,
      String what) {
    if (!images.contains("images-idx3")) {
      throw new DataFormatException(what + " " + images + ": an IDX images file name contains "
          + "'images-idx3' (its labels file has 'labels-idx1' instead)");
    }
    String labelsFile = images.replace("images-idx3", "labels-idx1");
    byte[] labels;
    HadoopIo.BinaryInput li = io.openBinary(labelsFile, what + " labels");
    try (InputStream s = li.stream()) {
      labels = IdxReader.readLabels(s, labelsFile);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + labelsFile + ": " + e.getMessage());
    }
    int pixels;
    HadoopIo.BinaryInput hi = io.openBinary(images, what);
    try (InputStream s = hi.stream()) {
      pixels = IdxReader.imagePixels(s, images);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + images + ": " + e.getMessage());
    }
    ImageSet set = new ImageSet(classes, pixels);
    HadoopIo.BinaryInput ii = io.openBinary(images, what);
    try (InputStream s = ii.stream()) {
      IdxReader.readImages(s, images, labels, set);
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + images + ": " + e.getMessage());
    }
    return set.toLabeledData(what);
  }
}
