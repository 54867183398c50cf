package io.cvxrelu.solver.local.ipm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.local.ipm.RowConeTerms.State;
import io.cvxrelu.solver.local.ipm.RowConeTerms.Trajectory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RowConeTerms}, which recomputes the rows' side of the interior point from s and z
 * alone, against {@link RowCones}, which stores every intermediate (the single-node rows): the
 * same sums, directions, steps and pattern Gram on random rows with a zero row among them.
 */
class RowConeTermsTest {
  private static final int N = 37;
  private static final int D = 4;
  private static final int P = 5;

  @Test
  void recomputedTermsEqualTheStoredOnes() {
    SplittableRandom r = new SplittableRandom(11);
    DenseMatrix x = random(r, N, D, 1.0);
    for (int c = 0; c < D; c++) {
      x.data()[c * N + 3] = 0.0; // a zero row, dropped by both
    }
    double[] y = random(r, N, 1, 1.0).data();
    DenseMatrix gates = random(r, D, P, 1.0);
    byte[] mask = new byte[N * P];
    double[] maskValues = new double[N * P];
    for (int i = 0; i < P; i++) {
      for (int k = 0; k < N; k++) {
        double g = 0.0;
        for (int c = 0; c < D; c++) {
          g += x.get(k, c) * gates.get(c, i);
        }
        mask[i * N + k] = (byte) (g >= 0.0 ? 1 : 0);
        maskValues[i * N + k] = mask[i * N + k];
      }
    }
    RowCones stored = new RowCones(x, y, maskValues, P);
    RowConeTerms terms = new RowConeTerms(x, y, mask, P, RowConeTerms.keptRows(x));
    assertEquals(N - 1, terms.rowCount());

    DenseMatrix unit = gates.copy();
    stored.start(unit, 0.7, 0.3);
    State st = terms.start(unit, 0.7, 0.3);
    DenseMatrix b = random(r, D, 2 * P, 0.1);
    ConeRows.Prepared pr = stored.prepare(b);
    double[] packed = terms.prepare(st, b);
    int dm = D * 2 * P;
    int pm = D * (D + 1) / 2 * 2 * P;
    assertClose(pr.dualResidual().data(), slice(packed, 0, dm));
    assertEquals(pr.complementarity(), packed[dm], 1e-12);
    assertClose(pr.blockGram().data(), slice(packed, dm + 1, pm));
    assertClose(stored.rightHandSide(ConeRows.AFFINE, 0, 0).data(),
        slice(packed, dm + 1 + pm, dm));

    DenseMatrix dxA = random(r, D, 2 * P, 0.05);
    Trajectory t = Trajectory.at(b).withAffine(dxA);
    double stepA = stored.recover(ConeRows.AFFINE, dxA);
    double[] rec = terms.recover(st, t);
    assertEquals(stepA, rec[0], 1e-10 * stepA);
    for (double alpha : new double[] {0.0, 0.3, 1.0}) {
      assertEquals(stored.complementarityAfter(ConeRows.AFFINE, alpha),
          rec[1] + alpha * (rec[2] + alpha * rec[3]), 1e-10);
    }
    double sigma = 0.2;
    double mu = 0.05;
    double[] corrector = new double[dm];
    for (int k = 0; k < dm; k++) {
      corrector[k] = rec[4 + k] + sigma * mu * rec[4 + dm + k];
    }
    assertClose(stored.rightHandSide(ConeRows.COMBINED, sigma, mu).data(), corrector);

    DenseMatrix dxC = random(r, D, 2 * P, 0.05);
    t = t.withCentering(sigma, mu).withCombined(dxC);
    double stepC = stored.recover(ConeRows.COMBINED, dxC);
    assertEquals(stepC, terms.recover(st, t)[0], 1e-10 * stepC);
    stored.advance(ConeRows.COMBINED, 0.4);
    State next = terms.advance(st, t.withStep(0.4));
    assertClose(stored.multipliers().data(), next.multipliers().data());
    assertEquals(0.0, next.multipliers().get(3, 0), "the zero row's multipliers are 0");

    double[] gram = new double[RowConeTerms.packedGramLength(D, P)];
    terms.addPatternGram(gram);
    assertClose(stored.patternGram().data(),
        RowConeTerms.unpackPatternGram(gram, D, P).data());
  }

