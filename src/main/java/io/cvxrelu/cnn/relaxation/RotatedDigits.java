package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.DenseMatrix;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * The rotation-regression task of Bartan and Pilanci's Table 1: square grey-scale digits
 * (MNIST, 28 x 28) rotated about their centre by a random angle, the angle (shifted to be
 * &gt;= 0) being the label, and the rotated image cut into non-overlapping p x p patches for
 * the CNN (28 / 7 = 4 x 4 patches of 49 pixels: k = 16, f = 49).
 */
public final class RotatedDigits {
  private RotatedDigits() {}

  /** Rotated images (rows of pixels in [0, 1]) and their labels. */
  public record Rotated(double[][] images, double[] labels) {}

  /**
   * Reads an IDX image file (magic 0x00000803, unsigned bytes; gunzipped by the caller) and
   * returns at most {@code limit} images as rows of pixels scaled to [0, 1].
   */
  public static double[][] readIdxImages(InputStream raw, int limit) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    int magic = in.readInt();
    if (magic != 0x00000803) {
      throw new IOException("not an IDX image file (magic " + Integer.toHexString(magic) + ")");
    }
    int count = Math.min(limit, in.readInt());
    int pixels = in.readInt() * in.readInt();
    double[][] out = new double[count][pixels];
    byte[] buf = new byte[pixels];
    for (int i = 0; i < count; i++) {
      in.readFully(buf);
      for (int p = 0; p < pixels; p++) {
        out[i][p] = (buf[p] & 0xff) / 255.0;
      }
    }
    return out;
  }

  /**
   * Rotates image i by an angle drawn uniformly from [-maxDegrees, maxDegrees] (bilinear
   * interpolation, zero outside the image); its label is angle + maxDegrees, in
   * [0, 2 maxDegrees].
   */
  public static Rotated rotate(double[][] images, int side, double maxDegrees, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] out = new double[images.length][];
    double[] labels = new double[images.length];
    for (int i = 0; i < images.length; i++) {
      double angle = (2.0 * rng.nextDouble() - 1.0) * maxDegrees;
      labels[i] = angle + maxDegrees;
      out[i] = rotate(images[i], side, Math.toRadians(angle));
    }
    return new Rotated(out, labels);
  }

  /** One image rotated by theta (counter-clockwise) about its centre. */
  static double[] rotate(double[] image, int side, double theta) {
    double c = Math.cos(theta);
    double s = Math.sin(theta);
    double mid = (side - 1) / 2.0;
    double[] out = new double[side * side];
    for (int r = 0; r < side; r++) {
      for (int q = 0; q < side; q++) {
        // The source of output pixel (r, q) is the inverse rotation of its offset.
        double dy = r - mid;
        double dx = q - mid;
        double sy = c * dy - s * dx + mid;
        double sx = s * dy + c * dx + mid;
        out[r * side + q] = bilinear(image, side, sy, sx);
      }
    }
    return out;
  }

  private static double bilinear(double[] image, int side, double y, double x) {
    int y0 = (int) Math.floor(y);
    int x0 = (int) Math.floor(x);
    double fy = y - y0;
    double fx = x - x0;
    return (1 - fy) * ((1 - fx) * pixel(image, side, y0, x0) + fx * pixel(image, side, y0, x0 + 1))
        + fy * ((1 - fx) * pixel(image, side, y0 + 1, x0) + fx * pixel(image, side, y0 + 1,
        x0 + 1));
  }

  private static double pixel(double[] image, int side, int r, int q) {
    return r < 0 || q < 0 || r >= side || q >= side ? 0.0 : image[r * side + q];
  }

  /**
   * The n x (k f) patch matrix: patch j = (pr, pc) in row-major order over the (side / p)^2
   * patches, its p^2 pixels row-major, with {@code centre[pixel]} subtracted from every pixel
   * (centred pixels: with non-negative patches cone{X_ij^T} lies in the non-negative orthant
   * and almost every direction r would make the relaxation unbounded).
   */
  public static DenseMatrix patches(double[][] images, int side, int patch, double[] centre) {
    if (patch <= 0 || side % patch != 0) {
      throw new IllegalArgumentException("patch size " + patch + " does not divide " + side);
    }
    int per = side / patch;
    int k = per * per;
    int f = patch * patch;
    int n = images.length;
    DenseMatrix x = new DenseMatrix(n, k * f);
    double[] xd = x.data();
    for (int j = 0; j < k; j++) {
      int pr = j / per;
      int pc = j % per;
      for (int l = 0; l < f; l++) {
        int pixel = (pr * patch + l / patch) * side + pc * patch + l % patch;
        int col = (j * f + l) * n;
        for (int i = 0; i < n; i++) {
          xd[col + i] = images[i][pixel] - centre[pixel];
        }
      }
    }
    return x;
  }

  /** The mean of every pixel over the images. */
  public static double[] pixelMeans(double[][] images) {
    double[] m = new double[images[0].length];
    for (double[] im : images) {
      for (int p = 0; p < m.length; p++) {
        m[p] += im[p];
      }
    }
    for (int p = 0; p < m.length; p++) {
      m[p] /= images.length;
    }
    return m;
  }
}
