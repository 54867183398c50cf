package io.cvxrelu.problem;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.Certificate;
import org.junit.jupiter.api.Test;

/**
 * Overflowing data never yield a certificate: the case is three rows, two features of
 * magnitude 1e308 and beta = 0.1, which used to train to the zero network with a zero gap.
 */
class DataScaleTest {

  private static DenseMatrix huge() {
    // Column-major 3 x 2: the second column overflows its squares.
    return new DenseMatrix(3, 2, new double[] {1.0, -2.0, 0.5, 1e308, -1e308, 1e308});
  }

  @Test
  void namesTheOverflowingColumn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataScale.requireFiniteProducts(huge(), new double[] {1, -1, 1}));
    assertTrue(e.getMessage().contains("feature column 2"), e.getMessage());
  }

  @Test
  void refusesOverflowingLabelsAndProducts() {
    DenseMatrix x = new DenseMatrix(2, 1, new double[] {1e200, 1e200});
    assertThrows(IllegalArgumentException.class,
        () -> DataScale.requireFiniteProducts(x, new double[] {1e200, 1.0}));
    assertThrows(IllegalArgumentException.class,
        () -> DataScale.requireFiniteProducts(new DenseMatrix(1, 1, new double[] {1.0}),
            new double[] {1e300}));
  }

  @Test
  void acceptsOrdinaryAndBadlyScaledButFiniteData() {
    DenseMatrix x = new DenseMatrix(3, 2, new double[] {1e-300, 2e-300, 3e-300, 1e6, 2e6, -1e6});
    assertDoesNotThrow(() -> DataScale.requireFiniteProducts(x, new double[] {1, 2, 3}));
  }

  @Test
  void anOverflowedDualNormIsNoCertificate() {
    DenseMatrix x = new DenseMatrix(3, 2, new double[] {1.0, -2.0, 0.5, 1.0, 1.0, 1.0});
    double[] y = {1.0, -1.0, 1.0};
    SignPatterns patterns = SignPatterns.sample(x, 4, 0, 1000);
    ConvexReluProblem p = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), 0.1,
        Formulation.GATED);
    Certificate c = Certificate.fromDualNorm(p, 1.5, y.clone(), Double.NaN, 0.0);
    assertTrue(Double.isNaN(c.lowerBound()) && !(c.relativeGap() <= 1e-6), c.toString());
    Certificate inf = Certificate.fromDualNorm(p, 1.5, y.clone(), Double.POSITIVE_INFINITY, 0.0);
    assertTrue(!(inf.relativeGap() <= 1e-6), inf.toString());
  }
}
