package io.cvxrelu.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al.; Xiao, Rasul and Vollgraf 2017): a
 * big-endian header (two zero bytes, a type byte, the number of dimensions, one 32-bit size
 * per dimension) followed by the data. Images are type 0x08 (unsigned bytes) with three
 * dimensions (count, rows, columns); labels are unsigned bytes with one dimension. Files may be
 * gzip-compressed (recognised by their magic bytes), as Debian's {@code dataset-fashion-mnist}
 * ships them under {@code /usr/share/datasets/fashion-mnist/}.
 */
public final class IdxReader {
  /** Fashion-MNIST class names in label order. */
  public static final List<String> FASHION_CLASS_NAMES = List.of("t-shirt/top", "trouser",
      "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");
  private static final int UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /** Reads a label file (type ubyte, one dimension). */
  public static byte[] readLabels(InputStream raw, String source) {
    try (DataInputStream in = open(raw)) {
      int[] dims = header(in, source, 1);
      byte[] labels = new byte[dims[0]];
      in.readFully(labels);
      return labels;
    } catch (EOFException e) {
      throw new DataFormatException(source + ": file ends before the size its header declares");
    } catch (IOException e) {
      throw ioError(source, e);
    }
  }

  /**
   * Reads an image file (type ubyte, three dimensions) and offers image i with
   * {@code labels[i]} to {@code into}.
   */
  public static void readImages(InputStream raw, String source, byte[] labels, ImageSet into) {
    try (DataInputStream in = open(raw)) {
      int[] dims = header(in, source, 3);
      if (dims[0] != labels.length) {
        throw new DataFormatException(source + ": " + dims[0] + " images but the label file has "
            + labels.length + " labels");
      }
      int pixels = dims[1] * dims[2];
      if (pixels != into.pixels()) {
        throw new DataFormatException(source + ": images are " + dims[1] + "x" + dims[2] + " = "
            + pixels + " pixels, expected " + into.pixels());
      }
      for (int i = 0; i < dims[0]; i++) {
        int label = labels[i] & 0xff;
        if (into.classes().target(label) != 0.0) {
          byte[] image = new byte[pixels];
          in.readFully(image);
          into.offer(label, image);
        } else {
          in.skipNBytes(pixels);
        }
      }
    } catch (EOFException e) {
      throw new DataFormatException(source + ": file ends before the size its header declares");
    } catch (IOException e) {
      throw ioError(source, e);
    }
  }

  /** Pixels per image in an image file, read from its header alone. */
  public static int imagePixels(InputStream raw, String source) {
    try (DataInputStream in = open(raw)) {
      int[] dims = header(in, source, 3);
      return dims[1] * dims[2];
    } catch (EOFException e) {
      throw new DataFormatException(source + ": file ends inside the IDX header");
    } catch (IOException e) {
      throw ioError(source, e);
    }
  }

  private static DataInputStream open(InputStream raw) throws IOException {
    BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
    b.mark(2);
    int b0 = b.read();
    int b1 = b.read();
    b.reset();
    InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(b, 1 << 16) : b;
    return new DataInputStream(new BufferedInputStream(in, 1 << 16));
  }

  private static int[] header(DataInputStream in, String source, int expectedDims)
      throws IOException {
    int magic = in.readInt();
    int type = (magic >>> 8) & 0xff;
    int ndim = magic & 0xff;
    if ((magic >>> 16) != 0) {
      throw new DataFormatException(source + ": not an IDX file (magic 0x"
          + Integer.toHexString(magic) + ")");
    }
    if (type != UNSIGNED_BYTE) {
      throw new DataFormatException(source + ": IDX data type 0x" + Integer.toHexString(type)
          + ", only unsigned bytes (0x08) are supported");
    }
    if (ndim != expectedDims) {
      throw new DataFormatException(source + ": IDX file has " + ndim + " dimensions, expected "
          + expectedDims + (expectedDims == 1 ? " (labels)" : " (images)"));
    }
    int[] dims = new int[ndim];
    for (int k = 0; k < ndim; k++) {
      dims[k] = in.readInt();
      if (dims[k] <= 0) {
        throw new DataFormatException(source + ": IDX dimension " + k + " is " + dims[k]);
      }
    }
    return dims;
  }

  private static RuntimeException ioError(String source, IOException e) {
    if (e instanceof java.util.zip.ZipException) {
      return new DataFormatException(source + ": corrupt gzip stream: " + e.getMessage());
    }
    return new UncheckedIOException(source + ": " + e.getMessage(), e);
  }
}
