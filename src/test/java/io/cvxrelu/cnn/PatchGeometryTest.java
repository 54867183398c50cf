package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/** Patches read the right pixels; bad shapes fail with one-line messages. */
class PatchGeometryTest {

  @Test
  void imagePatchesHoldEveryChannelOfTheirWindow() {
    PatchGeometry g = PatchGeometry.windows(2, 4, 5, 2, 2);
    assertEquals(8, g.patchSize());
    assertEquals(4, g.patchCount());
    // Patch 3 is the second window of the second row of windows: top-left pixel (2, 2).
    for (int c = 0; c < 2; c++) {
      for (int dy = 0; dy < 2; dy++) {
        for (int dx = 0; dx < 2; dx++) {
          assertEquals((c * 4 + 2 + dy) * 5 + 2 + dx, g.pixel(3, c * 4 + dy * 2 + dx));
        }
      }
    }
    DenseMatrix x = new DenseMatrix(1, 40);
    for (int j = 0; j < 40; j++) {
      x.set(0, j, j);
    }
    DenseMatrix a = g.patchRows(x);
    assertEquals(32, a.cols());
    assertEquals(g.pixel(1, 5), a.get(0, 5 + 8));
  }

  @Test
  void circularPatchesAreTheShiftsOfTheSignal() {
    PatchGeometry g = PatchGeometry.circularShifts(5);
    assertEquals(5, g.patchSize());
    assertEquals(5, g.patchCount());
    assertEquals(1, g.pixel(3, 3));
    assertTrue(g.circular());
    assertFalse(PatchGeometry.windows(1, 1, 5, 2, 1).circular());
    assertEquals(4, PatchGeometry.windows(1, 1, 5, 2, 1).patchCount());
  }

  @Test
  void badShapesAreRejectedInOneLine() {
    for (Runnable bad : new Runnable[] {
        () -> PatchGeometry.windows(1, 4, 4, 5, 1),
        () -> PatchGeometry.windows(1, 1, 4, 5, 1),
        () -> PatchGeometry.windows(1, 4, 4, 2, 0),
        () -> PatchGeometry.windows(1, 4, 4, 0, 1),
        () -> PatchGeometry.windows(0, 4, 4, 2, 1),
        () -> new PatchGeometry(3, 1, 8, 8, 1, true),
        () -> PatchGeometry.windows(1, 4, 4, 2, 2).patchRows(new DenseMatrix(2, 15))}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }
}