  /**
   * The pass that prepares a step also certifies its iterate: the loss moments and the dual
   * residual give the certificate {@link Certificate#compute} gives in a pass of its own (the
   * same objective, lower bound and violation), on the single-node rows and on a row block,
   * with a zero row (dropped, residual -y) and an iterate outside its cones.
   */
  @Test
  void preparedPassCertifiesTheIterate() {
    SplittableRandom r = new SplittableRandom(5);
    DenseMatrix x = random(r, N, D, 1.0);
    for (int c = 0; c < D; c++) {
      x.data()[c * N + 7] = 0.0;
    }
    double[] y = random(r, N, 1, 1.0).data();
    SignPatterns patterns = SignPatterns.fromGates(x, random(r, D, P, 1.0));
    int p = patterns.count();
    ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), 0.3,
        Formulation.RELU);
    RowCones stored = new RowCones(x, problem.y(), problem.maskValues(), p);
    RowConeTerms terms = new RowConeTerms(x, problem.y(), patterns.mask(), p,
        RowConeTerms.keptRows(x));
    DenseMatrix unit = patterns.gates().copy();
    stored.start(unit, 0.7, 0.3);
    State st = terms.start(unit, 0.7, 0.3);
    DenseMatrix b = random(r, D, 2 * p, 0.5);
    ConeRows.Prepared pr = stored.prepare(b);
    Certificate expected = Certificate.compute(problem, b, problem.forward(b),
        stored.multipliers());
    Certificate got = CertifiedPath.fromPrepared(problem.regularizer(b), problem.beta(), pr);
    assertTrue(expected.constraintViolation() > 0.0, "the iterate leaves its cones");
    assertEquals(expected.objective(), got.objective(), 1e-10 * expected.objective());
    assertEquals(expected.lowerBound(), got.lowerBound(), 1e-10 * expected.objective());
    assertEquals(expected.relativeGap(), got.relativeGap(), 1e-10);
    assertEquals(expected.constraintViolation(), got.constraintViolation(), 1e-12);

    double[] packed = terms.prepare(st, b);
    int at = packed.length - RowConeTerms.MOMENTS;
    ConeRows.LossMoments mo = pr.moments();
    assertClose(new double[] {mo.loss(), mo.lambdaDotY(), mo.lambdaNormSquared(),
        mo.violation()}, slice(packed, at, RowConeTerms.MOMENTS));
  }

  /** A block whose rows are all zero keeps its n_b x 2P shape of multipliers. */
  @Test
  void blockOfZeroRowsGivesZeroMultipliersOfItsShape() {
    DenseMatrix x = new DenseMatrix(6, D);
    RowConeTerms terms = new RowConeTerms(x, new double[6], new byte[6 * P], P,
        RowConeTerms.keptRows(x));
    DenseMatrix mu = terms.start(random(new SplittableRandom(2), D, P, 1.0), 1.0, 1.0)
        .multipliers();
    assertEquals(6, mu.rows());
    assertEquals(2 * P, mu.cols());
    assertArrayEquals(new double[6 * 2 * P], mu.data());
  }

  private static DenseMatrix random(SplittableRandom r, int rows, int cols, double scale) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int k = 0; k < rows * cols; k++) {
      m.data()[k] = scale * r.nextGaussian();
    }
    return m;
  }

  private static double[] slice(double[] a, int from, int length) {
    return java.util.Arrays.copyOfRange(a, from, from + length);
  }

  private static void assertClose(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    double scale = 1.0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], actual[k], 1e-10 * scale, "entry " + k);
    }
  }
}
