package io.cvxrelu.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Cholesky factor solves A X = B to rounding, for sizes below and above the blocked,
 * core-split path (taken when the suite runs with one BLAS thread), and refuses matrices that
 * are not positive definite in either path.
 */
class CholeskyTest {
  private static DenseMatrix spd(int n, SplittableRandom rng) {
    DenseMatrix g = RandomMatrices.gaussian(n, n, rng);
    DenseMatrix a = new DenseMatrix(n, n);
    Blas.gemm(true, false, 1.0 / n, g, g, 0.0, a);
    for (int i = 0; i < n; i++) {
      a.set(i, i, a.get(i, i) + 0.5);
    }
    return a;
  }

  @Test
  void solvesSpdSystemsBelowAndAboveTheBlockedSize() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int n : new int[] {1, 7, 300, 2100}) {
      DenseMatrix a = spd(n, rng);
      DenseMatrix b = RandomMatrices.gaussian(n, 5, rng);
      DenseMatrix x = b.copy();
      Cholesky.factor(a).solveInPlace(x);
      DenseMatrix ax = new DenseMatrix(n, 5);
      Blas.gemm(false, false, 1.0, a, x, 0.0, ax);
      for (int k = 0; k < b.data().length; k++) {
        assertEquals(b.data()[k], ax.data()[k], 1e-9 * (1 + Math.abs(b.data()[k])), "n = " + n);
      }
    }
  }

  @Test
  void factoringInPlaceGivesTheSameSolves() {
    SplittableRandom rng = new SplittableRandom(5);
    DenseMatrix a = spd(300, rng);
    DenseMatrix b = RandomMatrices.gaussian(300, 3, rng);
    DenseMatrix copied = b.copy();
    Cholesky.factor(a).solveInPlace(copied);
    DenseMatrix scratch = a.copy();
    Cholesky owned = Cholesky.factorOverwriting(scratch);
    DenseMatrix inPlace = b.copy();
    owned.solveInPlace(inPlace);
    assertArrayEquals(copied.data(), inPlace.data());
    // The scratch storage now holds the factor: its diagonal is sqrt(a_11) first.
    assertEquals(Math.sqrt(a.get(0, 0)), scratch.get(0, 0), 1e-14 * Math.sqrt(a.get(0, 0)));
  }

  @Test
  void blockedFactorMatchesLapackOnTheLowerTriangle() {
    SplittableRandom rng = new SplittableRandom(4);
    int n = 2100;
    DenseMatrix a = spd(n, rng);
    double[] blocked = a.data().clone();
    assertEquals(0, Cholesky.factorLower(blocked, n));
    double[] whole = a.data().clone();
    assertTrue(Cholesky.factorInPlace(whole, 0, n));
    for (int c = 0; c < n; c++) {
      for (int r = c; r < n; r++) {
        assertEquals(whole[r + c * n], blocked[r + c * n], 1e-10, r + "," + c);
      }
    }
  }

  @Test
  void notPositiveDefiniteIsRefusedInEitherPath() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int n : new int[] {50, 2100}) {
      DenseMatrix a = spd(n, rng);
      // A negative pivot deep in the matrix (past the first blocks of the blocked path).
      a.set(n - 3, n - 3, -1.0);
      assertThrows(ArithmeticException.class, () -> Cholesky.factor(a), "n = " + n);
    }
  }

  @Test
  void triangleCutsSplitTheLowerTriangleEvenly() {
    int[] cuts = Cholesky.triangleCuts(1000, 2);
    assertArrayEquals(new int[] {0, 293, 1000}, cuts);
    double left = 0;
    for (int c = 0; c < cuts[1]; c++) {
      left += 1000 - c;
    }
    assertEquals(0.5, left / (1000.0 * 1001 / 2), 0.01);
    assertArrayEquals(new int[] {0, 0, 1}, Cholesky.triangleCuts(1, 2));
  }
}
