package io.cvxrelu.spline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.Nnls;
import io.cvxrelu.solver.StopReason;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The 1-D spline corollary against independent answers: the Lasso over the data-point atoms
 * solved a second way (its dual, a least-distance program, by Lawson and Hanson's NNLS,
 * "Solving Least Squares Problems", 1974, ch. 23), kinks placed off the data (midpoints, a
 * dense grid) that must never do better, and the non-convex objective of the recovered
 * network.
 */
class SplineLassoTest {
  private static final SplineLassoSolver SOLVER = SplineLassoSolver.exact();

  /** Sorted x ~ U(-1, 1), y = sin(3 x) + noise. */
  static double[][] data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble(-1.0, 1.0);
    }
    Arrays.sort(x);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = Math.sin(3.0 * x[i]) + 0.3 * r.nextGaussian();
    }
    return new double[][] {x, y};
  }

  /**
   * The Lasso optimum by its dual: the projection theta of y_c onto
   * {theta : |a_j^T theta| &lt;= beta} is the least-distance program min ||delta|| s.t.
   * G delta &gt;= h with theta = y_c + delta, solved through NNLS on E = [G^T; h^T] and
   * f = e_{n+1} (Lawson and Hanson, Algorithm LDP): delta = -r_{1..n} / r_{n+1} with r = E u - f.
   * Returns {value, fitted values (n)}: the value 1/2 ||y_c||^2 - 1/2 ||delta||^2 and the fit
   * mean(y) + A_c w = mean(y) - delta.
   */
  static double[] leastDistanceOptimum(double[] x, double[] y, double beta) {
    int n = x.length;
    // The atoms built here from x, not taken from SplineLasso: right ramps (x - x_k)_+ and left
    // ramps (x_k - x)_+ at every data point, centred for the free intercept.
    int m = 2 * n;
    double yMean = Arrays.stream(y).average().orElseThrow();
    double[] yc = Arrays.stream(y).map(v -> v - yMean).toArray();
    DenseMatrix a = new DenseMatrix(n, m);
    for (int k = 0; k < n; k++) {
      double meanRight = 0.0;
      double meanLeft = 0.0;
      for (int i = 0; i < n; i++) {
        meanRight += Math.max(x[i] - x[k], 0.0) / n;
        meanLeft += Math.max(x[k] - x[i], 0.0) / n;
      }
      for (int i = 0; i < n; i++) {
        a.set(i, k, Math.max(x[i] - x[k], 0.0) - meanRight);
        a.set(i, n + k, Math.max(x[k] - x[i], 0.0) - meanLeft);
      }
    }
    DenseMatrix e = new DenseMatrix(n + 1, 2 * m);
    for (int j = 0; j < m; j++) {
      double ay = 0.0;
      for (int i = 0; i < n; i++) {
        ay += a.get(i, j) * yc[i];
      }
      for (int side = 0; side < 2; side++) {
        double sigma = side == 0 ? 1.0 : -1.0;
        int col = 2 * j + side;
        for (int i = 0; i < n; i++) {
          e.set(i, col, -sigma * a.get(i, j));
        }
        e.set(n, col, sigma * ay - beta);
      }
    }
    double[] f = new double[n + 1];
    f[n] = 1.0;
    double[] u = Nnls.solve(e, f, 50 * (n + 1));
    double[] r = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      double s = -f[i];
      for (int c = 0; c < 2 * m; c++) {
        s += e.get(i, c) * u[c];
      }
      r[i] = s;
    }
    assertTrue(Math.abs(r[n]) > 1e-12, "the least-distance program reports infeasible");
    double dd = 0.0;
    double yy = 0.0;
    double[] out = new double[n + 1];
    for (int i = 0; i < n; i++) {
      double delta = -r[i] / r[n];
      dd += delta * delta;
      yy += yc[i] * yc[i];
      out[1 + i] = yMean - delta;
    }
    out[0] = 0.5 * yy - 0.5 * dd;
    return out;
  }

  private static double[] fitted(SplineLasso p, SplineFit fit) {
    double[] x = p.x();
    double[] f = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = fit.intercept();
      for (int k = 0; k < p.atomCount(); k++) {
        s += fit.weights()[k] * Math.max(p.orientation(k) * (x[i] - p.kink(k)), 0.0);
      }
      f[i] = s;
    }
    return f;
  }

  @Test
  void dataPointLassoMatchesTheLeastDistanceDualSolvedByNnls() {
    for (long seed = 1; seed <= 3; seed++) {
      double[][] d = data(10, seed);
      SplineLasso base = SplineLasso.atDataPoints(d[0], d[1], 1.0);
      double betaMax = base.betaMax();
      for (double frac : new double[] {0.002, 0.02, 0.1, 0.4}) {
        SplineLasso p = base.withBeta(frac * betaMax);
        SplineFit fit = SOLVER.solve(p);
        assertEquals(StopReason.CONVERGED, fit.stopReason(), "seed " + seed + " frac " + frac);
        assertTrue(fit.relativeGap() <= 1e-12, "gap " + fit.relativeGap());
        double[] ldp = leastDistanceOptimum(d[0], d[1], p.beta());
        assertEquals(ldp[0], fit.objective(), 1e-8 * Math.max(1.0, ldp[0]),
            "seed " + seed + " frac " + frac);
        double[] mine = fitted(p, fit);
        for (int i = 0; i < p.n(); i++) {
          assertEquals(ldp[1 + i], mine[i], 1e-7, "fitted value " + i);
        }
      }
    }
  }

  @Test
  void kinksOffTheDataNeverDoBetter() {
    for (long seed = 4; seed <= 6; seed++) {
      double[][] d = data(9, seed);
      double[] x = d[0];
      double lo = x[0];
      double hi = x[x.length - 1];
      double[] midpoints = new double[x.length + 1];
      midpoints[0] = lo - 0.3;
      midpoints[x.length] = hi + 0.3;
      for (int i = 1; i < x.length; i++) {
        midpoints[i] = 0.5 * (x[i - 1] + x[i]);
      }
      // A dense grid between the points: 12 kinks strictly inside every gap, none on a point.
      double[] grid = new double[12 * (x.length - 1) + 2];
      grid[0] = lo - 0.1;
      grid[1] = hi + 0.1;
      for (int i = 1, c = 2; i < x.length; i++) {
        for (int t = 1; t <= 12; t++) {
          grid[c++] = x[i - 1] + (x[i] - x[i - 1]) * t / 13.0;
        }
      }
      double[] union = new double[grid.length + x.length];
      System.arraycopy(grid, 0, union, 0, grid.length);
      System.arraycopy(x, 0, union, grid.length, x.length);
      double betaMax = SplineLasso.atDataPoints(x, d[1], 1.0).betaMax();
      for (double frac : new double[] {0.005, 0.05, 0.3}) {
        double beta = frac * betaMax;
        SplineFit atData = SOLVER.solve(SplineLasso.atDataPoints(x, d[1], beta));
        assertTrue(atData.certified());
        double star = atData.objective();
        for (double[] kinks : new double[][] {midpoints, grid}) {
          SplineFit off = SOLVER.solve(SplineLasso.withKinks(x, d[1], beta, kinks));
          assertTrue(off.certified(), "off-data fit not certified: " + off.stopReason());
          assertTrue(off.dual() >= star - 1e-10 * star, "kinks off the data reach " + off.dual()
              + " below the data-point optimum " + star);
        }
        // Adding off-data kinks to the data points changes nothing.
        SplineFit both = SOLVER.solve(SplineLasso.withKinks(x, d[1], beta, union));
        assertTrue(both.certified());
        assertEquals(star, both.objective(), 1e-9 * star);
      }
    }
  }

  @Test
  void offDataKinkSetsAvoidTheDataAndDoNoBetter() {
    double[][] d = data(10, 14);
    SplineLasso p0 = SplineLasso.atDataPoints(d[0], d[1], 1.0);
    SplineLasso p = p0.withBeta(0.02 * p0.betaMax());
    double star = SOLVER.solve(p).objective();
    for (double[] kinks : new double[][] {OffDataKinks.midpoints(d[0]),
        OffDataKinks.grid(d[0], 7)}) {
      for (double s : kinks) {
        assertTrue(Arrays.stream(d[0]).noneMatch(v -> v == s), "kink " + s + " on a point");
      }
      SplineFit off = SOLVER.solve(SplineLasso.withKinks(d[0], d[1], p.beta(), kinks));
      assertTrue(off.certified());
      assertTrue(off.objective() > star, off.objective() + " vs " + star);
    }
    assertEquals(d[0].length + 1, OffDataKinks.midpoints(d[0]).length);
  }

  @Test
  void recoveredNetworkAttainsTheConvexOptimumWithKinksAtDataPoints() {
    double[][] d = data(12, 7);
    SplineLasso base = SplineLasso.atDataPoints(d[0], d[1], 1.0);
    for (double frac : new double[] {0.01, 0.1, 0.5}) {
      SplineLasso p = base.withBeta(frac * base.betaMax());
      SplineFit fit = SOLVER.solve(p);
      SplineNetwork net = SplineNetwork.recover(p, fit);
      assertTrue(net.width() >= 1);
      assertEquals(fit.objective(), net.objective(d[0], d[1], p.beta()),
          1e-12 * fit.objective());
      double[] f = fitted(p, fit);
      for (int i = 0; i < p.n(); i++) {
        assertEquals(f[i], net.evaluate(d[0][i]), 1e-12);
      }
      for (double s : net.kinks()) {
        assertTrue(Arrays.stream(d[0]).anyMatch(v -> Math.abs(v - s) <= 1e-12 * (1 + v)),
            "kink " + s + " is not at a data point");
      }
      // Each neuron is balanced, |u| = |alpha|, so its decay is beta |w|.
      double[] u = net.u();
      double[] alpha = net.alpha();
      for (int j = 0; j < u.length; j++) {
        assertEquals(Math.abs(u[j]), Math.abs(alpha[j]), 1e-15);
      }
    }
  }

  @Test
  void recoveredNetworkIsNotBeatenByRandomPerturbations() {
    double[][] d = data(8, 8);
    SplineLasso p0 = SplineLasso.atDataPoints(d[0], d[1], 1.0);
    SplineLasso p = p0.withBeta(0.05 * p0.betaMax());
    SplineNetwork net = SplineNetwork.recover(p, SOLVER.solve(p));
    double star = net.objective(d[0], d[1], p.beta());
    SplittableRandom r = new SplittableRandom(9);
    for (int t = 0; t < 300; t++) {
      double scale = t < 150 ? 1e-3 : 1e-1;
      double[] u = net.u();
      double[] b = net.b();
      double[] alpha = net.alpha();
      for (int j = 0; j < u.length; j++) {
        u[j] += scale * r.nextGaussian();
        b[j] += scale * r.nextGaussian();
        alpha[j] += scale * r.nextGaussian();
      }
      SplineNetwork moved = new SplineNetwork(u, b, alpha, net.intercept()
          + scale * r.nextGaussian());
      assertTrue(moved.objective(d[0], d[1], p.beta()) >= star - 1e-12 * star);
    }
  }

  @Test
  void atBetaMaxTheConstantFitIsOptimal() {
    double[][] d = data(7, 10);
    SplineLasso p0 = SplineLasso.atDataPoints(d[0], d[1], 1.0);
    SplineLasso p = p0.withBeta(p0.betaMax() * 1.0001);
    SplineFit fit = SOLVER.solve(p);
    assertTrue(fit.certified());
    assertTrue(Arrays.stream(fit.weights()).allMatch(w -> w == 0.0));
    double mean = Arrays.stream(d[1]).average().orElseThrow();
    assertEquals(mean, fit.intercept(), 1e-15);
    double ss = Arrays.stream(d[1]).map(v -> (v - mean) * (v - mean)).sum();
    assertEquals(0.5 * ss, fit.objective(), 1e-12);
  }

  @Test
  void badInputIsRefused() {
    double[] x = {0.0, 1.0};
    assertThrows(IllegalArgumentException.class, () -> SplineLasso.atDataPoints(x,
        new double[] {1.0}, 1.0));
    assertThrows(IllegalArgumentException.class, () -> SplineLasso.atDataPoints(x,
        new double[] {1.0, 2.0}, 0.0));
    assertThrows(IllegalArgumentException.class, () -> SplineLasso.atDataPoints(
        new double[] {0.0, Double.NaN}, new double[] {1.0, 2.0}, 1.0));
  }
}
