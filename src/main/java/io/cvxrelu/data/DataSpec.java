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
 * @param partitions at least this many input splits for the text and binary formats (0: the
 *     file system's block size decides); Parquet keeps Spark SQL's file splits
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

    /**
     * The value of {@code --standardize}.
     *
     * @throws IllegalArgumentException for another value (a usage error)
     */
    public static Standardise of(String value) {
      for (Standardise s : values()) {
        if (s.name().equalsIgnoreCase(value.strip())) {
          return s;
        }
      }
      throw new IllegalArgumentException("--standardize must be auto, true or false, got '"
          + value + "'");
    }

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

  /**
   * A spec for training data at {@code train} and test data at {@code test} (null: none) in
   * {@code format}; the other options keep the jobs' defaults until set.
   */
  public static Builder builder(DataFormat format, String train, String test) {
    return new Builder(format, train, test);
  }

  /** Sets a spec's options one by one; unset ones keep the jobs' defaults. */
  public static final class Builder {
    private final DataFormat format;
    private final String train;
    private final String test;
    private String classes;
    private Standardise standardise = Standardise.AUTO;
    private FeatureTransform.Reduction reduction = FeatureTransform.Reduction.NONE;
    private int dimensions;
    private long seed;
    private int numFeatures;
    private int partitions;
    private int blockRows = DEFAULT_BLOCK_ROWS;

    private Builder(DataFormat format, String train, String test) {
      this.format = format;
      this.train = train;
      this.test = test;
    }

    /** Two classes for the image formats, positive first (null: none). */
    public Builder classes(String spec) {
      classes = spec;
      return this;
    }

    /** Reduces to {@code k} dimensions by {@code r} (the seed drives a random projection). */
    public Builder reduction(FeatureTransform.Reduction r, int k, long projectionSeed) {
      reduction = r;
      dimensions = k;
      seed = projectionSeed;
      return this;
    }

    public Builder standardise(Standardise s) {
      standardise = s;
      return this;
    }

    /** At least {@code p} partitions (0: by block size) of {@code rows}-row blocks. */
    public Builder layout(int p, int rows) {
      partitions = p;
      blockRows = rows;
      return this;
    }

    /** The LIBSVM dimension (0: the largest index). */
    public Builder numFeatures(int d) {
      numFeatures = d;
      return this;
    }

    public DataSpec build() {
      return new DataSpec(format, train, test, classes, standardise, reduction, dimensions, seed,
          numFeatures, partitions, blockRows);
    }
  }
}
