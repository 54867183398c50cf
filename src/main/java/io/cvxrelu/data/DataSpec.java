package io.cvxrelu.data;

import io.cvxrelu.io.FeatureTransform;

/**
 * What a job asks to read: the jobs' data options ({@code --train --test --format --classes
 * --standardize --pca --random-projection --seed}, plus {@code --num-features} for LIBSVM) and
 * how to lay the rows out on the executors.
 *
 * @param format the input format ({@link DataFormat#AUTO}: by the training path)
 * @param train training data: a file, a folder of part files or a glob (for CIFAR-10 the
 *     batches folder or one batch file; for IDX a folder or an images file)
 * @param test test data in the same format, or null for none (CIFAR-10 and IDX folders
 *     provide their own test files)
 * @param classes two classes for the image formats, by name or index, positive first; null
 *     for the text formats
 * @param standardise whether features are standardised with training statistics
 * @param reduction what the (standardised) features are reduced with
 * @param dimensions the reduced dimension k (ignored without a reduction)
 * @param seed the random projection's seed
 * @param numFeatures LIBSVM dimension, an index above it being a record error; 0 to take the
 *     largest index of the training data
 * @param partitions at least this many input splits (0: the file system's block size decides)
 * @param blockRows rows per block
 */
public record DataSpec(DataFormat format, String train, String test, String classes,
    Standardise standardise, FeatureTransform.Reduction reduction, int dimensions, long seed,
    int numFeatures, int partitions, int blockRows) {

  /** Rows per block by default, as the solvers' {@code DistributedData.DEFAULT_BLOCK_ROWS}. */
  public static final int DEFAULT_BLOCK_ROWS = 4096;

  /** {@code --standardize auto|true|false}; auto standardises the image formats only. */
  public enum Standardise {
    AUTO, TRUE, FALSE;

    /** Whether to standardise data of the given kind. */
    public boolean resolve(boolean image) {
      return this == TRUE || this == AUTO && image;
    }
  }

  public DataSpec {
    if (format == null || train == null || standardise == null || reduction == null) {
      throw new IllegalArgumentException("a data spec needs a format, a training path, a "
          + "standardisation choice and a reduction");
    }
    if (reduction != FeatureTransform.Reduction.NONE && dimensions < 1) {
      throw new IllegalArgumentException("a reduction needs k >= 1 dimensions, got "
          + dimensions);
    }
    if (numFeatures < 0 || partitions < 0 || blockRows < 1) {
      throw new IllegalArgumentException("--num-features and partitions must be >= 0 and block "
          + "rows >= 1");
    }
  }

  /** Training data at {@code train}, format by its name, nothing else. */
  public static DataSpec of(String train) {
    return new DataSpec(DataFormat.AUTO, train, null, null, Standardise.AUTO,
        FeatureTransform.Reduction.NONE, 0, 0L, 0, 0, DEFAULT_BLOCK_ROWS);
  }

  public DataSpec withFormat(DataFormat f) {
    return new DataSpec(f, train, test, classes, standardise, reduction, dimensions, seed,
        numFeatures, partitions, blockRows);
  }

  public DataSpec withTest(String t) {
    return new DataSpec(format, train, t, classes, standardise, reduction, dimensions, seed,
        numFeatures, partitions, blockRows);
  }

  public DataSpec withClasses(String c) {
    return new DataSpec(format, train, test, c, standardise, reduction, dimensions, seed,
        numFeatures, partitions, blockRows);
  }

  public DataSpec withStandardise(Standardise s) {
    return new DataSpec(format, train, test, classes, s, reduction, dimensions, seed,
        numFeatures, partitions, blockRows);
  }

  /** Reduces to {@code k} dimensions by {@code r} (the seed drives a random projection). */
  public DataSpec withReduction(FeatureTransform.Reduction r, int k, long s) {
    return new DataSpec(format, train, test, classes, standardise, r, k, s, numFeatures,
        partitions, blockRows);
  }

  public DataSpec withNumFeatures(int d) {
    return new DataSpec(format, train, test, classes, standardise, reduction, dimensions, seed,
        d, partitions, blockRows);
  }

  /** Lays the rows out in at least {@code p} partitions of {@code rows}-row blocks. */
  public DataSpec withLayout(int p, int rows) {
    return new DataSpec(format, train, test, classes, standardise, reduction, dimensions, seed,
        numFeatures, p, rows);
  }
}
