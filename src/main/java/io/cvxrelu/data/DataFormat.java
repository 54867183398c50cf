package io.cvxrelu.data;

import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/** The input formats of the jobs' {@code --format}, with {@code auto} chosen by the path. */
public enum DataFormat {
  /** Decided by the training path: see {@link #resolve}. */
  AUTO,
  /** Label first, features after it; an optional header line. */
  CSV,
  /** {@code label index:value ...}, 1-based increasing indices. */
  LIBSVM,
  /** Spark ML's {@code features} vector and numeric {@code label} columns. */
  PARQUET,
  /** CIFAR-10 binary batches; needs two classes. */
  CIFAR10,
  /** IDX images with their label file (MNIST, Fashion-MNIST); needs two classes. */
  IDX;

  /**
   * The format named by a {@code --format} value.
   *
   * @throws IllegalArgumentException for an unknown name (a usage error)
   */
  public static DataFormat of(String name) {
    for (DataFormat f : values()) {
      if (f.name().equalsIgnoreCase(name.strip())) {
        return f;
      }
    }
    throw new IllegalArgumentException("--format must be auto, csv, libsvm, parquet, cifar10 or "
        + "idx, got '" + name + "'");
  }

  /**
   * This format, or for {@link #AUTO} the one the path suggests: Parquet for a {@code .parquet}
   * name or a folder of Parquet parts, LIBSVM for {@code .libsvm}, {@code .svm} or {@code .txt},
   * CSV otherwise.
   */
  public DataFormat resolve(String path, Configuration conf) {
    if (this != AUTO) {
      return this;
    }
    if (ParquetBlocks.looksLikeParquet(conf, path)) {
      return PARQUET;
    }
    return path.toLowerCase(Locale.ROOT).matches(".*\\.(libsvm|svm|txt)$") ? LIBSVM : CSV;
  }

  /** True for the image formats, which select two classes and scale pixels to [0, 1]. */
  public boolean isImage() {
    return this == CIFAR10 || this == IDX;
  }
}
