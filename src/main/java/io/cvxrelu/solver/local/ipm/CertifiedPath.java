package io.cvxrelu.solver.local.ipm;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * What makes {@link PathFollowing} a solver, on one node or over row blocks: every iterate is
 * certified (the rows' multipliers z are the mu of {@link Certificate}), the best certified
 * iterate within the feasibility tolerance is kept, the stopping rules are applied, and at the
 * end the blocks the interior iterates only approach (inactive neurons) are zeroed when the
 * certificate stays within tolerance.
 *
 * @param <M> the multipliers' form: an n x 2P matrix, or one per row block on a cluster
 */
public final class CertifiedPath<M> {
  /** Iterate on to this fraction of the tolerance, so that the inactive blocks can be pruned. */
  private static final double PRUNE_MARGIN = 0.01;

  /** Where the multipliers come from and how an iterate is certified. */
  public interface Rows<M> {
    /** The current iterate's multipliers. */
    M multipliers();

    /** The certificate of the blocks b with the multipliers mu. */
    Certificate certify(DenseMatrix b, M mu);

    /**
     * The certificate of the iterate b, whose multipliers are mu, given the rows' summary the
     * next step needs anyway ({@link PathFollowing#prepare}); by default a pass of its own.
     */
    default Certificate certify(DenseMatrix b, M mu, ConeRows.Prepared prepared) {
      return certify(b, mu);
    }

    /** Releases multipliers no longer kept (a no-op on one node). */
    default void release(M mu) {}
  }

  /** Blocks with the multipliers they were certified with and the certificate. */
  public record Point<M>(DenseMatrix weights, M multipliers, Certificate certificate) {}

  private final Rows<M> rows;
  private final SolverOptions options;
  private final long start;
  private final double feasTol;
  private final List<IterationRecord> history = new ArrayList<>();
  private StopReason reason;
  private int it;
  /** The certified iterate with the smallest gap among those within feasTol. */
  private Point<M> best;

  /**
   * @param feasTol the cone violation allowed, in the units of the data
   * @param start {@link System#nanoTime} at the start of the solve
   */
  public CertifiedPath(Rows<M> rows, SolverOptions options, double feasTol, long start) {
    this.rows = rows;
    this.options = options;
    this.feasTol = feasTol;
    this.start = start;
  }

  /** Certifies every iterate and steps until a stopping rule sets the {@link #reason}. */
  public void follow(PathFollowing path, IterationListener listener) {
    while (reason == null) {
      DenseMatrix b = path.weights();
      M mu = rows.multipliers();
      Certificate cert;
      try {
        cert = rows.certify(b, mu, path.prepare());
      } catch (ArithmeticException e) {
        rows.release(mu);
        reason = StopReason.NUMERICAL_FAILURE;
        break;
      }
      IterationRecord rec = new IterationRecord(it, it, cert.objective(), cert.lowerBound(),
          cert.relativeGap(), cert.constraintViolation(), seconds());
      history.add(rec);
      if (Double.isFinite(cert.relativeGap()) && cert.constraintViolation() <= feasTol
          && (best == null || cert.relativeGap() < best.certificate().relativeGap())) {
        if (best != null) {
          rows.release(best.multipliers());
        }
        best = new Point<>(b, mu, cert);
      } else {
        rows.release(mu);
      }
      reason = stopReason(cert, listener, rec, b);
      if (reason == null) {
        it++;
        try {
          if (!path.step()) {
            reason = StopReason.STALLED;
          }
        } catch (ArithmeticException e) {
          reason = StopReason.NUMERICAL_FAILURE;
        }
      }
    }
  }

  private StopReason stopReason(Certificate cert, IterationListener listener,
      IterationRecord rec, DenseMatrix b) {
    // Iterate on to a hundredth of the tolerance (two or three more steps at the method's
    // superlinear end) so that the inactive blocks are small enough to prune.
    if (cert.relativeGap() <= PRUNE_MARGIN * options.tolerance()
        && cert.constraintViolation() <= feasTol) {
      return StopReason.CONVERGED;
    } else if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
      return StopReason.NUMERICAL_FAILURE;
    } else if (!listener.onIteration(rec, b)) {
      return StopReason.STOPPED_BY_LISTENER;
    } else if (it >= options.maxIterations()) {
      return StopReason.MAX_ITERATIONS;
    } else if (rec.seconds() >= options.maxSeconds()) {
      return StopReason.TIME_LIMIT;
    }
    return null;
  }

  /**
   * Interior iterates approach the inactive neurons' zero blocks without reaching them: zero
   * the small blocks, at the largest relative threshold the certificate still accepts.
   */
  public Point<M> pruneInactiveBlocks() {
    double allowed = Math.max(options.tolerance(), best.certificate().relativeGap());
    for (double threshold = 1e-3; threshold >= 1e-12; threshold *= 0.1) {
      DenseMatrix pruned = pruneSmallBlocks(best.weights(), threshold);
      if (pruned == null) {
        continue;
      }
      Certificate pc = rows.certify(pruned, best.multipliers());
      if (pc.constraintViolation() <= feasTol && pc.relativeGap() <= allowed) {
        return new Point<>(pruned, best.multipliers(), pc);
      }
    }
    return best;
  }

  /**
   * Zeroes the blocks whose norm is at most {@code threshold} times the largest; null when none
   * qualifies.
   */
  static DenseMatrix pruneSmallBlocks(DenseMatrix b, double threshold) {
    double largest = 0.0;
    for (int j = 0; j < b.cols(); j++) {
      largest = Math.max(largest, b.columnNorm(j));
    }
    DenseMatrix out = b.copy();
    boolean any = false;
    int d = b.rows();
    for (int j = 0; j < b.cols(); j++) {
      double nj = b.columnNorm(j);
      if (nj > 0.0 && nj <= threshold * largest) {
        java.util.Arrays.fill(out.data(), j * d, (j + 1) * d, 0.0);
        any = true;
      }
    }
    return any ? out : null;
  }

  /**
   * The squared-loss certificate of an iterate from the rows' summary at it: the loss moments
   * and the dual residual, whose column norms are the dual-constraint norms
   * ||X^T D_j lambda + K_j^T z_j|| (v_j) and ||-X^T D_j lambda + K_j^T z_j|| (w_j) at the
   * iterate's own multipliers (Pilanci and Ergen 2020, eq. (8); {@link Certificate}), and
   * the iterate's regularizer beta sum_j ||b_j||. Null when the rows form no moments.
   */
  public static Certificate fromPrepared(double regularizer, double beta,
      ConeRows.Prepared prepared) {
    ConeRows.LossMoments mo = prepared.moments();
    if (mo == null) {
      return null;
    }
    DenseMatrix dual = prepared.dualResidual();
    double dualNorm = 0.0;
    for (int j = 0; j < dual.cols(); j++) {
      dualNorm = Math.max(dualNorm, dual.columnNorm(j));
    }
    return Certificate.squaredLoss(mo.loss() + regularizer, mo.lambdaDotY(),
        mo.lambdaNormSquared(), dualNorm, beta, mo.violation());
  }

  /** The best certified iterate (null when none was within the feasibility tolerance). */
  public Point<M> best() {
    return best;
  }

  public StopReason reason() {
    return reason;
  }

  /** Steps taken. */
  public int iterations() {
    return it;
  }

  /** One record per certified iterate. */
  public List<IterationRecord> history() {
    return history;
  }

  /** Seconds since the start of the solve. */
  public double seconds() {
    return (System.nanoTime() - start) * 1e-9;
  }

  /** The solver's result at {@code out}, with {@code multipliers} (null: none returned). */
  public SolverResult result(Point<M> out, DenseMatrix multipliers) {
    double seconds = seconds();
    StopReason outReason = out.certificate().relativeGap() <= options.tolerance()
        ? StopReason.CONVERGED : reason;
    return new SolverResult(out.weights(), out.certificate(), outReason,
        List.copyOf(history), it, seconds, multipliers);
  }
}
