package io.cvxrelu.problem;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaskedColumns} on the Vector API: the mask bytes of one lane group are loaded and
 * widened to doubles in one conversion. Loaded only when the JVM has
 * {@code jdk.incubator.vector} ({@link MaskedColumns#VECTOR}).
 */
final class VectorMaskedColumns {
  private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
  /** As many byte lanes as {@link #DOUBLES} has double lanes. */
  private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class,
      VectorShape.forBitSize(DOUBLES.length() * Byte.SIZE));

  private VectorMaskedColumns() {}

  private static DoubleVector mask(byte[] mk, int at) {
    return (DoubleVector) ByteVector.fromArray(BYTES, mk, at)
        .convertShape(VectorOperators.B2D, DOUBLES, 0);
  }

  static void add(double[] out, int o, byte[] mk, int moff, double[] z, int off, int offW,
      int len, boolean relu) {
    int lanes = DOUBLES.length();
    int r = 0;
    if (relu) {
      for (; r + lanes <= len; r += lanes) {
        DoubleVector diff = DoubleVector.fromArray(DOUBLES, z, off + r)
            .sub(DoubleVector.fromArray(DOUBLES, z, offW + r));
        DoubleVector.fromArray(DOUBLES, out, o + r).add(mask(mk, moff + r).mul(diff))
            .intoArray(out, o + r);
      }
    } else {
      for (; r + lanes <= len; r += lanes) {
        DoubleVector.fromArray(DOUBLES, out, o + r)
            .add(mask(mk, moff + r).mul(DoubleVector.fromArray(DOUBLES, z, off + r)))
            .intoArray(out, o + r);
      }
    }
    MaskedColumns.addScalar(out, o, mk, moff, z, off, offW, len, relu, r);
  }

  static void write(double[] r, int off, int offW, byte[] mk, int moff, double[] g, int go,
      int len, boolean relu) {
    int lanes = DOUBLES.length();
    int k = 0;
    for (; k + lanes <= len; k += lanes) {
      DoubleVector v = mask(mk, moff + k).mul(DoubleVector.fromArray(DOUBLES, g, go + k));
      v.intoArray(r, off + k);
      if (relu) {
        v.neg().intoArray(r, offW + k);
      }
    }
    MaskedColumns.writeScalar(r, off, offW, mk, moff, g, go, len, relu, k);
  }
}
