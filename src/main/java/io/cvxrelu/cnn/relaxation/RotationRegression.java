package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The read-out of Bartan and Pilanci's Table 1: ridge regression of the rotation angle on the
 * raw pixels against ridge on the pixels plus the learned filter's k features (X_ij w)_+
 * (lambda by cross-validation on the training half in both), and the CNN alone
 * (sum_j (X_ij w)_+ as the prediction).
 */
public final class RotationRegression {
  /** 5-fold cross-validation. */
  public static final int FOLDS = 5;
  /** lambda from 10^-2 to 10^5 in half decades (standardised features). */
  public static final double[] GRID = grid();

  /** Test and cross-validated RMSEs of the three predictors. */
  public record Comparison(RidgeRegression.Fit pixels, double pixelsTestRmse,
      RidgeRegression.Fit withFilter, double withFilterTestRmse, double cnnTrainRmse,
      double cnnTestRmse) {}

  private RotationRegression() {}

  private static double[] grid() {
    double[] g = new double[15];
    for (int t = 0; t < g.length; t++) {
      g[t] = Math.pow(10.0, -2.0 + 0.5 * t);
    }
    return g;
  }

  /**
   * @param pixelsTrain n x 784 raw pixels of the rotated training images
   * @param train their patch design (the relaxation's data)
   * @param filter the learned filter w
   */
  public static Comparison compare(DenseMatrix pixelsTrain, PatchDesign train, double[] yTrain,
      DenseMatrix pixelsTest, PatchDesign test, double[] yTest, double[] filter) {
    RidgeRegression.Fit pixels = RidgeRegression.crossValidated(pixelsTrain, yTrain, GRID,
        FOLDS);
    DenseMatrix augTrain = withFeatures(pixelsTrain, train, filter);
    DenseMatrix augTest = withFeatures(pixelsTest, test, filter);
    RidgeRegression.Fit both = RidgeRegression.crossValidated(augTrain, yTrain, GRID, FOLDS);
    return new Comparison(pixels, RidgeRegression.rmse(pixels.predict(pixelsTest), yTest), both,
        RidgeRegression.rmse(both.predict(augTest), yTest),
        RidgeRegression.rmse(train.predict(filter), yTrain),
        RidgeRegression.rmse(test.predict(filter), yTest));
  }

  /** [pixels, (X_ij w)_+ for j = 1..k]. */
  static DenseMatrix withFeatures(DenseMatrix pixels, PatchDesign design, double[] filter) {
    int n = pixels.rows();
    int d = pixels.cols();
    int k = design.blocks();
    DenseMatrix out = new DenseMatrix(n, d + k);
    System.arraycopy(pixels.data(), 0, out.data(), 0, n * d);
    double[] resp = design.responses(filter);
    for (int p = 0; p < n * k; p++) {
      out.data()[n * d + p] = Math.max(0.0, resp[p]);
    }
    return out;
  }

  /** The images as an n x pixels matrix. */
  public static DenseMatrix matrix(double[][] images) {
    int n = images.length;
    int d = images[0].length;
    DenseMatrix x = new DenseMatrix(n, d);
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < d; p++) {
        x.data()[p * n + i] = images[i][p];
      }
    }
    return x;
  }
}
