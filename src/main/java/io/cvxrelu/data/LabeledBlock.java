package io.cvxrelu.data;

import io.cvxrelu.linalg.DenseMatrix;
import java.io.Serializable;

/**
 * A block of labelled rows as read on an executor: n_b x d column-major features and n_b labels,
 * before any sign-pattern mask (the solvers' {@code problem.RowBlock} adds that from the gates).
 *
 * <p>A final class rather than a record: Kryo 4 (Spark's serializer when {@code
 * spark.serializer} is Kryo) cannot write the final fields of a Java record.
 */
public final class LabeledBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long id;
  private final DenseMatrix x;
  private final double[] y;

  /**
   * @param id {@code (partition << 32) | ordinal of the block in its partition}: stable across
   *     runs over the same files and partitioning, and ordered as the rows are in the files
   * @param x n_b x d features
   * @param y n_b labels
   */
  public LabeledBlock(long id, DenseMatrix x, double[] y) {
    if (y.length != x.rows()) {
      throw new IllegalArgumentException("block of " + x + " with " + y.length + " labels");
    }
    this.id = id;
    this.x = x;
    this.y = y;
  }

  public long id() {
    return id;
  }

  public DenseMatrix x() {
    return x;
  }

  public double[] y() {
    return y;
  }

  public int rows() {
    return x.rows();
  }

  /** The same rows with other features (a transform of these), keeping id and labels. */
  public LabeledBlock withFeatures(DenseMatrix features) {
    return new LabeledBlock(id, features, y);
  }
}
