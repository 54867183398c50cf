package io.cvxrelu.problem;

/**
 * The elementwise half of the fused kernels of {@link RowBlock}: one pattern's mask column
 * applied to a column of predictions (out += M_i .* Z_i) or to the loss gradient
 * (R_i = M_i .* g). Between the two GEMMs of a pass these loops touch n q elements, and a
 * scalar loop converting the byte mask to doubles one element at a time cost about 15% of a
 * pass at d = 100, q = 1,000 (the GEMMs alone ran at 93-103% of dgemm, the whole forward
 * kernel at 72-83%): HotSpot 17 does not vectorise a byte-to-double conversion.
 *
 * <p>When the JVM was started with {@code --add-modules=jdk.incubator.vector} (every script
 * of this project starts it so), the loops run on {@link VectorMaskedColumns}, SIMD lanes of
 * the Vector API; otherwise on the scalar loops here. Both give the same bits: m_i is 0 or 1,
 * so m_i z is exact and each element is one rounded addition either way.
 */
final class MaskedColumns {
  /** Whether the Vector API is in this JVM (the class using it is loaded only then). */
  static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector")
      .isPresent() && !Boolean.getBoolean("cvxrelu.scalarMasks");

  private MaskedColumns() {}

  /**
   * out[o..o+len) += M .* (Z_v - Z_w) (ReLU) or M .* Z_v (gated): the mask column from
   * {@code moff}, the columns of Z from {@code off} (and {@code offW}).
   */
  static void add(double[] out, int o, byte[] mk, int moff, double[] z, int off, int offW,
      int len, boolean relu) {
    if (VECTOR) {
      VectorMaskedColumns.add(out, o, mk, moff, z, off, offW, len, relu);
    } else {
      addScalar(out, o, mk, moff, z, off, offW, len, relu, 0);
    }
  }

  /**
   * r[off..off+len) = M .* g[go..go+len) and, for ReLU, r[offW..offW+len) = -M .* g.
   */
  static void write(double[] r, int off, int offW, byte[] mk, int moff, double[] g, int go,
      int len, boolean relu) {
    if (VECTOR) {
      VectorMaskedColumns.write(r, off, offW, mk, moff, g, go, len, relu);
    } else {
      writeScalar(r, off, offW, mk, moff, g, go, len, relu, 0);
    }
  }

  /** {@link #add} on the elements [from, len) with scalar loops (also the vector tail). */
  static void addScalar(double[] out, int o, byte[] mk, int moff, double[] z, int off,
      int offW, int len, boolean relu, int from) {
    if (relu) {
      for (int r = from; r < len; r++) {
        out[o + r] += mk[moff + r] * (z[off + r] - z[offW + r]);
      }
    } else {
      for (int r = from; r < len; r++) {
        out[o + r] += mk[moff + r] * z[off + r];
      }
    }
  }

  /** {@link #write} on the elements [from, len) with scalar loops (also the vector tail). */
  static void writeScalar(double[] r, int off, int offW, byte[] mk, int moff, double[] g,
      int go, int len, boolean relu, int from) {
    for (int k = from; k < len; k++) {
      double v = mk[moff + k] * g[go + k];
      r[off + k] = v;
      if (relu) {
        r[offW + k] = -v;
      }
    }
  }
}
