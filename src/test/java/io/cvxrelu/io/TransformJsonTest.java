package io.cvxrelu.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * preprocessing.json round trips: a fitted standardisation with a PCA or a random projection
 * reads back bit for bit and transforms rows exactly as the fitted one; defects are one-line
 * data errors.
 */
class TransformJsonTest {
  private static DenseMatrix rows(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x.set(i, j, rng.nextGaussian() * (j + 1) + j);
      }
    }
    return x;
  }

  @Test
  void fittedTransformsRoundTripExactly() {
    DenseMatrix train = rows(50, 6, 1);
    DenseMatrix fresh = rows(20, 6, 2);
    for (FeatureTransform.Reduction r : FeatureTransform.Reduction.values()) {
      FeatureTransform t = FeatureTransform.fit(train, true, r, 3, 9);
      FeatureTransform back = TransformJson.read(TransformJson.write(t), "test");
      assertArrayEquals(t.mean(), back.mean(), 0.0);
      assertArrayEquals(t.scale(), back.scale(), 0.0);
      assertArrayEquals(t.apply(fresh).data(), back.apply(fresh).data(), 0.0, r.name());
      assertEquals(TransformJson.write(t), TransformJson.write(back));
    }
    FeatureTransform identity = TransformJson.read(TransformJson.write(
        FeatureTransform.IDENTITY), "test");
    assertNull(identity.mean());
    assertNull(identity.projection());
    assertEquals(-1, identity.inputDimension());
  }

  @Test
  void defectsAreDataErrors() {
    assertThrows(DataFormatException.class, () -> TransformJson.read("{", "x"));
    assertThrows(DataFormatException.class, () -> TransformJson.read("{\"format\":\"other\"}",
        "x"));
    assertThrows(DataFormatException.class, () -> TransformJson.read(
        "{\"format\":\"cvxrelu-preprocessing\",\"version\":1,\"mean\":[1,2],\"scale\":[1]}",
        "x"));
    assertThrows(DataFormatException.class, () -> TransformJson.read(
        "{\"format\":\"cvxrelu-preprocessing\",\"version\":1,\"mean\":[1],\"scale\":[0]}",
        "x"));
    assertThrows(DataFormatException.class, () -> TransformJson.read(
        "{\"format\":\"cvxrelu-preprocessing\",\"version\":2}", "x"));
  }
}
