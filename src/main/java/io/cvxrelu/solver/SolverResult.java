package io.cvxrelu.solver;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.List;

/**
 * What a solver returns: the weights (d x q blocks, see
 * {@link io.cvxrelu.problem.ConvexReluProblem}), the certificate at those weights, the
 * history and the named stop reason.
 *
 * @param multipliers n x 2P cone multipliers (ReLU solver) or null (gated)
 */
public record SolverResult(DenseMatrix weights, Certificate certificate, StopReason stopReason,
    List<IterationRecord> history, long iterations, double seconds, DenseMatrix multipliers) {
}
