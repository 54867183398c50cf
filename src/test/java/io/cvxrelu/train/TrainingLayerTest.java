package io.cvxrelu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The training layer's rules, each written once: problem setup, spec checks, solver choice. */
class TrainingLayerTest {

  private static LabeledData data(int n, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        x.set(i, j, r.nextGaussian());
        s += x.get(i, j);
      }
      y[i] = s > 0 ? 1 : -1;
    }
    return new LabeledData(x, y);
  }

  private static TrainingSpec spec(Formulation f, Double beta, boolean bias,
      TrainingSpec.Patterns patterns) {
    return TrainingSpec.onDriver(f, new SquaredLoss(), beta, 0.05, patterns, 7, bias,
        SolverOptions.DEFAULTS);
  }

  @Test
  void setupIsTheProgramBuiltByHand() {
    LabeledData train = data(40, 3, 1);
    ProblemSetup.Setup s = ProblemSetup.of(spec(Formulation.RELU, null, true,
        TrainingSpec.Patterns.sampled(12)), train, null, ProblemSetup.PatternFiles.NONE);
    DenseMatrix x = train.x().withOnesColumn();
    SignPatterns patterns = SignPatterns.sample(x, 12, 7, 50 * 12 + 1000);
    double betaMax = ConvexReluProblem.betaMax(x, train.y(), patterns, new SquaredLoss());
    assertEquals(betaMax, s.betaMax(), 0.0);
    assertEquals(0.05 * betaMax, s.beta(), 0.0);
    assertArrayEquals(patterns.gates().data(), s.patterns().gates().data(), 0.0);
    assertArrayEquals(x.data(), s.x().data(), 0.0);
    assertNull(s.yTest());
    assertNull(s.seedNetwork());
  }

  @Test
  void labelsAreCheckedOnce() {
    LabeledData train = data(20, 2, 2);
    double[] ones = new double[train.n()];
    java.util.Arrays.fill(ones, 1.0);
    TrainingSpec logistic = TrainingSpec.onDriver(Formulation.GATED, new LogisticLoss(), 1.0,
        0.01, TrainingSpec.Patterns.sampled(5), 0, false, SolverOptions.DEFAULTS);
    DataFormatException e = assertThrows(DataFormatException.class, () -> ProblemSetup.of(
        logistic, new LabeledData(train.x(), ones), null, ProblemSetup.PatternFiles.NONE));
    assertTrue(e.getMessage().contains("one class"), e.getMessage());
    // A test set may hold a single class.
    assertEquals(train.n(), ProblemSetup.of(logistic, train, new LabeledData(train.x(), ones),
        ProblemSetup.PatternFiles.NONE).yTest().length);
    assertThrows(DataFormatException.class, () -> ProblemSetup.beta(null, 0.1, 0.0));
  }

  @Test
  void anArrangementTooLargeToEnumerateIsAnInvalidSpec() {
    LabeledData wide = data(60, 9, 3);
    assertThrows(InvalidSpecException.class, () -> ProblemSetup.of(spec(Formulation.GATED,
        1.0, false, new TrainingSpec.Patterns(0, true, null, null)), wide, null,
        ProblemSetup.PatternFiles.NONE));
  }

  @Test
  void contradictorySpecsAreRefused() {
    TrainingSpec.Patterns p = TrainingSpec.Patterns.sampled(5);
    assertThrows(InvalidSpecException.class, () -> new TrainingSpec(Formulation.GATED,
        new SquaredLoss(), null, 0.01, p, 0, false, SolverOptions.DEFAULTS,
        SolverChoice.Placement.LOCAL, new TrainingSpec.Distributed(0, 0, 100, true),
        TrainingSpec.Generation.NONE, TrainingSpec.CertifyAll.AUTO));
    assertThrows(InvalidSpecException.class, () -> new TrainingSpec(Formulation.GATED,
        new SquaredLoss(), null, 0.01, p, 0, false, SolverOptions.DEFAULTS,
        SolverChoice.Placement.AUTO, new TrainingSpec.Distributed(0, 0, 100, true),
        new TrainingSpec.Generation(true, 5), TrainingSpec.CertifyAll.AUTO));
    assertThrows(InvalidSpecException.class, () -> TrainingSpec.Distributed
        .parsePatternBlocks("0"));
    assertEquals(0, TrainingSpec.Distributed.parsePatternBlocks("auto"));
    assertThrows(InvalidSpecException.class, () -> SolverChoice.Placement.parse("cluster"));
    assertThrows(InvalidSpecException.class, () -> TrainingSpec.CertifyAll.parse("maybe"));
  }

  @Test
  void solverChoiceDecidesPlacementAlgorithmAndName() {
    TrainingSpec.Patterns p = TrainingSpec.Patterns.sampled(5);
    TrainingSpec auto = new TrainingSpec(Formulation.GATED, new SquaredLoss(), null, 0.01, p,
        0, false, SolverOptions.DEFAULTS, SolverChoice.Placement.AUTO,
        TrainingSpec.Distributed.DEFAULTS, TrainingSpec.Generation.NONE,
        TrainingSpec.CertifyAll.AUTO);
    assertFalse(SolverChoice.of(auto, "local[2]", 1000).distributed());
    assertTrue(SolverChoice.of(auto, "local[2]", SolverChoice.AUTO_DISTRIBUTED_ROWS)
        .distributed());
    assertTrue(SolverChoice.of(auto, "spark://host:7077", 1000).distributed());
    TrainingSpec resume = new TrainingSpec(Formulation.GATED, new SquaredLoss(), null, 0.01,
        p, 0, false, SolverOptions.DEFAULTS, SolverChoice.Placement.AUTO,
        new TrainingSpec.Distributed(0, 0, 100, true), TrainingSpec.Generation.NONE,
        TrainingSpec.CertifyAll.AUTO);
    assertTrue(SolverChoice.of(resume, "local[2]", 10).distributed());

    LabeledData train = data(30, 3, 4);
    ProblemSetup.Setup gated = ProblemSetup.of(spec(Formulation.GATED, 1.0, false, p), train,
        null, ProblemSetup.PatternFiles.NONE);
    assertEquals(SsnalGatedSolver.class, SolverChoice.algorithm(gated.problem()));
    ProblemSetup.Setup relu = ProblemSetup.of(spec(Formulation.RELU, 1.0, false, p), train,
        null, ProblemSetup.PatternFiles.NONE);
    assertEquals(InteriorPointReluSolver.class, SolverChoice.algorithm(relu.problem()));
    ConvexReluProblem logistic = new ConvexReluProblem(gated.x(), gated.y(), gated.patterns(),
        new LogisticLoss(), 1.0, Formulation.GATED);
    assertEquals(GatedFistaSolver.class, SolverChoice.algorithm(logistic));

    assertEquals("SsnalGatedSolver", new SolverChoice(false, false)
        .name(SsnalGatedSolver.class));
    assertEquals("SsnalGatedSolver + ColumnGeneration", new SolverChoice(false, true)
        .name(SsnalGatedSolver.class));
  }
}
