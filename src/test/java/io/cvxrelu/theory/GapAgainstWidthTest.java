package io.cvxrelu.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.sgd.Optimizer;
import io.cvxrelu.sgd.SgdOptions;
import io.cvxrelu.sgd.SgdTrainer;
import io.cvxrelu.solver.SolverOptions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The gap against width on the 1-D task with every pattern enumerated: no SGD run at any width
 * is below the certificate's lower bound, and the network recovered from the convex solution,
 * evaluated by the SGD trainer's own objective, is at F* at every width m &gt;= m*.
 */
class GapAgainstWidthTest {
  private static final SolverOptions SOLVER = new SolverOptions(1e-8, 1e-9, 200_000, 60.0);

  private static GapAgainstWidth.Result run(int n, long seed, int[] widths, int epochs) {
    double[] y = new double[n];
    DenseMatrix x = GapAgainstWidth.oneDimensionalDesign(n, y, seed);
    SgdOptions sgd = new SgdOptions(1, epochs, n, 0.01, Optimizer.ADAM, 0.9, seed);
    return GapAgainstWidth.run(x, y, new GapAgainstWidth.Settings(0.05, SOLVER, widths, 4, sgd,
        1_000_000));
  }

  @Test
  void noRunIsBelowTheCertificateAndTheRecoveredNetworkIsAtTheOptimumFromWidthMStar() {
    GapAgainstWidth.Result r = run(12, 1, null, 1500);
    assertTrue(r.certification().certified(), r.certification().label());
    assertTrue(r.certificateGap() <= 1e-8 && r.certificateGap() >= 0.0);
    assertEquals(0, r.runsBelowLowerBound());
    assertTrue(r.neurons() >= 1);
    // Widths 1 .. 4 m*, each with 4 runs; at m >= m* the padded recovered network is at F*.
    assertEquals(4 * r.neurons(), r.rows().size());
    for (GapAgainstWidth.WidthRow row : r.rows()) {
      assertEquals(4, row.objectives().length);
      assertTrue(r.relativeGap(row.best()) >= -r.certificateGap(), "width " + row.width());
      assertEquals(row.width() >= r.neurons(), !Double.isNaN(row.recoveredObjective()));
    }
    assertTrue(r.largestRecoveryDeviation() <= 1e-6, "recovery off by "
        + r.largestRecoveryDeviation());
  }

  /**
   * The recovered network, evaluated by the SGD trainer's objective, is at F*, and networks
   * around it (random perturbations of its weights) are never below the certified lower bound.
   */
  @Test
  void networksAroundTheRecoveredOneAreNeverBelowTheLowerBound() {
    int n = 12;
    double[] y = new double[n];
    DenseMatrix x = GapAgainstWidth.oneDimensionalDesign(n, y, 1);
    GapAgainstWidth.Result r = run(n, 1, new int[] {1}, 10);
    SgdTrainer trainer = SgdTrainer.forDesign(x, y, null, null, new SquaredLoss(), r.beta());
    io.cvxrelu.problem.ConvexReluProblem problem = new io.cvxrelu.problem.ConvexReluProblem(x,
        y, io.cvxrelu.patterns.ArrangementEnumerator.enumerate(x, 1_000_000), new SquaredLoss(),
        r.beta(), io.cvxrelu.problem.Formulation.RELU);
    ReluNetwork net = GapAgainstWidth.recover(problem, io.cvxrelu.train.SolverChoice.local(
        problem).solve(problem, null, SOLVER, io.cvxrelu.solver.IterationListener.NONE)
        .weights());
    assertEquals(r.optimum(), trainer.objective(net), 1e-9 * r.optimum());
    SplittableRandom rng = new SplittableRandom(5);
    for (int t = 0; t < 20; t++) {
      DenseMatrix u = net.hidden().copy();
      double[] alpha = net.alpha().clone();
      for (int k = 0; k < u.data().length; k++) {
        u.data()[k] += 1e-3 * rng.nextGaussian();
      }
      for (int j = 0; j < alpha.length; j++) {
        alpha[j] += 1e-3 * rng.nextGaussian();
      }
      assertTrue(trainer.objective(new ReluNetwork(u, alpha)) >= r.lowerBound(),
          "a perturbed network went below the certified lower bound");
    }
  }

  @Test
  void automaticWidthsRunFromOneToFourTimesMStar() {
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, GapAgainstWidth.autoWidths(2));
    int[] many = GapAgainstWidth.autoWidths(30);
    assertEquals(1, many[0]);
    assertEquals(120, many[many.length - 1]);
    assertTrue(many.length <= GapAgainstWidth.MAX_AUTO_WIDTHS + 2);
    assertTrue(java.util.Arrays.stream(many).anyMatch(m -> m == 30));
  }
}
