package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.StopReason;
import java.util.List;

/**
 * What {@link MultiOutputFista} returns: the d x (P c) weights, the certificate at them, the
 * history (one record per certificate evaluation) and the named stop reason. The weights are
 * certified only when the reason is {@link StopReason#CONVERGED}.
 */
public record MultiOutputResult(DenseMatrix weights, MultiOutputCertificate certificate,
    StopReason stopReason, List<IterationRecord> history, long iterations, double seconds) {

  /** True when the relative gap reached the tolerance (the gated program has no cones). */
  public boolean certified() {
    return stopReason == StopReason.CONVERGED;
  }
}
