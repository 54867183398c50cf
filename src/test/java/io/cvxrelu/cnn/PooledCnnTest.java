package io.cvxrelu.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pooled CNN programs (shared filters, global pooling) against independent answers: the
 * fully connected programs' own solvers when K = 1, the network evaluated from the patches, and
 * the pooled design summed pixel by pixel.
 */
class PooledCnnTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-11, 1e-9, 500_000, 60.0);

  /** A target a pooled ReLU CNN can fit: two filters on the patches, plus noise. */
  private static double[] targets(DenseMatrix x, PatchGeometry g, SplittableRandom rng) {
    double[] y = new double[x.rows()];
    for (int r = 0; r < y.length; r++) {
      for (int k = 0; k < g.patchCount(); k++) {
        double a = x.get(r, g.pixel(k, 0)) + x.get(r, g.pixel(k, 1));
        double b = x.get(r, g.pixel(k, g.patchSize() - 1));
        y[r] += Math.max(a, 0.0) - 0.5 * Math.max(b, 0.0);
      }
      y[r] += 0.1 * rng.nextGaussian();
    }
    return y;
  }

  @Test
  void pooledDesignIsTheSumOfMaskedPatches() {
    SplittableRandom rng = new SplittableRandom(1);
    PatchGeometry g = PatchGeometry.windows(2, 4, 5, 2, 1);
    DenseMatrix x = RandomMatrices.gaussian(7, g.inputSize(), rng);
    StackedPatches s = StackedPatches.of(x, g);
    SignPatterns patterns = s.samplePatterns(5, 3);
    DenseMatrix a = s.pooledDesign(patterns);
    int h = g.patchSize();
    for (int i = 0; i < patterns.count(); i++) {
      double[] gate = patterns.gates().column(i);
      for (int r = 0; r < x.rows(); r++) {
        for (int t = 0; t < h; t++) {
          double expected = 0.0;
          for (int k = 0; k < g.patchCount(); k++) {
            double dot = 0.0;
            for (int q = 0; q < h; q++) {
              dot += x.get(r, g.pixel(k, q)) * gate[q];
            }
            expected += dot > 0.0 ? x.get(r, g.pixel(k, t)) : 0.0;
          }
          assertEquals(expected, a.get(r, i * h + t), 1e-13);
        }
      }
    }
    double[] y = RandomMatrices.gaussian(7, 1, rng).data();
    double fromDesign = PooledGatedCnn.of(s, patterns, y, g, 1.0).betaMax();
    assertEquals(fromDesign, s.betaMax(patterns, y), 1e-12 * fromDesign);
  }

  /** K = 1: the gated pooled program is the fully connected gated program, same patterns. */
  @Test
  void gatedWithOnePatchIsTheFullyConnectedGatedProgram() {
    SplittableRandom rng = new SplittableRandom(2);
    int d = 4;
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    DenseMatrix x = RandomMatrices.gaussian(40, d, rng);
    double[] y = targets(x, whole, rng);
    PooledGatedCnn unit = PooledGatedCnn.of(x, y, whole, 12, 7, 1.0);
    double beta = 0.05 * unit.betaMax();
    PooledGatedCnn cnn = unit.withBeta(beta);
    SolverResult r = new ProximalGradientSolver().solve(cnn.problem(), TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    SignPatterns patterns = SignPatterns.sample(x, 12, 7, 1200);
    assertEquals(patterns.count(), cnn.patterns().count());
    ConvexReluProblem fc = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta,
        Formulation.GATED);
    SolverResult fcResult = new SsnalGatedSolver().solve(fc, null,
        new SolverOptions(1e-10, 1e-9, 500_000, 60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, fcResult.stopReason());
    double value = r.certificate().objective();
    assertEquals(fcResult.certificate().objective(), value, 1e-8 * value);
  }

  /** K = 1: the ReLU pooled program is the fully connected ReLU program (interior point). */
  @Test
  void reluWithOnePatchIsTheFullyConnectedReluProgram() {
    SplittableRandom rng = new SplittableRandom(4);
    int d = 4;
    PatchGeometry whole = PatchGeometry.windows(1, 1, d, d, 1);
    DenseMatrix x = RandomMatrices.gaussian(40, d, rng);
    double[] y = targets(x, whole, rng);
    StackedPatches s = StackedPatches.of(x, whole);
    SignPatterns patterns = s.samplePatterns(10, 5);
    double beta = 0.05 * PooledGatedCnn.of(s, patterns, y, whole, 1.0).betaMax();
    PooledReluCnn cnn = new PooledReluCnn(s, patterns, y, whole, beta);
    SolverResult r = new PooledReluSolver().solve(cnn,
        new SolverOptions(1e-10, 1e-9, 500_000, 60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    ConvexReluProblem fc = new ConvexReluProblem(x, y, SignPatterns.sample(x, 10, 5, 1000),
        new SquaredLoss(), beta, Formulation.RELU);
    SolverResult ipm = new InteriorPointReluSolver().solve(fc, null,
        new SolverOptions(1e-10, 1e-9, 500_000, 60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, ipm.stopReason());
    double value = r.certificate().objective();
    assertEquals(ipm.certificate().objective(), value, 1e-8 * value);
  }

  /** Several patches: the recovered gated CNN, evaluated from the patches, has the convex value. */
  @Test
  void recoveredGatedCnnHasTheConvexObjective() {
    SplittableRandom rng = new SplittableRandom(5);
    PatchGeometry g = PatchGeometry.windows(1, 5, 5, 3, 1);
    DenseMatrix x = RandomMatrices.gaussian(60, g.inputSize(), rng);
    double[] y = targets(x, g, rng);
    PooledGatedCnn unit = PooledGatedCnn.of(x, y, g, 20, 1, 1.0);
    PooledGatedCnn cnn = unit.withBeta(0.02 * unit.betaMax());
    SolverResult r = new ProximalGradientSolver().solve(cnn.problem(), TIGHT,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    assertTrue(r.certificate().relativeGap() <= 1e-11);
    PooledCnn network = cnn.recover(r);
    assertTrue(network.width() > 1, "several filters");
    double convex = r.certificate().objective();
    assertEquals(convex, network.objective(x, y, cnn.problem().beta()), 1e-9 * convex);
  }

  /**
   * Several patches: the interior-point method certifies the ReLU program with its cones
   * satisfied, the recovered ReLU CNN (evaluated from the patches) has its value, the
   * augmented Lagrangian's dual bound lies below it, and it lies above the gated program on the
   * same patterns (whose feasible set it restricts: u = v - w, ||v|| + ||w|| &gt;= ||u||).
   */
  @Test
  void recoveredReluCnnHasTheConvexObjective() {
    SplittableRandom rng = new SplittableRandom(6);
    PatchGeometry g = PatchGeometry.windows(1, 1, 8, 3, 1);
    DenseMatrix x = RandomMatrices.gaussian(50, g.inputSize(), rng);
    double[] y = targets(x, g, rng);
    StackedPatches s = StackedPatches.of(x, g);
    SignPatterns patterns = s.samplePatterns(12, 2);
    PooledGatedCnn unit = PooledGatedCnn.of(s, patterns, y, g, 1.0);
    double beta = 0.05 * unit.betaMax();
    PooledReluCnn cnn = new PooledReluCnn(s, patterns, y, g, beta);
    SolverOptions options = new SolverOptions(1e-10, 1e-10, 500_000, 60.0);
    SolverResult r = new PooledInteriorPointSolver().solve(cnn, options, IterationListener.NONE)
        .orElseThrow();
    assertEquals(StopReason.CONVERGED, r.stopReason());
    assertTrue(r.certificate().constraintViolation() <= 1e-10 * Math.max(1.0, cnn.largestLabel()));
    PooledCnn network = cnn.recover(r);
    assertTrue(network.width() > 1, "several filters");
    double convex = r.certificate().objective();
    assertEquals(convex, network.objective(x, y, beta), 1e-9 * convex);
    SolverResult al = new PooledReluSolver().solve(cnn, options.withMaxIterations(1_000),
        IterationListener.NONE);
    assertTrue(al.certificate().lowerBound() <= convex);
    SolverResult gated = new ProximalGradientSolver().solve(unit.withBeta(beta).problem(), TIGHT,
        IterationListener.NONE);
    assertTrue(convex >= gated.certificate().lowerBound());
  }

  /**
   * 1-D signals with h = 2: the patterns of the stacked patches are enumerated exactly, so the
   * certified ReLU program bounds the non-convex pooled CNN from below (Ergen and Pilanci 2021,
   * the Fig. 2 claim of Pilanci and Ergen 2020 for CNNs): gradient descent on the network, from
   * several starts, never goes below the certificate's lower bound, and the recovered network
   * attains it.
   */
  @Test
  void localSearchNeverBeatsTheExactCertificate() {
    SplittableRandom rng = new SplittableRandom(10);
    PatchGeometry g = PatchGeometry.windows(1, 1, 5, 2, 1);
    DenseMatrix x = RandomMatrices.gaussian(15, g.inputSize(), rng);
    double[] y = targets(x, g, rng);
    StackedPatches s = StackedPatches.of(x, g);
    SignPatterns all = s.enumeratePatterns(1_000_000);
    assertTrue(all.count() <= 2 * x.rows() * g.patchCount());
    assertEquals(all.count(), s.samplePatterns(4 * all.count(), 3).count(),
        "sampling finds no pattern the enumeration missed");
    double beta = 0.05 * s.betaMax(all, y);
    PooledReluCnn cnn = new PooledReluCnn(s, all, y, g, beta);
    SolverResult r = new PooledInteriorPointSolver().solve(cnn, TIGHT, IterationListener.NONE)
        .orElseThrow();
    assertEquals(StopReason.CONVERGED, r.stopReason());
    double lower = r.certificate().lowerBound();
    PooledCnn network = cnn.recover(r);
    assertEquals(r.certificate().objective(), network.objective(x, y, beta),
        1e-9 * r.certificate().objective());
    PooledCnnDescent descent = new PooledCnnDescent(g, x, y, beta);
    for (long seed = 0; seed < 4; seed++) {
      double local = descent.descend(Math.max(network.width(), 4), seed, 400);
      assertTrue(local >= lower * (1.0 - 1e-9), "descent " + local + " below " + lower);
    }
  }
}
