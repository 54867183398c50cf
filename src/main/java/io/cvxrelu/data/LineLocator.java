package io.cvxrelu.data;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.io.compress.SplittableCompressionCodec;

/**
 * Turns the byte offset Hadoop's {@code TextInputFormat} gives each line into facts about the
 * lines before it, by reading the file from its start on the executor that needs them. Only
 * the error path and a rare header check call this, so a file is read once more at most when
 * a job is about to fail, and never on the happy path.
 *
 * <p>Lines end at LF, CR or CR LF, as in Hadoop's {@code LineReader} and in {@code
 * BufferedReader.readLine}, so line numbers agree with the single-node reader's. Offsets of a
 * gzip file count uncompressed bytes and the file is decompressed the same way.
 */
final class LineLocator {
  private LineLocator() {}

  /**
   * The 1-based number of the line starting at {@code offset}, or -1 when it cannot be known
   * (offsets into a splittable compressed file, such as bzip2, are not positions in the text).
   */
  static long lineAt(Configuration conf, Path file, long offset) throws IOException {
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
    if (codec instanceof SplittableCompressionCodec) {
      return -1;
    }
    long line = 1;
    boolean afterCr = false;
    try (InputStream in = open(conf, file, codec)) {
      byte[] buf = new byte[1 << 16];
      long left = offset;
      while (left > 0) {
        int k = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (k < 0) {
          break;
        }
        for (int i = 0; i < k; i++) {
          byte b = buf[i];
          if (b == '\n' && !afterCr || b == '\r') {
            line++;
          }
          afterCr = b == '\r';
        }
        left -= k;
      }
    }
    return line;
  }

  /**
   * True when every byte before {@code offset} is blank (ASCII white space or the UTF-8
   * byte-order mark at the start): the line at {@code offset} is then the file's first
   * non-blank line, the only place a header may be. Reads until the first non-blank byte.
   */
  static boolean onlyBlankBefore(Configuration conf, Path file, long offset) throws IOException {
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(file);
    try (InputStream in = open(conf, file, codec)) {
      byte[] buf = new byte[1 << 16];
      long pos = 0;
      while (pos < offset) {
        int k = in.read(buf, 0, (int) Math.min(buf.length, offset - pos));
        if (k < 0) {
          return true;
        }
        for (int i = 0; i < k; i++, pos++) {
          int b = buf[i] & 0xff;
          boolean bom = pos < 3 && b == (pos == 0 ? 0xef : pos == 1 ? 0xbb : 0xbf);
          if (!bom && b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != 0x0b && b != 0x0c) {
            return false;
          }
        }
      }
      return true;
    }
  }

  private static InputStream open(Configuration conf, Path file, CompressionCodec codec)
      throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    InputStream raw = fs.open(file, 1 << 16);
    return codec == null ? raw : codec.createInputStream(raw);
  }
}
