package io.cvxrelu.cnn.relaxation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cvxrelu.linalg.DenseMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The pieces of the MNIST rotation experiment against exact answers: a rotation by 90 degrees
 * is a permutation of the pixels, patches are laid out as the relaxation expects, ridge with a
 * vanishing lambda recovers exactly linear data and cross-validation prefers a large lambda on
 * pure noise; the real digits are read when the shared copy is present (else the test is
 * skipped, with the reason in the report).
 */
class RotationRegressionTest {
  private static final Path MNIST = Path.of("/work/shared/data/mnist-10k",
      "mnist-10k-images-idx3-ubyte.gz");

  @Test
  void quarterTurnPermutesThePixels() {
    double[] image = new double[16];
    for (int p = 0; p < 16; p++) {
      image[p] = p;
    }
    double[] turned = RotatedDigits.rotate(image, 4, Math.PI / 2);
    double[] twice = RotatedDigits.rotate(turned, 4, Math.PI / 2);
    double[] sorted = turned.clone();
    java.util.Arrays.sort(sorted);
    for (int p = 0; p < 16; p++) {
      assertEquals(p, sorted[p], 1e-12);
      // A half turn maps pixel (r, q) to (3 - r, 3 - q).
      assertEquals(image[15 - p], twice[p], 1e-12);
    }
    assertArrayEquals(image, RotatedDigits.rotate(image, 4, 0.0), 1e-12);
  }

  @Test
  void patchesAreContiguousBlocksOfTheImage() {
    double[][] images = new double[2][16];
    for (int p = 0; p < 16; p++) {
      images[0][p] = p;
      images[1][p] = 100 + p;
    }
    DenseMatrix x = RotatedDigits.patches(images, 4, 2, new double[16]);
    assertEquals(16, x.cols());
    // Patch 1 is rows 0-1, columns 2-3: pixels 2, 3, 6, 7.
    assertEquals(2.0, x.get(0, 4));
    assertEquals(3.0, x.get(0, 5));
    assertEquals(6.0, x.get(0, 6));
    assertEquals(107.0, x.get(1, 7));
  }

  @Test
  void ridgeRecoversLinearDataAndShrinksOnNoise() {
    SplittableRandom rng = new SplittableRandom(1);
    DenseMatrix x = new DenseMatrix(200, 5, PlantedInstance.gaussianVector(rng, 1000));
    double[] y = new double[200];
    double[] noise = PlantedInstance.gaussianVector(rng, 200);
    for (int i = 0; i < 200; i++) {
      y[i] = 3.0 + 2.0 * x.get(i, 0) - x.get(i, 4);
    }
    RidgeRegression.Fit fit = RidgeRegression.crossValidated(x, y, new double[] {1e-9, 1.0},
        5);
    assertEquals(1e-9, fit.lambda());
    assertEquals(0.0, RidgeRegression.rmse(fit.predict(x), y), 1e-6);
    RidgeRegression.Fit shrunk = RidgeRegression.crossValidated(x, noise,
        new double[] {1e-9, 1e6}, 5);
    assertEquals(1e6, shrunk.lambda());
  }

  @Test
  void realDigitsAreRead() throws IOException {
    assumeTrue(Files.exists(MNIST), "MNIST not found at " + MNIST + ": test skipped");
    double[][] images;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(MNIST))) {
      images = RotatedDigits.readIdxImages(in, 50);
    }
    assertEquals(50, images.length);
    assertEquals(784, images[0].length);
    RotatedDigits.Rotated rot = RotatedDigits.rotate(images, 28, 45, 3);
    double ink = 0.0;
    for (int i = 0; i < 50; i++) {
      assertTrue(rot.labels()[i] >= 0 && rot.labels()[i] <= 90);
      for (double v : rot.images()[i]) {
        assertTrue(v >= 0 && v <= 1.0 + 1e-12);
        ink += v;
      }
    }
    assertTrue(ink > 50 * 50, "rotated digits keep their ink: " + ink);
    PatchDesign design = new PatchDesign(RotatedDigits.patches(rot.images(), 28, 7,
        RotatedDigits.pixelMeans(rot.images())), 16);
    assertEquals(49, design.filterSize());
  }
}
