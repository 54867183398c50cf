package io.cvxrelu.io;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.SymmetricEigen;
import java.util.SplittableRandom;

/**
 * Preprocessing fitted on the training data and applied unchanged to the test data:
 * per-feature standardisation (x - mean) / std with training statistics, then an optional
 * linear reduction to k dimensions, either principal components (top eigenvectors of the
 * Gram matrix X^T X of the standardised training data) or a Gaussian random projection
 * (Johnson-Lindenstrauss, entries N(0, 1/k)).
 *
 * <p>A training column with zero variance is centred and left unscaled (it becomes all zeros
 * on the training data) rather than divided by zero.
 *
 * @param mean per-feature means subtracted (null: none)
 * @param scale per-feature divisors (null: none)
 * @param projection d x k reduction applied after scaling (null: none)
 */
public record FeatureTransform(double[] mean, double[] scale, DenseMatrix projection) {

  /** How the features are reduced after scaling. */
  public enum Reduction {
    NONE, PCA, RANDOM
  }

  /** The identity (no standardisation, no reduction). */
  public static final FeatureTransform IDENTITY = new FeatureTransform(null, null, null);

  /**
   * Fits the transform on training features.
   *
   * @param standardise centre and scale every feature by its training mean and standard
   *     deviation
   * @param reduction what to reduce to {@code k} dimensions with
   * @param seed random projection seed
   */
  public static FeatureTransform fit(DenseMatrix x, boolean standardise, Reduction reduction,
      int k, long seed) {
    int n = x.rows();
    int d = x.cols();
    double[] mean = null;
    double[] scale = null;
    if (standardise) {
      mean = new double[d];
      scale = new double[d];
      double[] xd = x.data();
      for (int j = 0; j < d; j++) {
        int off = j * n;
        double s = 0.0;
        for (int i = 0; i < n; i++) {
          s += xd[off + i];
        }
        double mu = s / n;
        double ss = 0.0;
        for (int i = 0; i < n; i++) {
          double c = xd[off + i] - mu;
          ss += c * c;
        }
        double sd = Math.sqrt(ss / n);
        mean[j] = mu;
        scale[j] = sd > 1e-12 * Math.max(1.0, Math.abs(mu)) ? sd : 1.0;
      }
    }
    DenseMatrix projection = null;
    if (reduction != Reduction.NONE) {
      if (k < 1 || k > d) {
        throw new IllegalArgumentException("cannot reduce " + d + " features to " + k
            + " dimensions (need 1 <= k <= " + d + ")");
      }
      if (reduction == Reduction.PCA) {
        DenseMatrix z = new FeatureTransform(mean, scale, null).apply(x);
        DenseMatrix gram = new DenseMatrix(d, d);
        Blas.gemm(true, false, 1.0, z, z, 0.0, gram);
        projection = SymmetricEigen.topEigenvectors(gram, k);
      } else {
        projection = new DenseMatrix(d, k);
        SplittableRandom rng = new SplittableRandom(seed);
        double s = 1.0 / Math.sqrt(k);
        double[] p = projection.data();
        for (int t = 0; t < p.length; t++) {
          p[t] = rng.nextGaussian() * s;
        }
      }
    }
    return new FeatureTransform(mean, scale, projection);
  }

  /** Input dimension this transform expects (-1 when any). */
  public int inputDimension() {
    return mean != null ? mean.length : projection != null ? projection.rows() : -1;
  }

  /** The transformed copy of {@code x} (x itself for the identity). */
  public DenseMatrix apply(DenseMatrix x) {
    if (inputDimension() >= 0 && x.cols() != inputDimension()) {
      throw new IllegalArgumentException("transform fitted on " + inputDimension()
          + " features, got " + x.cols());
    }
    DenseMatrix z = x;
    if (mean != null) {
      int n = x.rows();
      z = x.copy();
      double[] zd = z.data();
      for (int j = 0; j < mean.length; j++) {
        int off = j * n;
        double mu = mean[j];
        double inv = 1.0 / scale[j];
        for (int i = 0; i < n; i++) {
          zd[off + i] = (zd[off + i] - mu) * inv;
        }
      }
    }
    if (projection != null) {
      DenseMatrix r = new DenseMatrix(z.rows(), projection.cols());
      Blas.gemm(false, false, 1.0, z, projection, 0.0, r);
      z = r;
    }
    return z;
  }

  /** Applies the transform to the features of a labelled set. */
  public LabeledData apply(LabeledData data) {
    return new LabeledData(apply(data.x()), data.y());
  }
}
