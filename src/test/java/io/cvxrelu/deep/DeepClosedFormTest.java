package io.cvxrelu.deep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.SymmetricEigen;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.train.ProblemSetup;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The closed forms of {@code io.cvxrelu.deep} against independent answers: the convex program
 * solved by the interior-point solver over every sign pattern (L = 2), the network objective
 * evaluated at the returned weights, random perturbations of those weights, and an SVD computed
 * another way (LAPACK's symmetric eigensolver on the Gram matrix).
 */
class DeepClosedFormTest {

  static DenseMatrix gaussian(int n, int d, SplittableRandom r) {
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    return x;
  }

  static DenseMatrix whitened(int n, int d, long seed) {
    DenseMatrix x = gaussian(n, d, new SplittableRandom(seed));
    DenseMatrix w = new DenseMatrix(n, d);
    Blas.gemm(false, false, 1.0, x, WhitenedClosedForm.whiteningMap(x), 0.0, w);
    return w;
  }

  static double[] labels(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextGaussian();
    }
    return y;
  }

  static DenseMatrix oneHot(int n, int classes) {
    DenseMatrix y = new DenseMatrix(n, classes);
    for (int i = 0; i < n; i++) {
      y.set(i, (i * 7 + i / 3) % classes, 1.0);
    }
    return y;
  }

  static DenseMatrix rankOne(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    double[] a = new double[d];
    for (int j = 0; j < d; j++) {
      a[j] = r.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      double c = i % 4 == 0 ? 0.0 : r.nextDouble(0.1, 2.0);
      for (int j = 0; j < d; j++) {
        x.set(i, j, c * a[j]);
      }
    }
    return x;
  }

  /** The L = 2 convex program over every sign pattern, solved to a certified 1e-11 gap. */
  static double convexOptimum(DenseMatrix x, double[] y, double beta) {
    SignPatterns patterns = ProblemSetup.enumerated(x);
    ConvexReluProblem p = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta,
        Formulation.RELU);
    SolverResult r = new InteriorPointReluSolver().solve(p, null,
        new SolverOptions(1e-11, 1e-11, 500, 60.0), IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, r.stopReason());
    assertTrue(r.certificate().constraintViolation() <= 1e-9);
    return r.certificate().objective();
  }

  @Test
  void whitenedScalarL2IsTheConvexProgramsOptimum() {
    DenseMatrix x = whitened(5, 6, 1);
    double[] y = labels(5, 2);
    for (double beta : new double[] {0.05, 0.6, 1.5}) {
      ClosedForm cf = WhitenedClosedForm.scalar(x, y, beta, 2);
      double convex = convexOptimum(x, y, beta);
      assertEquals(convex, cf.value(), 1e-8 * Math.max(1.0, convex), "beta " + beta);
      assertEquals(cf.value(), cf.network().objective(x, DeepNetwork.column(y), beta), 1e-12);
    }
  }

  @Test
  void rankOneL2IsTheConvexProgramsOptimum() {
    DenseMatrix x = rankOne(9, 3, 3);
    double[] y = labels(9, 4);
    for (double beta : new double[] {0.1, 1.0}) {
      ClosedForm cf = RankOneClosedForm.solve(x, DeepNetwork.column(y), beta, 2);
      double convex = convexOptimum(x, y, beta);
      assertEquals(convex, cf.value(), 1e-8 * Math.max(1.0, convex), "beta " + beta);
    }
  }

  @Test
  void everyClosedFormIsAttainedByItsWeightsAndNoPerturbationDoesBetter() {
    DenseMatrix xw = whitened(8, 12, 5);
    double[] y = labels(8, 6);
    DenseMatrix yo = oneHot(8, 3);
    DenseMatrix x1 = rankOne(10, 4, 7);
    for (int depth = 2; depth <= 5; depth++) {
      for (double beta : new double[] {0.02, 0.3, 0.9}) {
        check(WhitenedClosedForm.scalar(xw, y, beta, depth), xw, DeepNetwork.column(y), beta);
        check(WhitenedClosedForm.oneHot(xw, yo, beta, depth), xw, yo, beta);
        check(RankOneClosedForm.solve(x1, column(labels(10, 8)), beta, depth), x1,
            column(labels(10, 8)), beta);
        check(RankOneClosedForm.solve(x1, oneHot(10, 2), beta, depth), x1, oneHot(10, 2), beta);
        check(DeepLinearClosedForm.weightDecay(xw, yo, beta, depth), xw, yo, beta);
      }
    }
  }

  private static DenseMatrix column(double[] y) {
    return DeepNetwork.column(y);
  }

  /** J(weights) = value, and 200 random perturbations of relative size 1e-3 do not lower J. */
  private static void check(ClosedForm cf, DenseMatrix x, DenseMatrix y, double beta) {
    DeepNetwork net = cf.network();
    double at = net.objective(x, y, beta);
    assertEquals(cf.value(), at, 1e-12 * Math.max(1.0, at));
    SplittableRandom r = new SplittableRandom(11);
    double scale = 1e-3 * Math.sqrt(Math.max(net.squaredNorm(), 1.0) / net.depth());
    for (int trial = 0; trial < 200; trial++) {
      List<DenseMatrix> moved = new ArrayList<>();
      for (DenseMatrix w : net.layers()) {
        for (int k = 0; k < w.data().length; k++) {
          w.data()[k] += scale * r.nextGaussian() / Math.sqrt(w.data().length);
        }
        moved.add(w);
      }
      double perturbed = new DeepNetwork(moved, net.activation()).objective(x, y, beta);
      assertTrue(perturbed >= cf.value() * (1.0 - 1e-9), "perturbation lowered J from "
          + cf.value() + " to " + perturbed);
    }
  }

  @Test
  void deepLinearCertificateIsZeroForWhitenedDataAndAgreesWithAnotherSvd() {
    DenseMatrix x = whitened(8, 11, 9);
    DenseMatrix y = gaussian(8, 3, new SplittableRandom(10));
    double lambda = 0.7;
    LinearCertificate c = DeepLinearClosedForm.nuclear(x, y, lambda);
    assertTrue(Math.abs(c.relativeGap()) <= 1e-12, "gap " + c.gap());
    assertEquals(DeepLinearClosedForm.weightDecay(x, y, lambda, 2).value(), c.primal(), 1e-11);
    // The singular values of P_X Y = Y here (X X^T = I) from the eigenvectors of Y^T Y.
    DenseMatrix gram = new DenseMatrix(3, 3);
    Blas.gemm(true, false, 1.0, y, y, 0.0, gram);
    DenseMatrix v = SymmetricEigen.topEigenvectors(gram, 3);
    DenseMatrix yv = new DenseMatrix(8, 3);
    Blas.gemm(false, false, 1.0, y, v, 0.0, yv);
    for (int depth = 2; depth <= 4; depth++) {
      double expected = 0.0;
      for (int i = 0; i < 3; i++) {
        expected += PathShrinkage.value(yv.columnNorm(i), lambda, depth);
      }
      assertEquals(expected, DeepLinearClosedForm.weightDecay(x, y, lambda, depth).value(),
          1e-11, "depth " + depth);
    }
    // The t-constrained program of depth 3 with t = 2 is the nuclear program at lambda / 2.
    assertEquals(DeepLinearClosedForm.nuclear(x, y, lambda / 2).primal(),
        DeepLinearClosedForm.constrained(x, y, lambda, 2.0, 3).primal(), 1e-12);
  }

  @Test
  void deepLinearScalarDualIsTheProjectionForAnyDataAndTheThresholdedSvdHasAGapThere() {
    DenseMatrix x = gaussian(12, 4, new SplittableRandom(12));
    double[] y = labels(12, 13);
    double lambda = 1.5;
    LinearCertificate exact = DeepLinearClosedForm.scalarProjection(x, y, lambda);
    assertTrue(Math.abs(exact.relativeGap()) <= 1e-10, "gap " + exact.gap());
    LinearCertificate svt = DeepLinearClosedForm.nuclear(x, DeepNetwork.column(y), lambda);
    assertTrue(svt.gap() > 1e-6, "the thresholded SVD is not optimal for general X");
    assertTrue(svt.primal() >= exact.primal() - 1e-12);
    assertTrue(svt.dual() <= exact.primal() + 1e-12);
  }

  @Test
  void badInputIsRefusedWithOneLine() {
    DenseMatrix raw = gaussian(5, 8, new SplittableRandom(14));
    double[] y = labels(5, 15);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WhitenedClosedForm.scalar(raw, y, 0.1, 3));
    assertTrue(e.getMessage().contains("||X X^T - I||_F = "), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
    DenseMatrix x = whitened(5, 8, 16);
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> WhitenedClosedForm.scalar(x, y, 0.1, 1)).getMessage().contains("L must be >= 2"));
    assertThrows(IllegalArgumentException.class, () -> RankOneClosedForm.solve(raw,
        DeepNetwork.column(y), 0.1, 2));
    DenseMatrix mixed = rankOne(6, 3, 17);
    mixed.set(1, 0, -mixed.get(2, 0));
    for (int j = 0; j < 3; j++) {
      mixed.set(1, j, -mixed.get(2, j));
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RankOneClosedForm.solve(mixed,
        DeepNetwork.column(labels(6, 1)), 0.1, 2)).getMessage().contains("c >= 0"));
    DenseMatrix twoHot = oneHot(5, 2);
    twoHot.set(0, 0, 1.0);
    twoHot.set(0, 1, 1.0);
    assertThrows(IllegalArgumentException.class, () -> WhitenedClosedForm.oneHot(x, twoHot, 0.1,
        2));
    assertThrows(IllegalArgumentException.class, () -> DeepLinearClosedForm.weightDecay(raw,
        DeepNetwork.column(y), 0.1, 2));
  }
}
