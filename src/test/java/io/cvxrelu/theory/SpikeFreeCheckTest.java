package io.cvxrelu.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.Cholesky;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.linalg.ThinSvd;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.testutil.RandomMatrices;
import io.cvxrelu.theory.SpikeFreeCheck.Outcome;
import io.cvxrelu.theory.SpikeFreeCheck.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The spike-free check on data whose answer is known (whitened, X X^T diagonal, rank-one with
 * c &gt;= 0: spike-free; Gaussian n &gt;= 5: not), its witnesses re-checked by an independent
 * computation (Cholesky of X X^T, not the SVD the check uses), the theorem itself against brute
 * force on two rows, and its consequence: on spike-free data the all-pattern ReLU program and
 * the two-block program have the same certified optimum, while on Gaussian data they differ.
 */
class SpikeFreeCheckTest {
  private static final SolverOptions TIGHT = new SolverOptions(1e-9, 1e-9, 200_000, 60.0);

  /** n x d with orthonormal rows (X X^T = I): Gaussian data with its singular values set to 1. */
  static DenseMatrix whitened(int n, int d, long seed) {
    ThinSvd svd = ThinSvd.of(RandomMatrices.gaussian(n, d, new SplittableRandom(seed)));
    DenseMatrix x = new DenseMatrix(n, d);
    Blas.gemm(false, false, 1.0, svd.u(), svd.vt(), 0.0, x);
    return x;
  }

