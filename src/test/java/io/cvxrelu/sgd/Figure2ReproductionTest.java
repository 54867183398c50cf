package io.cvxrelu.sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.patterns.ArrangementEnumerator;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.SolverChoice;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pilanci and Ergen (2020), Figure 2: on 1-D data with a bias, the convex program over every
 * sign pattern gives the global optimum of the non-convex network's objective, so SGD from any
 * initialisation (m = 5 and m = 20 neurons, 10 initialisations each) ends at or above it. The
 * certified lower bound of the convex solve is the bar: no SGD run may end below it.
 */
class Figure2ReproductionTest {

  @ParameterizedTest
  @ValueSource(ints = {5, 10, 15, 20})
  void noSgdRunEndsBelowTheConvexOptimum(int n) {
    SplittableRandom rng = new SplittableRandom(100 + n);
    double[] xs = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = rng.nextDouble(-2.0, 2.0);
    }
    Arrays.sort(xs);
    DenseMatrix x = new DenseMatrix(n, 2);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x.set(i, 0, xs[i]);
      x.set(i, 1, 1.0);
      y[i] = rng.nextGaussian();
    }
    Loss loss = new SquaredLoss();
    SignPatterns patterns = ArrangementEnumerator.enumerate(x, 1_000_000L);
    // Cover's count for n points in general position in rank 2, minus the all-zero pattern.
    assertEquals(ArrangementEnumerator.generalPositionCellCount(n, 2) - 1, patterns.count());
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, patterns, loss);
    ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, loss, beta,
        Formulation.RELU);
    SolverResult convex = SolverChoice.local(problem).solve(problem, null,
        new SolverOptions(1e-8, 1e-9, 200_000, 60.0), IterationListener.NONE);
    double optimum = convex.certificate().objective();
    double lowerBound = convex.certificate().lowerBound();
    assertTrue(convex.certificate().relativeGap() <= 1e-6, convex.certificate().toString());
    ConvexReluModel model = new ConvexReluModel(Formulation.RELU, "squared", beta, false,
        patterns.gates(), convex.weights());
    // The network read off the blocks attains the optimum (Theorem 1).
    assertEquals(optimum, model.nonconvexObjective(x, y, loss), 1e-6 * optimum);

    SgdTrainer trainer = SgdTrainer.forDesign(x, y, null, null, loss, beta);
    int above = 0;
    StringBuilder ratios = new StringBuilder();
    for (int m : new int[] {5, 20}) {
      for (int init = 0; init < 10; init++) {
        SgdOptions o = new SgdOptions(m, 2000, n, 0.01, Optimizer.ADAM, 0.9, 1000L * m + init);
        SgdResult r = trainer.train(o, e -> { });
        for (EpochRecord e : r.history()) {
          assertTrue(e.objective() >= lowerBound * (1 - 1e-9), "n=" + n + " m=" + m + " init="
              + init + " epoch " + e.epoch() + ": SGD objective " + e.objective()
              + " below the certified lower bound " + lowerBound);
        }
        ratios.append(String.format(" %.4f", r.last().objective() / optimum));
        if (r.last().objective() > optimum * (1 + 1e-3)) {
          above++;
        }
      }
    }
    System.out.printf("Figure 2, n=%d: convex optimum %.6g (gap %.1e); %d of 20 SGD runs end "
        + "more than 0.1%% above it%n", n, optimum, convex.certificate().relativeGap(), above);
    System.out.println(ratios);
  }
}
