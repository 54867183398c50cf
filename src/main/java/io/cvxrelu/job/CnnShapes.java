package io.cvxrelu.job;

import io.cvxrelu.cnn.PatchGeometry;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The CNN options the jobs share ({@code --image-shape}, {@code --patch}, {@code --stride}):
 * the image shape of a row and the patch windows over it, with one-line usage errors for a
 * shape that does not match the rows, a patch larger than the image or a non-positive stride.
 */
final class CnnShapes {
  private CnnShapes() {}

  /** --image-shape as C,H,W, or null when absent. */
  static int[] declaredShape(JobOptions opts) {
    int[] shape = opts.get("image-shape") == null ? null : opts.positiveIntList("image-shape");
    if (shape != null && shape.length != 3) {
      throw new UsageException("--image-shape must be C,H,W, got '" + opts.get("image-shape")
          + "'");
    }
    return shape;
  }

  /**
   * The shape of a row: {@code shape} if given, else the reader's own (3,32,32 for cifar10,
   * 1,28,28 for idx, 1,1,d otherwise); it must hold {@code rowWidth} values.
   */
  static int[] imageShape(JobOptions opts, int[] shape, int rowWidth) {
    String format = opts.get("format").toLowerCase(Locale.ROOT);
    int[] s = shape != null ? shape : switch (format) {
      case "cifar10" -> new int[] {3, 32, 32};
      case "idx" -> new int[] {1, 28, 28};
      default -> new int[] {1, 1, rowWidth};
    };
    if ((long) s[0] * s[1] * s[2] != rowWidth) {
      throw new UsageException("image shape " + s[0] + "," + s[1] + "," + s[2] + " has "
          + (long) s[0] * s[1] * s[2] + " values but the rows have " + rowWidth + " features");
    }
    return s;
  }

  /** Windows of --patch at --stride (default: the patch side) over an image of shape s. */
  static PatchGeometry windows(JobOptions opts, int[] s) {
    int patch = (int) Math.min(Integer.MAX_VALUE, opts.anyLong("patch"));
    int stride = opts.get("stride") == null ? patch
        : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, opts.anyLong("stride")));
    return checked(() -> PatchGeometry.windows(s[0], s[1], s[2], patch, stride));
  }

  /** Runs a check of the math layer, turning its IllegalArgumentException into a usage error. */
  static <T> T checked(Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
