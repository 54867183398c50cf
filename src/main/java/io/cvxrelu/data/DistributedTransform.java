package io.cvxrelu.data;

import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.SymmetricEigen;
import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * {@link FeatureTransform} fitted on blocked data without collecting a row: the same
 * standardisation, PCA and random projection, from aggregations whose results are O(d^2).
 *
 * <ul>
 *   <li>Standardisation: per-feature mean and variance from one {@code treeAggregate}, each
 *       block's moments by Welford's update merged pairwise (Chan, Golub and LeVeque 1979):
 *       stable like the single-node two-pass formula, with no catastrophic cancellation.
 *   <li>PCA: the d x d Gram matrix Z^T Z of the standardised rows summed over blocks (one GEMM
 *       per block, one {@code treeAggregate}), then its top-k eigenvectors on the driver.
 *   <li>Random projection: the seeded d x k Gaussian matrix of {@link FeatureTransform} itself
 *       (it depends on d, k and the seed only).
 * </ul>
 *
 * <p>The numbers equal the single-node fit up to the order of floating-point summation. The
 * fitted transform is applied per block by {@link FeatureTransform#apply(DenseMatrix)} from a
 * broadcast.
 */
public final class DistributedTransform {
  private static final int TREE_DEPTH = 2;

  private DistributedTransform() {}

  /**
   * Fits the transform on training data, as {@link FeatureTransform#fit} does on a matrix.
   *
   * @throws IllegalArgumentException when k is not in 1..d for a reduction (a usage error)
   */
  public static FeatureTransform fit(BlockedDataset data, boolean standardise,
      FeatureTransform.Reduction reduction, int k, long seed) {
    int d = data.d();
    if (reduction != FeatureTransform.Reduction.NONE && (k < 1 || k > d)) {
      throw new IllegalArgumentException("cannot reduce " + d + " features to " + k
          + " dimensions (need 1 <= k <= " + d + ")");
    }
    FeatureTransform scaling = FeatureTransform.IDENTITY;
    if (standardise) {
      describe(data, "standardisation statistics");
      Moments m = data.blocks().treeAggregate(new Moments(d), Moments::add, Moments::merge,
          TREE_DEPTH);
      scaling = m.standardisation();
    }
    DenseMatrix projection = switch (reduction) {
      case NONE -> null;
      case RANDOM -> FeatureTransform.fit(new DenseMatrix(0, d), false, reduction, k, seed)
          .projection();
      case PCA -> SymmetricEigen.topEigenvectors(gram(data, scaling), k);
    };
    return new FeatureTransform(scaling.mean(), scaling.scale(), projection);
  }

  /**
   * The data transformed block by block on the executors, cached and counted. {@code data} is
   * consumed (see {@link BlockedDataset#map}); the identity returns it unchanged.
   */
  public static BlockedDataset apply(BlockedDataset data, FeatureTransform t) {
    if (t.mean() == null && t.projection() == null) {
      return data;
    }
    int width = t.projection() != null ? t.projection().cols() : data.d();
    Broadcast<Parts> parts = context(data).broadcast(new Parts(t));
    return data.map(b -> b.withFeatures(parts.value().transform().apply(b.x())), width, parts);
  }

  /** Z^T Z over all blocks, Z the rows after {@code scaling}. */
  private static DenseMatrix gram(BlockedDataset data, FeatureTransform scaling) {
    int d = data.d();
    Broadcast<Parts> parts = context(data).broadcast(new Parts(scaling));
    try {
      describe(data, "PCA Gram matrix");
      // The zero is empty, not d x d: Spark ships a copy of it with every task.
      double[] sum = data.blocks().treeAggregate(new double[0], (acc, b) -> {
        DenseMatrix z = parts.value().transform().apply(b.x());
        double[] out = acc.length == 0 ? new double[d * d] : acc;
        Blas.gemm(true, false, 1.0, z, z, 1.0, new DenseMatrix(d, d, out));
        return out;
      }, DistributedTransform::sum, TREE_DEPTH);
      return new DenseMatrix(d, d, sum.length == 0 ? new double[d * d] : sum);
    } finally {
      parts.destroy();
    }
  }

  private static double[] sum(double[] a, double[] b) {
    if (a.length == 0) {
      return b;
    }
    for (int i = 0; i < b.length; i++) {
      a[i] += b[i];
    }
    return a;
  }

  private static JavaSparkContext context(BlockedDataset data) {
    return JavaSparkContext.fromSparkContext(data.blocks().context());
  }

  private static void describe(BlockedDataset data, String what) {
    context(data).setJobDescription("cvxrelu: " + what + " of " + data.source());
  }

  /** A fitted transform as a broadcast value ({@link FeatureTransform} is not Serializable). */
  private static final class Parts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final double[] mean;
    private final double[] scale;
    private final DenseMatrix projection;

    Parts(FeatureTransform t) {
      mean = t.mean();
      scale = t.scale();
      projection = t.projection();
    }

    FeatureTransform transform() {
      return new FeatureTransform(mean, scale, projection);
    }
  }

  /** Row count, per-feature mean and sum of squared deviations (M2) of a set of rows. */
  static final class Moments implements Serializable {
    private static final long serialVersionUID = 1L;
    private long n;
    private final double[] mean;
    private final double[] m2;

    Moments(int d) {
      mean = new double[d];
      m2 = new double[d];
    }

    /** Adds a block: its moments by Welford's update down each column, merged in. */
    Moments add(LabeledBlock b) {
      int rows = b.rows();
      Moments own = new Moments(mean.length);
      own.n = rows;
      double[] x = b.x().data();
      for (int j = 0; j < mean.length; j++) {
        int off = j * rows;
        double mu = 0.0;
        double ss = 0.0;
        for (int i = 0; i < rows; i++) {
          double delta = x[off + i] - mu;
          mu += delta / (i + 1);
          ss += delta * (x[off + i] - mu);
        }
        own.mean[j] = mu;
        own.m2[j] = ss;
      }
      return merge(own);
    }

    /** Chan et al.'s pairwise update: exact for the union of the two row sets. */
    Moments merge(Moments o) {
      if (o.n == 0) {
        return this;
      }
      long total = n + o.n;
      for (int j = 0; j < mean.length; j++) {
        double delta = o.mean[j] - mean[j];
        mean[j] += delta * o.n / total;
        m2[j] += o.m2[j] + delta * delta * ((double) n * o.n / total);
      }
      n = total;
      return this;
    }

    /**
     * The standardisation of {@link FeatureTransform#fit}: divide by the population standard
     * deviation, or by 1 for a column constant to 1e-12 of its size.
     */
    FeatureTransform standardisation() {
      double[] scale = new double[mean.length];
      for (int j = 0; j < mean.length; j++) {
        double sd = Math.sqrt(m2[j] / n);
        scale[j] = sd > 1e-12 * Math.max(1.0, Math.abs(mean[j])) ? sd : 1.0;
      }
      return new FeatureTransform(mean.clone(), scale, null);
    }
  }
}
