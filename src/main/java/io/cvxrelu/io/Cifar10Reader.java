package io.cvxrelu.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR-10 binary layout (Krizhevsky 2009, "binary version"): files of 3073-byte records,
 * one label byte (0-9) then 1024 red, 1024 green and 1024 blue bytes, each plane 32 x 32
 * row-major. Training data are {@code data_batch_1.bin} .. {@code data_batch_5.bin}, test data
 * {@code test_batch.bin}; {@code batches.meta.txt} names the classes.
 */
public final class Cifar10Reader {
  public static final int IMAGE_BYTES = 3072;
  public static final int RECORD_BYTES = IMAGE_BYTES + 1;
  /** Class names in label order, as in the official {@code batches.meta.txt}. */
  public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird",
      "cat", "deer", "dog", "frog", "horse", "ship", "truck");
  /** Training batch file names. */
  public static final String TRAIN_PATTERN = "data_batch_\\d+\\.bin";
  public static final String TEST_FILE = "test_batch.bin";
  public static final String META_FILE = "batches.meta.txt";

  private Cifar10Reader() {}

  /**
   * Reads every record of one batch file, keeping those of the selected classes.
   *
   * @param length the file's size in bytes, checked before reading
   * @throws DataFormatException when the size is not a multiple of 3073, a label is above 9 or
   *     the file ends early
   */
  public static void read(InputStream in, long length, String source, ImageSet into) {
    if (length == 0 || length % RECORD_BYTES != 0) {
      throw new DataFormatException(source + ": size " + length + " bytes is not a positive "
          + "multiple of the CIFAR-10 record size " + RECORD_BYTES + " (1 label + 3072 pixels)");
    }
    long records = length / RECORD_BYTES;
    byte[] buf = new byte[RECORD_BYTES];
    try {
      for (long r = 0; r < records; r++) {
        readFully(in, buf, source, r);
        int label = buf[0] & 0xff;
        if (label > 9) {
          throw new DataFormatException(source + ": record " + r + " has label byte " + label
              + " (CIFAR-10 labels are 0-9)");
        }
        if (into.classes().target(label) != 0.0) {
          byte[] image = new byte[IMAGE_BYTES];
          System.arraycopy(buf, 1, image, 0, IMAGE_BYTES);
          into.offer(label, image);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": " + e.getMessage(), e);
    }
  }

  private static void readFully(InputStream in, byte[] buf, String source, long record)
      throws IOException {
    int off = 0;
    while (off < buf.length) {
      int k = in.read(buf, off, buf.length - off);
      if (k < 0) {
        throw new DataFormatException(source + ": file ends inside record " + record
            + " (truncated?)");
      }
      off += k;
    }
  }

  /** Class names from a {@code batches.meta.txt} (one per line, blank lines ignored). */
  public static List<String> readClassNames(BufferedReader in, String source) {
    List<String> names = new ArrayList<>();
    try {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          names.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": " + e.getMessage(), e);
    }
    if (names.size() != 10) {
      throw new DataFormatException(source + ": expected 10 class names, found " + names.size());
    }
    return names;
  }
}
