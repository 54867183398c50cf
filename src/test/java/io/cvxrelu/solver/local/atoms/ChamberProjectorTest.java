package io.cvxrelu.solver.local.atoms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Nnls;
import io.cvxrelu.patterns.SignPatterns;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chamber projections against Lawson-Hanson non-negative least squares over all rows at
 * once ({@link Nnls}, an independent implementation of the same dual), on random data: the
 * point, its membership of the cone, the bound when a key stops early, and a second, warm
 * projection of a nearby vector.
 */
class ChamberProjectorTest {
  private static final int N = 120;
  private static final int D = 6;
  private static final int P = 8;

  /** Several seeds: projections onto the apex (c in the polar cone) are the delicate case. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 4, 8, 21, 26, 31})
  void projectionsMatchNonNegativeLeastSquares(long seed) {
    Chambers ch = new Chambers(seed);
    SplittableRandom rng = ch.rng;
    DenseMatrix x = ch.x;
    SignPatterns patterns = ch.patterns;
    ChamberProjector projector = ch.projector;
    int[] keys = firstKeys(2 * P);
    DenseMatrix c = gaussian(D, 2 * P, rng);
    for (int pass = 0; pass < 2; pass++) {
      ChamberProjector.Projections out = projector.project(keys, c, 0.0);
      for (int k = 0; k < 2 * P; k++) {
        double[] expected = reference(x, patterns.mask(), k % P, column(c, k));
        double[] got = column(out.points(), k);
        assertTrue(out.inCone()[k], "key " + k);
        for (int i = 0; i < D; i++) {
          assertEquals(expected[i], got[i], 1e-9 * (1 + Blas.nrm2(D, column(c, k), 0)),
              "key " + k + " entry " + i + " pass " + pass);
        }
        // Each row's value a_r^T p / ||x_r|| within 1e-12 ||c|| of the cone, as the projector
        // promises; an exact projection can sit on many faces at once.
        double worst = minRow(x, patterns.mask(), k % P, got);
        assertTrue(worst >= -2e-12 * Blas.nrm2(D, column(c, k), 0), "inside K, key " + k + ": " + worst);
        assertEquals(Blas.nrm2(D, got, 0), out.bounds()[k], 1e-12);
      }
      // A nearby vector for the warm pass.
      for (int i = 0; i < c.data().length; i++) {
        c.data()[i] += 0.01 * rng.nextGaussian();
      }
    }
  }

  @Test
  void anEarlyStopStillBoundsTheProjection() {
    Chambers ch = new Chambers(12);
    DenseMatrix x = ch.x;
    SignPatterns patterns = ch.patterns;
    ChamberProjector projector = ch.projector;
    DenseMatrix c = gaussian(D, P, ch.rng);
    int[] keys = firstKeys(P);
    double enough = 0.5 * Blas.nrm2(D, column(c, 0), 0);
    ChamberProjector.Projections out = projector.project(keys, c, enough);
    for (int k = 0; k < P; k++) {
      double exact = Blas.nrm2(D, reference(x, patterns.mask(), k, column(c, k)), 0);
      assertTrue(out.bounds()[k] >= exact - 1e-12, "bound below the projection, key " + k);
    }
  }

  /** Pi_K(c) = c + A^T mu, mu = argmin_{mu >= 0} ||A^T mu - (-c)|| over all N rows. */
  private static double[] reference(DenseMatrix x, byte[] mask, int j, double[] c) {
    DenseMatrix at = new DenseMatrix(D, N);
    for (int r = 0; r < N; r++) {
      double s = mask[j * N + r] != 0 ? 1.0 : -1.0;
      for (int i = 0; i < D; i++) {
        at.set(i, r, s * x.get(r, i));
      }
    }
    double[] minusC = new double[D];
    for (int i = 0; i < D; i++) {
      minusC[i] = -c[i];
    }
    double[] mu = Nnls.solve(at, minusC, 10 * N);
    double[] p = c.clone();
    for (int r = 0; r < N; r++) {
      for (int i = 0; i < D; i++) {
        p[i] += at.get(i, r) * mu[r];
      }
    }
    return p;
  }

  private static double minRow(DenseMatrix x, byte[] mask, int j, double[] u) {
    double worst = Double.POSITIVE_INFINITY;
    for (int r = 0; r < N; r++) {
      double v = 0.0;
      double norm = 0.0;
      for (int i = 0; i < D; i++) {
        v += x.get(r, i) * u[i];
        norm += x.get(r, i) * x.get(r, i);
      }
      double s = mask[j * N + r] != 0 ? 1.0 : -1.0;
      worst = Math.min(worst, s * v / Math.sqrt(norm));
    }
    return worst;
  }

  /** Random rows, P sampled patterns over them, and their projector. */
  private static final class Chambers {
    final SplittableRandom rng;
    final DenseMatrix x;
    final SignPatterns patterns;
    final ChamberProjector projector;

    Chambers(long seed) {
      rng = new SplittableRandom(seed);
      x = gaussian(N, D, rng);
      patterns = SignPatterns.sample(x, P, seed + 100, 10_000);
      projector = new ChamberProjector(x, patterns.mask(), P);
    }
  }

  private static int[] firstKeys(int count) {
    int[] keys = new int[count];
    for (int k = 0; k < count; k++) {
      keys[k] = k;
    }
    return keys;
  }

  private static double[] column(DenseMatrix m, int k) {
    return m.column(k);
  }

  private static DenseMatrix gaussian(int rows, int cols, SplittableRandom rng) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int k = 0; k < m.data().length; k++) {
      m.data()[k] = rng.nextGaussian();
    }
    return m;
  }
}
