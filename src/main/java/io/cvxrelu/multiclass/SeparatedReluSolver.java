package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The multi-output ReLU program with the squared loss, solved as the c scalar programs it
 * separates into: 1/2 ||F - Y||_F^2 = sum_k 1/2 ||F_k - Y_k||^2, and the blocks (v_ik, w_ik),
 * their norms and their cones belong to class k alone, so the program is the sum over k of the
 * scalar ReLU program (Pilanci and Ergen 2020, eq. (8)) on targets Y_k, with the same patterns
 * and beta. Each is solved by the certified single-node solver a rule above this package
 * chooses (injected: {@code train.SolverChoice::local}).
 *
 * <p>The certificate is the sum: objective and dual bound add over the classes (the dual of a
 * separable program is the sum of the duals), so the total gap is the sum of the gaps and the
 * relative gap is at most the largest class's. The result is CONVERGED only when every class
 * is; its violation is the largest.
 */
public final class SeparatedReluSolver {
  private final Function<ConvexReluProblem, ConvexSolver> choice;

  /** @param choice the single-node solver for each scalar program */
  public SeparatedReluSolver(Function<ConvexReluProblem, ConvexSolver> choice) {
    this.choice = choice;
  }

  /** The scalar ReLU program of class k. */
  public static ConvexReluProblem classProgram(MultiOutputReluProgram program, int k) {
    return new ConvexReluProblem(program.x(), program.y().column(k), program.signPatterns(),
        new SquaredLoss(), program.beta(), Formulation.RELU);
  }

  /**
   * Solves the c programs from zero and assembles the d x 2Pc weights.
   *
   * @throws IllegalArgumentException when the program's loss is not the squared loss
   */
  public SolverResult solve(MultiOutputReluProgram program, SolverOptions options,
      IterationListener listener) {
    if (!(program.outputLoss() instanceof OneHotSquaredLoss)) {
      throw new IllegalArgumentException("only the squared loss separates over classes, not "
          + program.outputLoss().name());
    }
    long start = System.nanoTime();
    int c = program.outputs();
    int p = program.signPatternCount();
    DenseMatrix b = program.zeroWeights();
    double objective = 0.0;
    double lower = 0.0;
    double violation = 0.0;
    long steps = 0;
    StopReason reason = StopReason.CONVERGED;
    List<IterationRecord> history = new ArrayList<>();
    for (int k = 0; k < c; k++) {
      ConvexReluProblem scalar = classProgram(program, k);
      SolverResult r = choice.apply(scalar).solve(scalar, null, options, listener);
      place(r.weights(), b, k, c, p);
      objective += r.certificate().objective();
      lower += r.certificate().lowerBound();
      violation = Math.max(violation, r.certificate().constraintViolation());
      steps += r.iterations();
      if (reason == StopReason.CONVERGED && r.stopReason() != StopReason.CONVERGED) {
        reason = r.stopReason();
      }
      double seconds = (System.nanoTime() - start) * 1e-9;
      Certificate sum = Certificate.atScale(objective, Double.NaN, lower, violation);
      history.add(new IterationRecord(k + 1, steps, objective, lower, sum.relativeGap(),
          violation, seconds));
    }
    Certificate total = Certificate.atScale(objective, Double.NaN, lower, violation);
    return new SolverResult(b, total, reason, List.copyOf(history), steps,
        (System.nanoTime() - start) * 1e-9, null);
  }

  /** Class k's [v_1..v_P, w_1..w_P] into columns i c + k and P c + i c + k of B. */
  private static void place(DenseMatrix scalar, DenseMatrix b, int k, int c, int p) {
    int d = b.rows();
    for (int i = 0; i < p; i++) {
      System.arraycopy(scalar.data(), i * d, b.data(), (i * c + k) * d, d);
      System.arraycopy(scalar.data(), (p + i) * d, b.data(), (p * c + i * c + k) * d, d);
    }
  }
}
