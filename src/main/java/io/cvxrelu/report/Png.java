package io.cvxrelu.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/** A chart rendered to PNG bytes, for the reports that write their plots atomically. */
final class Png {
  private Png() {}

  static byte[] of(XYChart c) {
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + c.getTitle(), e);
    }
  }
}
