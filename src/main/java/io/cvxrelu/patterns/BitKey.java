package io.cvxrelu.patterns;

import java.util.Arrays;

/**
 * A set of row indices as a hashable bit set: a sign pattern (the rows a gate switches on), or
 * the rows tied at a ray of the arrangement. Keys compared with each other cover the same rows.
 */
final class BitKey {
  private final long[] bits;
  private final int hash;

  BitKey(long[] bits) {
    this.bits = bits;
    this.hash = Arrays.hashCode(bits);
  }

  /** The set of the first {@code count} indices of {@code idx}, over m rows. */
  static BitKey of(int[] idx, int count, int m) {
    long[] bits = new long[(m + 63) >>> 6];
    for (int i = 0; i < count; i++) {
      bits[idx[i] >>> 6] |= 1L << (idx[i] & 63);
    }
    return new BitKey(bits);
  }

  /** The rows k with a non-zero entry in the 0/1 mask column {@code mask[off .. off + n)}. */
  static BitKey ofMask(byte[] mask, int off, int n) {
    long[] bits = new long[(n + 63) >>> 6];
    for (int k = 0; k < n; k++) {
      if (mask[off + k] != 0) {
        bits[k >>> 6] |= 1L << (k & 63);
      }
    }
    return new BitKey(bits);
  }

  /** True for the empty set (the all-zero pattern). */
  boolean isEmpty() {
    for (long b : bits) {
      if (b != 0L) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BitKey k && k.hash == hash && Arrays.equals(k.bits, bits);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
