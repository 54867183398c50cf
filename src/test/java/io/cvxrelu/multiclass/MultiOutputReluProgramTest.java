package io.cvxrelu.multiclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.LogisticLoss;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.SolverChoice;
import org.junit.jupiter.api.Test;

/**
 * The multi-output ReLU program against independent answers: the scalar ReLU program's
 * certified optimum (interior point or the scalar augmented Lagrangian, other code) for c = 1,
 * for each class of the squared loss, and, through the two-class softmax = logistic mapping,
 * for softmax; and the recovered network, whose objective must equal the convex one.
 */
class MultiOutputReluProgramTest {
  private static final SolverOptions OPTIONS = new SolverOptions(1e-7, 1e-9, 200_000, 120.0);

  private static DenseMatrix x() {
    return MultiOutputFixture.features(40, 4, 3);
  }

  /**
   * The augmented Lagrangian with FISTA inside needs many steps once rho is large: these
   * instances (beta, P) are ones it certifies within a few seconds.
   */
  private static MultiOutputReluProgram program(int classes, MultiOutputLoss loss, double frac,
      int patterns) {
    DenseMatrix x = x();
    DenseMatrix y = MulticlassTargets.oneHot(MultiOutputFixture.labels(x, classes, 5), classes);
    SignPatterns p = MultiOutputFixture.patterns(x, patterns, 7);
    double beta = frac * MultiOutputReluProgram.betaMax(x, y, p, loss);
    return new MultiOutputReluProgram(x, y, p, loss, beta);
  }

  private static SolverResult certified(SolverResult r) {
    assertTrue(Certification.of(r, OPTIONS, 1.0).certified(), r.stopReason() + " "
        + r.certificate());
    return r;
  }

  private static SolverResult coupled(MultiOutputReluProgram program) {
    return certified(new ReluMultiOutputSolver().solve(program, null, OPTIONS,
        IterationListener.NONE));
  }

  private static SolverResult scalar(ConvexReluProblem problem) {
    return certified(SolverChoice.local(problem).solve(problem, null, OPTIONS,
        IterationListener.NONE));
  }

  /** Two certified optima agree to the sum of their gaps. */
  private static void assertSameOptimum(double a, double b) {
    assertEquals(a, b, 4 * OPTIONS.tolerance() * Math.max(Math.abs(a), Math.abs(b)));
  }

  @Test
  void oneClassIsTheScalarReluProgram() {
    MultiOutputReluProgram program = program(1, new OneHotSquaredLoss(), 0.5, 4);
    SolverResult own = coupled(program);
    SolverResult reference = scalar(SeparatedReluSolver.classProgram(program, 0));
    assertSameOptimum(reference.certificate().objective(), own.certificate().objective());
    assertEquals(own.certificate().objective(), program.objective(own.weights()), 1e-12
        * own.certificate().objective());
  }

  @Test
  void squaredLossIsThreeScalarProgramsAndTheCoupledSolverAgrees() {
    MultiOutputReluProgram program = program(3, new OneHotSquaredLoss(), 0.3, 4);
    SolverResult separated = certified(new SeparatedReluSolver(SolverChoice::local)
        .solve(program, OPTIONS, IterationListener.NONE));
    double sum = 0.0;
    for (int k = 0; k < 3; k++) {
      sum += scalar(SeparatedReluSolver.classProgram(program, k)).certificate().objective();
    }
    assertSameOptimum(sum, separated.certificate().objective());
    // The assembled blocks are a point of the multi-output program with that objective.
    assertEquals(separated.certificate().objective(), program.objective(separated.weights()),
        1e-10 * sum);
    assertSameOptimum(sum, coupled(program).certificate().objective());
  }

  @Test
  void twoClassSoftmaxIsTheLogisticReluProgram() {
    // softmax(f1, f2) cross-entropy is log(1 + exp(-y (f1 - f2))) with y = +1 for class 0:
    // v_i = v_i1 + w_i2 and w_i = w_i1 + v_i2 map the optima onto each other, same beta.
    MultiOutputReluProgram program = program(2, new SoftmaxCrossEntropy(), 0.1, 8);
    double[] y = new double[program.n()];
    for (int r = 0; r < y.length; r++) {
      y[r] = program.y().get(r, 0) == 1.0 ? 1.0 : -1.0;
    }
    ConvexReluProblem logistic = new ConvexReluProblem(program.x(), y, program.signPatterns(),
        new LogisticLoss(), program.beta(), Formulation.RELU);
    assertSameOptimum(scalar(logistic).certificate().objective(),
        coupled(program).certificate().objective());
  }

  @Test
  void recoveredNetworkHasTheConvexObjective() {
    for (MultiOutputLoss loss : new MultiOutputLoss[] {new SoftmaxCrossEntropy(),
        new OneHotSquaredLoss()}) {
      MultiOutputReluProgram program = program(3, loss, 0.3, 8);
      SolverResult r = loss instanceof OneHotSquaredLoss
          ? certified(new SeparatedReluSolver(SolverChoice::local).solve(program, OPTIONS,
              IterationListener.NONE))
          : coupled(program);
      ReluVectorNetwork net = ReluVectorNetwork.recover(program, r.weights());
      assertEquals(program.activeBlocks(r.weights()), net.width());
      double convex = r.certificate().objective();
      double network = net.objective(program.x(), program.y(), loss, program.beta());
      assertEquals(convex, network, 1e-9 * Math.max(1.0, convex), loss.name());
    }
  }

  @Test
  void onlyTheSquaredLossSeparates() {
    MultiOutputReluProgram program = program(3, new SoftmaxCrossEntropy(), 0.1, 8);
    assertThrows(IllegalArgumentException.class, () -> new SeparatedReluSolver(
        SolverChoice::local).solve(program, OPTIONS, IterationListener.NONE));
  }
}
