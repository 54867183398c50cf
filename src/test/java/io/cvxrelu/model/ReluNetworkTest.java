package io.cvxrelu.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.testutil.RandomMatrices;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The map from a network to a point of the convex program (warm start of a polish). */
class ReluNetworkTest {

  @Test
  void convexWeightsAreAFeasiblePointNoWorseThanTheNetwork() {
    SplittableRandom rng = new SplittableRandom(3);
    int n = 60;
    int d = 4;
    DenseMatrix x = RandomMatrices.gaussian(n, d, rng);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextGaussian();
    }
    // Six neurons: mixed output signs, two sharing a pattern (a positive multiple), one dead.
    DenseMatrix u = RandomMatrices.gaussian(d, 6, rng);
    for (int k = 0; k < d; k++) {
      u.set(k, 4, 2.5 * u.get(k, 0));
    }
    double[] alpha = {0.7, -1.2, 0.4, -0.3, 0.9, 0.5};
    // Neuron 5 is dead (zero weights, an all-zero pattern).
    for (int k = 0; k < d; k++) {
      u.set(k, 5, 0.0);
    }
    ReluNetwork net = new ReluNetwork(u, alpha);
    SignPatterns sampled = SignPatterns.sample(x, 5, 11, 1000);
    DenseMatrix gates = new DenseMatrix(d, 6 + sampled.count());
    System.arraycopy(u.data(), 0, gates.data(), 0, u.data().length);
    System.arraycopy(sampled.gates().data(), 0, gates.data(), u.data().length,
        sampled.gates().data().length);
    SignPatterns patterns = SignPatterns.fromGates(x, gates);
    double beta = 0.3;
    for (Formulation f : Formulation.values()) {
      ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta,
          f);
      DenseMatrix b = net.convexWeights(x, patterns, f);
      DenseMatrix z = problem.forward(b);
      double[] pred = problem.predict(z);
      double[] netPred = net.predict(x);
      for (int i = 0; i < n; i++) {
        assertEquals(netPred[i], pred[i], 1e-12, "prediction of row " + i + " (" + f + ")");
      }
      assertEquals(0.0, problem.constraintViolation(z), 0.0, f.id());
      double convex = problem.objective(b);
      double nonconvex = net.objective(x, y, new SquaredLoss(), beta);
      assertTrue(convex <= nonconvex + 1e-12, f + ": " + convex + " > " + nonconvex);
      // Neurons 0 and 4 share a pattern and merge into one block: strictly below.
      assertTrue(convex < nonconvex - 1e-6, f + ": merged neurons should lower the objective");
    }
  }

  @Test
  void aLiveNeuronWithoutItsPatternIsRefused() {
    SplittableRandom rng = new SplittableRandom(5);
    DenseMatrix x = RandomMatrices.gaussian(30, 3, rng);
    ReluNetwork net = new ReluNetwork(RandomMatrices.gaussian(3, 2, rng),
        new double[] {1.0, -1.0});
    SignPatterns unrelated = SignPatterns.sample(x, 3, 99, 1000);
    assertThrows(IllegalArgumentException.class,
        () -> net.convexWeights(x, unrelated, Formulation.RELU));
  }
}
