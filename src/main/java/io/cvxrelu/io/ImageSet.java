package io.cvxrelu.io;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * Images of the two selected classes as they are read (raw bytes), turned into a design matrix
 * of pixels / 255 with ±1 labels once every file is in. Keeping bytes until then holds 8x less
 * memory than doubles while the batches stream past.
 */
public final class ImageSet {
  private final ClassSelection classes;
  private final int pixels;
  private final List<byte[]> rows = new ArrayList<>();
  private final List<Double> targets = new ArrayList<>();
  private final int[] perClass = new int[2];

  public ImageSet(ClassSelection classes, int pixels) {
    this.classes = classes;
    this.pixels = pixels;
  }

  public ClassSelection classes() {
    return classes;
  }

  public int pixels() {
    return pixels;
  }

  /** Keeps the image when its label is one of the two selected classes. */
  void offer(int label, byte[] image) {
    double t = classes.target(label);
    if (t != 0.0) {
      rows.add(image);
      targets.add(t);
      perClass[t > 0 ? 0 : 1]++;
    }
  }

  public int size() {
    return rows.size();
  }

  /**
   * The design matrix (pixels / 255, one image per row) with labels +1 / -1.
   *
   * @param what "training data" or "test data", for the message when a class is missing
   */
  public LabeledData toLabeledData(String what) {
    for (int k = 0; k < 2; k++) {
      if (perClass[k] == 0) {
        throw new DataFormatException(what + " has no image of class '" + classes.names()[k]
            + "' (" + perClass[1 - k] + " of '" + classes.names()[1 - k] + "'): a binary task "
            + "needs both classes");
      }
    }
    int n = rows.size();
    DenseMatrix x = new DenseMatrix(n, pixels);
    double[] xd = x.data();
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      byte[] r = rows.get(i);
      for (int j = 0; j < pixels; j++) {
        xd[i + j * n] = (r[j] & 0xff) / 255.0;
      }
      y[i] = targets.get(i);
    }
    return new LabeledData(x, y);
  }
}
