package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * How a CNN sees one flattened example as K patches x_1..x_K in R^h (Pilanci and Ergen 2020,
 * section 5): an image of {@code channels x height x width} (row layout channel-major, then
 * rows, then columns, as the CIFAR-10 and IDX readers give it) cut into square patches of side
 * {@code patch} at a {@code stride}, each patch holding all channels, so h = channels * patch^2
 * and K = ((height - patch) / stride + 1) * ((width - patch) / stride + 1). A 1-D signal
 * (height 1) takes 1 x patch windows. With {@code circular} the signal is 1-D and the K = d
 * patches are its circular shifts of full length h = d (section 5, case 3: stride one and
 * enough zero padding that every window wraps).
 *
 * @param channels image channels C
 * @param height image height H (1 for 1-D signals)
 * @param width image width W
 * @param patch patch side p (window length for 1-D signals; ignored, = d, when circular)
 * @param stride step between patches (1 when circular)
 * @param circular circular shifts of a 1-D signal instead of windows
 */
public record PatchGeometry(int channels, int height, int width, int patch, int stride,
    boolean circular) implements java.io.Serializable {

  /** Validates the shape; a message names the offending value in one line. */
  public PatchGeometry {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("image shape " + channels + "," + height + "," + width
          + " must be positive");
    }
    if (circular) {
      if (channels != 1 || height != 1) {
        throw new IllegalArgumentException("circular patches need a 1-D signal (shape 1,1,d), got "
            + channels + "," + height + "," + width);
      }
      patch = width;
      stride = 1;
    }
    if (patch <= 0) {
      throw new IllegalArgumentException("patch size must be positive, got " + patch);
    }
    if (stride <= 0) {
      throw new IllegalArgumentException("stride must be positive, got " + stride);
    }
    if (patch > width || (height > 1 && patch > height)) {
      throw new IllegalArgumentException("patch " + patch + " is larger than the image "
          + height + "x" + width);
    }
  }

  /** Windows of an image (not circular). */
  public static PatchGeometry windows(int channels, int height, int width, int patch,
      int stride) {
    return new PatchGeometry(channels, height, width, patch, stride, false);
  }

  /** The d circular shifts of a 1-D signal of length d. */
  public static PatchGeometry circularShifts(int d) {
    return new PatchGeometry(1, 1, d, d, 1, true);
  }

  /** Length C * H * W of a flattened example. */
  public int inputSize() {
    return channels * height * width;
  }

  private int patchHeight() {
    return height == 1 ? 1 : patch;
  }

  private int rowsOfPatches() {
    return circular ? 1 : (height - patchHeight()) / stride + 1;
  }

  private int colsOfPatches() {
    return circular ? width : (width - patch) / stride + 1;
  }

  /** h: the length of one patch (the filter size). */
  public int patchSize() {
    return channels * patchHeight() * patch;
  }

  /** K: the number of patches per example. */
  public int patchCount() {
    return rowsOfPatches() * colsOfPatches();
  }

  /** Index in the flattened example of entry t of patch k (0-based). */
  public int pixel(int k, int t) {
    if (circular) {
      return (k + t) % width;
    }
    int ph = patchHeight();
    int c = t / (ph * patch);
    int dy = (t / patch) % ph;
    int dx = t % patch;
    int r = (k / colsOfPatches()) * stride + dy;
    int col = (k % colsOfPatches()) * stride + dx;
    return (c * height + r) * width + col;
  }

  /**
   * The n x hK matrix whose row i is vec(M_i), M_i = [x_{i,1} ... x_{i,K}] in R^{h x K}
   * (column-major: entry t of patch k at column t + k h), so that {@code <M_i, Z>} is row i
   * times vec(Z).
   *
   * @throws IllegalArgumentException when the rows of {@code x} are not C * H * W long
   */
  public DenseMatrix patchRows(DenseMatrix x) {
    if (x.cols() != inputSize()) {
      throw new IllegalArgumentException("rows have " + x.cols() + " features but the image "
          + "shape " + channels + "," + height + "," + width + " needs " + inputSize());
    }
    int n = x.rows();
    int h = patchSize();
    int kk = patchCount();
    DenseMatrix a = new DenseMatrix(n, h * kk);
    double[] src = x.data();
    double[] dst = a.data();
    for (int k = 0; k < kk; k++) {
      for (int t = 0; t < h; t++) {
        // Whole columns are copied: column (t, k) of A is column pixel(k, t) of X.
        System.arraycopy(src, pixel(k, t) * n, dst, (t + k * h) * n, n);
      }
    }
    return a;
  }
}
