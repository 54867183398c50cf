package io.cvxrelu.solver;

import io.cvxrelu.solver.local.AdmmReluSolver;
import io.cvxrelu.solver.local.AtomGenerationReluSolver;
import io.cvxrelu.solver.local.AugmentedLagrangianSolver;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.train.SolverChoice;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Solvers checked against each other on generated instances (no fixtures needed): the same
 * optimum, each certificate's lower bound below the other's objective, and recovery.
 */
class SolverAgreementTest {

  static DenseMatrix gaussian(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    return x;
  }

  static double[] teacher(DenseMatrix x, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int d = x.cols();
    double[] y = new double[x.rows()];
    for (int j = 0; j < 4; j++) {
      double[] u = new double[d];
      for (int k = 0; k < d; k++) {
        u[k] = r.nextGaussian();
      }
      double a = r.nextGaussian();
      for (int i = 0; i < x.rows(); i++) {
        double z = 0;
        for (int k = 0; k < d; k++) {
          z += x.get(i, k) * u[k];
        }
        y[i] += Math.max(z, 0) * a;
      }
    }
    for (int i = 0; i < y.length; i++) {
      y[i] += 0.1 * r.nextGaussian();
    }
    return y;
  }

  static ConvexReluProblem problem(Loss loss, Formulation f, double[] yOverride) {
    DenseMatrix x = gaussian(40, 3, 1);
    double[] y = yOverride != null ? yOverride : teacher(x, 2);
    SignPatterns sp = SignPatterns.sample(x, 12, 3, 10_000);
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, sp, loss);
    return new ConvexReluProblem(x, y, sp, loss, beta, f);
  }

  @Test
  void admmAndAugmentedLagrangianAgreeOnTheReluProgram() {
    ConvexReluProblem p = problem(new SquaredLoss(), Formulation.RELU, null);
    SolverResult admm = new AdmmReluSolver().solve(p, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    SolverResult al = new AugmentedLagrangianSolver().solve(p, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, admm.stopReason());
    assertEquals(StopReason.CONVERGED, al.stopReason());
    double a = admm.certificate().objective();
    double b = al.certificate().objective();
    assertEquals(a, b, 2e-6 * a);
    assertTrue(admm.certificate().lowerBound() <= b * (1 + 1e-8), admm.certificate() + " vs " + al.certificate());
    assertTrue(al.certificate().lowerBound() <= a * (1 + 1e-8), al.certificate() + " vs " + admm.certificate());
  }

  @Test
  void interiorPointAgreesWithAdmmAndRecoversAnExactNetwork() {
    ConvexReluProblem p = problem(new SquaredLoss(), Formulation.RELU, null);
    assertTrue(InteriorPointReluSolver.supports(p));
    SolverResult ipm = new InteriorPointReluSolver().solve(p, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    SolverResult admm = new AdmmReluSolver().solve(p, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    assertEquals(StopReason.CONVERGED, ipm.stopReason(), ipm.certificate().toString());
    double a = ipm.certificate().objective();
    double b = admm.certificate().objective();
    assertEquals(a, b, 2e-6 * b);
    assertTrue(ipm.certificate().lowerBound() <= b * (1 + 1e-9));
    assertTrue(admm.certificate().lowerBound() <= a * (1 + 1e-9));
    assertEquals(0.0, ipm.certificate().constraintViolation());
    ConvexReluModel m = new ConvexReluModel(Formulation.RELU, "squared", p.beta(), false,
        p.patterns().gates(), ipm.weights());
    assertEquals(a, m.nonconvexObjective(p.x(), p.y(), p.loss()), 1e-8 * a);
    // Inactive neurons come back as exact zeros, not as the interior's tiny blocks.
    int zero = 0;
    for (int j = 0; j < ipm.weights().cols(); j++) {
      zero += ipm.weights().columnNorm(j) == 0.0 ? 1 : 0;
    }
    assertTrue(zero > 0, "no block was pruned");
  }

  @Test
  void interiorPointHandlesZeroRowsAndTheZeroOptimum() {
    DenseMatrix x = gaussian(40, 3, 5);
    for (int c = 0; c < 3; c++) {
      x.set(7, c, 0.0);
      x.set(19, c, 0.0);
    }
    double[] y = teacher(x, 6);
    SignPatterns sp = SignPatterns.sample(x, 10, 7, 10_000);
    double betaMax = ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    for (double frac : new double[] {0.02, 1.5}) {
      ConvexReluProblem p = new ConvexReluProblem(x, y, sp, new SquaredLoss(), frac * betaMax,
          Formulation.RELU);
      SolverResult ipm = new InteriorPointReluSolver().solve(p, null, SolverOptions.DEFAULTS,
          IterationListener.NONE);
      SolverResult admm = new AdmmReluSolver().solve(p, null, SolverOptions.DEFAULTS,
          IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, ipm.stopReason(), frac + " " + ipm.certificate());
      assertEquals(admm.certificate().objective(), ipm.certificate().objective(),
          2e-6 * admm.certificate().objective(), "beta fraction " + frac);
    }
  }

  @Test
  void interiorPointIsTheDefaultReluSolverUpToItsPatternDimension() {
    // ADMM's tail is slow on the ReLU program (README, known limits), so the interior-point
    // method takes every problem whose P d x P d normal equations it can afford.
    DenseMatrix x = gaussian(300, 45, 7);
    double[] y = teacher(x, 8);
    ConvexReluProblem small = new ConvexReluProblem(x, y, SignPatterns.sample(x, 100, 1,
        100_000), new SquaredLoss(), 1.0, Formulation.RELU);
    assertEquals(4500, small.patternCount() * small.d());
    assertEquals(InteriorPointReluSolver.class, SolverChoice.algorithm(small));
    ConvexReluProblem large = new ConvexReluProblem(x, y, SignPatterns.sample(x,
        InteriorPointReluSolver.MAX_PATTERN_DIMENSION / 45 + 1, 1, 100_000), new SquaredLoss(),
        1.0, Formulation.RELU);
    assertTrue(large.patternCount() * large.d() > InteriorPointReluSolver.MAX_PATTERN_DIMENSION);
    // Above it, column generation over the atoms, which certifies where ADMM's tail stalls.
    assertEquals(AtomGenerationReluSolver.class, SolverChoice.algorithm(large));
  }

  @Test
  void reluOptimumIsNeverBelowTheGatedOptimum() {
    // Gated ReLU relaxes the cone constraints: its optimum is a lower bound.
    ConvexReluProblem relu = problem(new SquaredLoss(), Formulation.RELU, null);
    ConvexReluProblem gated = relu.with(relu.beta(), Formulation.GATED);
    SolverResult r = SolverChoice.local(relu).solve(relu, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    SolverResult g = SolverChoice.local(gated).solve(gated, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    assertTrue(g.certificate().lowerBound() <= r.certificate().objective());
    assertTrue(g.certificate().objective() <= r.certificate().objective() * (1 + 1e-6));
  }

  @Test
  void logisticLossIsCertifiedForBothFormulations() {
    DenseMatrix x = gaussian(40, 3, 1);
    double[] t = teacher(x, 2);
    double[] y = new double[t.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = t[i] > 0 ? 1 : 0;
    }
    for (Formulation f : Formulation.values()) {
      ConvexReluProblem p = problem(new LogisticLoss(), f, y);
      SolverResult r = SolverChoice.local(p).solve(p, null, SolverOptions.DEFAULTS,
          IterationListener.NONE);
      assertEquals(StopReason.CONVERGED, r.stopReason(), f + " " + r.certificate());
      assertTrue(r.certificate().relativeGap() <= 1e-6);
      ConvexReluModel m = new ConvexReluModel(f, "logistic", p.beta(), false,
          p.patterns().gates(), r.weights());
      assertEquals(r.certificate().objective(), m.nonconvexObjective(p.x(), y, p.loss()),
          1e-6 * r.certificate().objective());
    }
  }

  @Test
  void zeroIsOptimalAboveBetaMax() {
    ConvexReluProblem p = problem(new SquaredLoss(), Formulation.GATED, null);
    ConvexReluProblem big = p.with(1.01 * ConvexReluProblem.betaMax(p.x(), p.y(), p.patterns(),
        p.loss()), Formulation.GATED);
    SolverResult r = new GatedFistaSolver().solve(big, null, SolverOptions.DEFAULTS,
        IterationListener.NONE);
    assertEquals(0.0, r.certificate().relativeGap(), 1e-12);
    assertEquals(0, new ConvexReluModel(Formulation.GATED, "squared", big.beta(), false,
        p.patterns().gates(), r.weights()).network().width());
  }
}