  /** X = c a^T with c &gt;= 0 (two zero entries) and a Gaussian. */
  static DenseMatrix rankOne(int n, int d, long seed, boolean mixedSigns) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    double[] a = new double[d];
    for (int k = 0; k < d; k++) {
      a[k] = r.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      double c = i < 2 ? 0.0 : Math.abs(r.nextGaussian()) * (mixedSigns && i % 3 == 0 ? -1 : 1);
      for (int k = 0; k < d; k++) {
        x.set(i, k, c * a[k]);
      }
    }
    return x;
  }

  /** ||X^+ (X u)_+||^2 = z^T (X X^T)^{-1} z by Cholesky, for rank X = n. */
  private static double preimageNormSquared(DenseMatrix x, double[] u) {
    int n = x.rows();
    DenseMatrix gram = new DenseMatrix(n, n);
    Blas.gemm(false, true, 1.0, x, x, 0.0, gram);
    DenseMatrix z = new DenseMatrix(n, 1);
    for (int i = 0; i < n; i++) {
      double v = 0.0;
      for (int k = 0; k < x.cols(); k++) {
        v += x.get(i, k) * u[k];
      }
      z.set(i, 0, Math.max(v, 0.0));
    }
    DenseMatrix sol = z.copy();
    Cholesky.factor(gram).solveInPlace(sol);
    return Blas.dot(n, z.data(), sol.data());
  }

  @Test
  void whitenedAndDiagonalGramDataAreSpikeFreeExactly() {
    for (long seed = 0; seed < 3; seed++) {
      Verdict v = SpikeFreeCheck.check(whitened(6, 10, seed), 1000, seed);
      assertEquals(Outcome.SPIKE_FREE, v.outcome(), v.evidence());
      assertTrue(v.exact());
      assertNull(v.witness());
    }
    // Rows of different lengths, still orthogonal: X X^T diagonal.
    DenseMatrix x = whitened(5, 8, 7);
    for (int i = 0; i < 5; i++) {
      for (int k = 0; k < 8; k++) {
        x.set(i, k, x.get(i, k) * (i + 1));
      }
    }
    assertEquals(Outcome.SPIKE_FREE, SpikeFreeCheck.check(x, 10, 0).outcome());
  }

  @Test
  void gaussianDataWithFiveOrMoreRowsAreNotSpikeFreeAndTheWitnessChecksOut() {
    for (long seed = 0; seed < 5; seed++) {
      DenseMatrix x = RandomMatrices.gaussian(8, 20, new SplittableRandom(seed));
      Verdict v = SpikeFreeCheck.check(x, 1000, seed);
      assertEquals(Outcome.NOT_SPIKE_FREE, v.outcome(), v.evidence());
      assertTrue(v.exact());
      assertNotNull(v.witness());
      assertEquals(1.0, Blas.nrm2(20, v.witness(), 0), 1e-12);
      assertTrue(preimageNormSquared(x, v.witness()) > 1.0 + 1e-6,
          "the witness's (X u)_+ must leave X B_2: " + v.evidence());
    }
  }

  @Test
  void moreRowsThanColumnsGoToTheFalsifierWhichFindsGaussianCounterexamples() {
    DenseMatrix x = RandomMatrices.gaussian(40, 5, new SplittableRandom(3));
    Verdict v = SpikeFreeCheck.check(x, 1000, 3);
    assertFalse(v.exact());
    assertEquals(Outcome.NOT_SPIKE_FREE, v.outcome(), v.evidence());
    // Independent re-check: (X u)_+ is off the range of X, by least squares on X^T X.
    double[] u = v.witness();
    DenseMatrix z = new DenseMatrix(40, 1);
    for (int i = 0; i < 40; i++) {
      double s = 0.0;
      for (int k = 0; k < 5; k++) {
        s += x.get(i, k) * u[k];
      }
      z.set(i, 0, Math.max(s, 0.0));
    }
    DenseMatrix gram = new DenseMatrix(5, 5);
    Blas.gemm(true, false, 1.0, x, x, 0.0, gram);
    DenseMatrix coef = new DenseMatrix(5, 1);
    Blas.gemm(true, false, 1.0, x, z, 0.0, coef);
    Cholesky.factor(gram).solveInPlace(coef);
    DenseMatrix resid = z.copy();
    Blas.gemm(false, false, -1.0, x, coef, 1.0, resid);
    assertTrue(resid.columnNorm(0) > 1e-3 * z.columnNorm(0));
  }

  @Test
  void rankOneDataWithNonNegativeCoefficientsAreNeverFlaggedButMixedSignsAre() {
    Verdict v = SpikeFreeCheck.check(rankOne(12, 4, 1, false), 5000, 1);
    assertFalse(v.exact());
    assertEquals(Outcome.NOT_SHOWN_SPIKE_FREE, v.outcome(), v.evidence());
    assertTrue(v.evidence().contains("proves nothing"));
    assertEquals(5000, v.directions());
    Verdict mixed = SpikeFreeCheck.check(rankOne(12, 4, 1, true), 5000, 1);
    assertEquals(Outcome.NOT_SPIKE_FREE, mixed.outcome(), mixed.evidence());
  }

  @Test
  void theExactTestRefusesRankDeficientData() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SpikeFreeCheck.exact(rankOne(6, 4, 0, false)));
    assertTrue(e.getMessage().contains("rank X = n"), e.getMessage());
  }

  /**
   * The theorem against brute force on two rows in the plane: spike-free exactly when the rows
   * make an angle of at most 90 degrees (then (X X^T)^{-1} has a non-positive off-diagonal
   * entry), found by scanning u over the unit circle.
   */
  @Test
  void twoRowsAgreeWithABruteForceScanOfTheCircle() {
    for (double angle : new double[] {0.3, 1.2, Math.PI / 2 - 1e-3, Math.PI / 2 + 0.05, 2.5}) {
      DenseMatrix x = DenseMatrix.fromRows(new double[][] {{1.0, 0.0},
          {1.7 * Math.cos(angle), 1.7 * Math.sin(angle)}}, 2);
      double worst = 0.0;
      for (int k = 0; k < 20_000; k++) {
        double t = 2 * Math.PI * k / 20_000;
        worst = Math.max(worst, preimageNormSquared(x, new double[] {Math.cos(t), Math.sin(t)}));
      }
      boolean bruteSpikeFree = worst <= 1.0 + 1e-9;
      Verdict v = SpikeFreeCheck.check(x, 10, 0);
      assertEquals(angle <= Math.PI / 2, bruteSpikeFree, "angle " + angle);
      assertEquals(bruteSpikeFree ? Outcome.SPIKE_FREE : Outcome.NOT_SPIKE_FREE, v.outcome(),
          "angle " + angle + ": " + v.evidence());
    }
  }

  /** The certified optimum of the ReLU program over {@code patterns}. */
  private static double optimum(DenseMatrix x, double[] y, SignPatterns patterns, double beta) {
    ConvexReluProblem p = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta,
        Formulation.RELU);
    SolverResult r = new InteriorPointReluSolver().solve(p, null, TIGHT, IterationListener.NONE);
    assertTrue(Certification.of(r, TIGHT, Certification.labelScale(y)).certified(),
        "not certified: " + r.stopReason() + " gap " + r.certificate().relativeGap());
    return r.certificate().objective();
  }

  /** The two-block program: the single pattern D = 1[X g &gt; 0] of a gate with X g &gt;= 0. */
  private static double twoBlock(DenseMatrix x, double[] y, double[] gate, double beta) {
    DenseMatrix g = new DenseMatrix(gate.length, 1, gate.clone());
    return optimum(x, y, SignPatterns.fromGates(x, g), beta);
  }

  private static double[] labels(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextGaussian();
    }
    return y;
  }

  @Test
  void onSpikeFreeDataTheAllPatternProgramEqualsTheTwoBlockProgram() {
    // Whitened: every one of the 2^5 - 1 non-zero patterns is realisable; gate X^T 1 > 0.
    DenseMatrix w = whitened(5, 7, 11);
    double[] y = labels(5, 12);
    double[] gate = new double[7];
    Blas.gemm(true, false, 7, 1, 5, 1.0, w.data(), 0, 5, new double[] {1, 1, 1, 1, 1}, 0, 5, 0.0,
        gate, 0, 7);
    SignPatterns all = ArrangementEnumerator.enumerate(w, 1_000_000);
    assertEquals(31, all.count());
    for (double beta : new double[] {0.05, 0.3}) {
      double full = optimum(w, y, all, beta);
      assertEquals(full, twoBlock(w, y, gate, beta), 1e-6 * Math.max(1.0, full));
    }
    // Rank one with c >= 0: the gate a makes X g = c |a|^2 >= 0.
    DenseMatrix r1 = rankOne(12, 3, 5, false);
    double[] y1 = labels(12, 6);
    double[] a = r1.row(2);
    SignPatterns all1 = ArrangementEnumerator.enumerate(r1, 1_000_000);
    double full1 = optimum(r1, y1, all1, 0.2);
    assertEquals(full1, twoBlock(r1, y1, a, 0.2), 1e-6 * Math.max(1.0, full1));
  }

  @Test
  void onGaussianDataTheTwoBlockProgramIsStrictlyWorse() {
    DenseMatrix x = RandomMatrices.gaussian(6, 8, new SplittableRandom(21));
    assertEquals(Outcome.NOT_SPIKE_FREE, SpikeFreeCheck.check(x, 10, 0).outcome());
    double[] y = labels(6, 22);
    ThinSvd svd = ThinSvd.of(x);
    double[] gate = SpikeFreeCheck.pseudoInverseApply(svd, new double[] {1, 1, 1, 1, 1, 1});
    double beta = 0.2;
    double full = optimum(x, y, ArrangementEnumerator.enumerate(x, 1_000_000), beta);
    double two = twoBlock(x, y, gate, beta);
    assertTrue(two > full * (1 + 1e-3), "two-block " + two + " vs all patterns " + full);
  }
}
