package io.cvxrelu.solver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.testutil.Fixtures;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Atom generation on the ReLU program against independent answers: the reference optima of
 * the fixtures (CVXOPT on the full cone program) and the interior-point method on generated
 * instances; every run must certify by its own certificate with the cones satisfied.
 */
class AtomGenerationReluSolverTest {
  private static final SolverOptions OPTIONS = new SolverOptions(1e-6, 1e-9, 1_000, 120.0);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"toy_n5", "toy_n12", "toy_n20", "syn_n200_d5_P30",
      "syn_n1000_d20_P100"})
  void certifiesTheFixturesAtTheirReferenceOptima(String name) {
    Fixtures.Instance f = Fixtures.named(name);
    ConvexReluProblem p = f.squaredProblem(Formulation.RELU);
    SolverResult r = new AtomGenerationReluSolver().solve(p, null, OPTIONS,
        IterationListener.NONE);
    assertCertified(p, r);
    assertEquals(f.reluOptimum(), r.certificate().objective(),
        2e-6 * Math.abs(f.reluOptimum()), "reference optimum");
    assertEquals(p.objective(r.weights()), r.certificate().objective(),
        1e-9 * Math.abs(r.certificate().objective()), "the certificate is the weights'");
  }

  /** Planted-teacher data (as the bench's) at two betas, against the interior point. */
  @ParameterizedTest(name = "beta = {0} beta_max")
  @ValueSource(doubles = {0.01, 0.1})
  void agreesWithTheInteriorPoint(double fraction) {
    for (long seed : new long[] {3, 4}) {
      ConvexReluProblem p = planted(600, 8, 40, seed, fraction);
      SolverResult atoms = new AtomGenerationReluSolver().solve(p, null, OPTIONS,
          IterationListener.NONE);
      SolverResult ipm = new InteriorPointReluSolver().solve(p, null, OPTIONS,
          IterationListener.NONE);
      assertCertified(p, atoms);
      assertCertified(p, ipm);
      double ref = ipm.certificate().objective();
      assertEquals(ref, atoms.certificate().objective(), 2e-6 * Math.abs(ref), "seed " + seed);
    }
  }

  @Test
  void aStartAtTheOptimumCertifiesInTheFirstRound() {
    ConvexReluProblem p = Fixtures.named("syn_n200_d5_P30").squaredProblem(Formulation.RELU);
    SolverResult cold = new AtomGenerationReluSolver().solve(p, null, OPTIONS,
        IterationListener.NONE);
    SolverResult warm = new AtomGenerationReluSolver().solve(p, cold.weights(), OPTIONS,
        IterationListener.NONE);
    assertCertified(p, warm);
    assertEquals(1, warm.iterations());
    assertTrue(warm.certificate().objective() <= cold.certificate().objective() * (1 + 1e-9));
  }

  @Test
  void refusesTheGatedProgramAndLogisticLoss() {
    Fixtures.Instance f = Fixtures.named("toy_n12");
    assertTrue(!AtomGenerationReluSolver.supports(f.squaredProblem(Formulation.GATED)));
    ConvexReluProblem logistic = new ConvexReluProblem(f.x(), f.y(),
        SignPatterns.fromGates(f.x(), f.gates()), new io.cvxrelu.problem.LogisticLoss(),
        f.beta(), Formulation.RELU);
    assertTrue(!AtomGenerationReluSolver.supports(logistic));
  }

  private static void assertCertified(ConvexReluProblem p, SolverResult r) {
    assertEquals(StopReason.CONVERGED, r.stopReason(), r.certificate().toString());
    assertTrue(Certification.of(r, OPTIONS, Certification.labelScale(p.y())).certified(),
        r.certificate().toString());
    assertTrue(r.certificate().relativeGap() <= OPTIONS.tolerance());
    assertEquals(r.certificate().constraintViolation(),
        p.constraintViolation(p.forward(r.weights())), 1e-12, "violation of the weights");
  }

  /** y = sum of 5 ReLUs of a random teacher plus noise, the bench's generator in small. */
  static ConvexReluProblem planted(int n, int d, int p, long seed, double fraction) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = rng.nextGaussian();
    }
    DenseMatrix teacher = new DenseMatrix(d, 5);
    for (int k = 0; k < teacher.data().length; k++) {
      teacher.data()[k] = rng.nextGaussian() / Math.sqrt(d);
    }
    DenseMatrix z = new DenseMatrix(n, 5);
    Blas.gemm(false, false, 1.0, x, teacher, 0.0, z);
    double[] y = new double[n];
    for (int j = 0; j < 5; j++) {
      double a = rng.nextGaussian();
      for (int i = 0; i < n; i++) {
        y[i] += Math.max(z.get(i, j), 0.0) * a;
      }
    }
    for (int i = 0; i < n; i++) {
      y[i] += 0.1 * rng.nextGaussian();
    }
    SignPatterns patterns = SignPatterns.sample(x, p, seed + 100, 50_000);
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, new SquaredLoss());
    return new ConvexReluProblem(x, y, patterns, new SquaredLoss(), fraction * betaMax,
        Formulation.RELU);
  }
}
