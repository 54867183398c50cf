package io.cvxrelu.data;

import io.cvxrelu.io.ClassSelection;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.IdxReader;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a job's training and test data on the executors into cached row blocks and fits the
 * preprocessing there: the distributed counterpart of the jobs' driver-side loader, with the
 * same formats, options, rules and numbers, and the driver holding O(d^2) at most.
 *
 * <ul>
 *   <li>CSV and LIBSVM through Hadoop's text input, one partition per split ({@link
 *       TextInput}); Parquet through Spark SQL ({@link ParquetBlocks}); CIFAR-10 and IDX as
 *       fixed-size records ({@link ImageInput}), two classes kept as +1 / -1, pixels / 255.
 *   <li>Standardisation (by default for images), then optionally PCA or a random projection,
 *       fitted on the training blocks ({@link DistributedTransform}) and applied to both parts.
 *   <li>A bad record on any executor fails the read with one {@link DataFormatException} line
 *       naming the file and the record (text: line number and byte offset; binary: record and
 *       byte offset; Parquet: row within the file). A job that catches a Spark failure later
 *       finds that line with {@link #unwrap(Throwable)}.
 * </ul>
 */
public final class DistributedInput {
  private static final Logger LOG = LogManager.getLogger(DistributedInput.class);
  private static final String MARKER = DataFormatException.class.getName() + ": ";

  private DistributedInput() {}

  /**
   * Training and test data on the executors, the transform fitted on the training data (the
   * identity when none was asked for) and a one-line description. Closing releases both.
   */
  public record Loaded(BlockedDataset train, Optional<BlockedDataset> test,
      FeatureTransform transform, String description) implements AutoCloseable {
    @Override
    public void close() {
      train.close();
      test.ifPresent(BlockedDataset::close);
    }
  }

  /**
   * Reads and preprocesses the data a spec names. An {@link DataFormat#AUTO} format is chosen
   * by the training path and used for both parts; LIBSVM test data take the training dimension.
   *
   * @throws IllegalArgumentException for a usage error: classes with a text format, an unknown
   *     or missing class, k outside 1..d
   * @throws DataFormatException for data that cannot be used, in one line
   */
  public static Loaded load(SparkSession spark, DataSpec spec) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    DataFormat format = spec.format().resolve(spec.train(), conf);
    ClassSelection classes = classes(conf, format, spec);
    BlockedDataset train = null;
    BlockedDataset test = null;
    try {
      train = readPart(spark, format, spec, classes, true, spec.numFeatures());
      test = readPart(spark, format, spec, classes, false, train.d());
      if (test != null && test.d() != train.d()) {
        throw new DataFormatException("test data has " + test.d() + " features but training "
            + "data has " + train.d());
      }
      boolean standardise = spec.standardise().resolve(format.isImage());
      FeatureTransform t = standardise || spec.reduction() != FeatureTransform.Reduction.NONE
          ? DistributedTransform.fit(train, standardise, spec.reduction(), spec.dimensions(),
              spec.seed())
          : FeatureTransform.IDENTITY;
      train = DistributedTransform.apply(train, t);
      test = test == null ? null : DistributedTransform.apply(test, t);
      String description = describe(format, spec, classes, standardise);
      LOG.info("data: {}: train n={} d={}{}", description, train.n(), train.d(),
          test == null ? "" : ", test n=" + test.n());
      return new Loaded(train, Optional.ofNullable(test), t, description);
    } catch (RuntimeException e) {
      if (train != null) {
        train.close();
      }
      if (test != null) {
        test.close();
      }
      throw e;
    }
  }

  private static ClassSelection classes(Configuration conf, DataFormat format, DataSpec spec) {
    if (!format.isImage()) {
      if (spec.classes() != null) {
        throw new IllegalArgumentException("--classes applies to --format cifar10 or idx only");
      }
      return null;
    }
    return ClassSelection.parse(spec.classes(), format == DataFormat.CIFAR10
        ? InputFiles.cifarClassNames(conf, spec.train()) : IdxReader.FASHION_CLASS_NAMES);
  }

  /**
   * One part of the data, without preprocessing; null for an absent test part.
   *
   * @param dimension the LIBSVM dimension (0: the largest index)
   */
  private static BlockedDataset readPart(SparkSession spark, DataFormat format, DataSpec spec,
      ClassSelection classes, boolean training, int dimension) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String what = training ? "training data" : "test data";
    String location = training ? spec.train() : spec.test();
    int partitions = spec.partitions();
    int rows = spec.blockRows();
    switch (format) {
      case CIFAR10 -> {
        List<FileStatus> files = InputFiles.cifarFiles(conf, spec.train(), spec.test(), training,
            what);
        return files.isEmpty() ? null : ImageInput.cifar(sc, files, classes, what + " "
            + files.get(0).getPath().getParent(), what, partitions, rows);
      }
      case IDX -> {
        String images = training ? InputFiles.idxImages(conf, location, "train", true, what)
            : location != null ? InputFiles.idxImages(conf, location, "t10k", true, what)
            : InputFiles.isDirectory(conf, spec.train())
                ? InputFiles.idxImages(conf, spec.train(), "t10k", false, what) : null;
        return images == null ? null : ImageInput.idx(sc, images, classes, what + " " + images,
            what, partitions, rows);
      }
      default -> {
        if (location == null) {
          return null;
        }
        String source = what + " " + location;
        return switch (format) {
          case PARQUET -> ParquetBlocks.read(spark, location, source, rows);
          case LIBSVM -> TextInput.libsvm(sc, InputFiles.list(conf, location, what), source,
              dimension, partitions, rows);
          default -> TextInput.csv(sc, InputFiles.list(conf, location, what), source,
              partitions, rows);
        };
      }
    }
  }

  private static String describe(DataFormat format, DataSpec spec, ClassSelection classes,
      boolean standardised) {
    String base = format == DataFormat.CIFAR10 ? "CIFAR-10 " + classes.describe()
        : format == DataFormat.IDX ? "IDX " + classes.describe() : spec.train();
    FeatureTransform.Reduction r = spec.reduction();
    return base + (standardised ? ", standardised" : "")
        + (r == FeatureTransform.Reduction.NONE ? ""
            : ", " + r.name().toLowerCase(Locale.ROOT) + " to " + spec.dimensions() + " dims");
  }

  /**
   * The feature vectors and labels of a Spark ML data set as row blocks on the executors
   * (Spark ML's estimators training over row blocks); the rows never reach the driver.
   *
   * @param blockRows rows per block
   * @throws DataFormatException for a null, non-finite or wrongly sized row, or no rows
   */
  public static BlockedDataset fromDataset(Dataset<?> data, String featuresCol,
      String labelCol, String source, int blockRows) {
    try {
      return ParquetBlocks.fromDataset(data, featuresCol, labelCol, source, blockRows);
    } catch (Exception e) {
      Optional<DataFormatException> bad = unwrap(e);
      if (bad.isPresent()) {
        throw bad.get();
      }
      throw e;
    }
  }

  /**
   * The {@link DataFormatException} behind a failure, if any: itself, one in its cause chain
   * (Spark wraps an executor's exception in a {@code SparkException} and keeps it as the cause
   * when it could be deserialised), or, when only the remote failure's text survived, an
   * exception carrying the one line Spark quoted after the class name.
   */
  public static Optional<DataFormatException> unwrap(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof DataFormatException d) {
        return Optional.of(d);
      }
    }
    seen.clear();
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      String m = t.getMessage();
      int at = m == null ? -1 : m.indexOf(MARKER);
      if (at >= 0) {
        String rest = m.substring(at + MARKER.length());
        int end = rest.indexOf('\n');
        return Optional.of(new DataFormatException((end < 0 ? rest : rest.substring(0, end))
            .strip()));
      }
    }
    return Optional.empty();
  }

  /**
   * Throws the data error behind a failure, if there is one. Callers catch {@code Exception}
   * (Scala throws the checked {@code SparkException} undeclared) and rethrow it after this.
   */
  static void throwIfDataError(Exception failure) {
    Optional<DataFormatException> d = unwrap(failure);
    if (d.isPresent()) {
      throw d.get();
    }
  }
}
