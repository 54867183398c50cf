package io.cvxrelu.problem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops of the fused kernels give the scalar loops' bits, on lengths that are
 * not multiples of the lane count and at unaligned offsets.
 */
class MaskedColumnsTest {
  @Test
  void vectorLoopsGiveTheScalarLoopsBits() {
    // The test JVM is started with the module (pom.xml's test.argLine), as the scripts are.
    assumeTrue(MaskedColumns.VECTOR, "jdk.incubator.vector is not in this JVM");
    SplittableRandom rng = new SplittableRandom(11);
    for (int len : new int[] {0, 1, 3, 7, 8, 9, 31, 64, 257}) {
      for (boolean relu : new boolean[] {false, true}) {
        int pad = 5;
        byte[] mk = new byte[len + 2 * pad];
        for (int k = 0; k < mk.length; k++) {
          mk[k] = (byte) (rng.nextBoolean() ? 1 : 0);
        }
        double[] z = gaussian(2 * len + 3 * pad, rng);
        double[] out = gaussian(len + pad, rng);
        double[] vector = out.clone();
        double[] scalar = out.clone();
        VectorMaskedColumns.add(vector, 2, mk, 3, z, 1, len + pad, len, relu);
        MaskedColumns.addScalar(scalar, 2, mk, 3, z, 1, len + pad, len, relu, 0);
        assertArrayEquals(scalar, vector, "add, len " + len + ", relu " + relu);

        double[] g = gaussian(len + pad, rng);
        double[] rv = gaussian(2 * len + 2 * pad, rng);
        double[] rs = rv.clone();
        VectorMaskedColumns.write(rv, 1, len + pad, mk, 4, g, 3, len, relu);
        MaskedColumns.writeScalar(rs, 1, len + pad, mk, 4, g, 3, len, relu, 0);
        assertArrayEquals(rs, rv, "write, len " + len + ", relu " + relu);
      }
    }
  }

  private static double[] gaussian(int n, SplittableRandom rng) {
    double[] a = new double[n];
    for (int k = 0; k < n; k++) {
      a[k] = rng.nextGaussian();
    }
    return a;
  }
}
