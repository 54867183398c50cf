package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.OperatorNorms;
import io.cvxrelu.solver.local.AugmentedLagrangianSolver;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The cone-constrained ReLU program (Pilanci and Ergen 2020, eq. (8)) over distributed row
 * blocks by the augmented-Lagrangian method of the single-node
 * {@code AugmentedLagrangianSolver} (same penalty, multiplier update mu+ = (mu - rho K v)_+,
 * rho schedule and inner tolerance): each round minimises the augmented Lagrangian with
 * {@link DistributedFista}, one pass per step. The cone multipliers, n x 2P, never reach the
 * driver: they are an RDD aligned with the row blocks, replaced each round by a new persisted
 * RDD with a local checkpoint (bounded lineage) after which the old one is unpersisted.
 *
 * <p>It stops, as on a single node, only when the constraint violation is within the
 * feasibility tolerance and the duality gap of the certificate built from the residual and the
 * updated multipliers is within the tolerance. The result carries no multipliers (they stay
 * distributed).
 */
public final class DistributedReluSolver {
  /** Mutable state of one solve, seen by the checkpoint hook. */
  private static final class Round {
    int round;
    double rho;
    double eta = 1e-2;
    double previousViolation = Double.POSITIVE_INFINITY;
    JavaRDD<DenseMatrix> mu;
  }

  public SolverResult solve(DistributedProblem problem, SolverOptions options,
      IterationListener listener, SolverCheckpoint checkpoint, boolean resume) {
    return solve(problem, null, options, listener, checkpoint, resume);
  }

  /**
   * Solves from {@code warmStart} (d x 2P; null: zero) with zero multipliers, or from the
   * checkpoint when {@code resume} is set.
   */
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    if (problem.formulation() != Formulation.RELU) {
      throw new IllegalArgumentException("DistributedReluSolver solves the ReLU formulation");
    }
    long start = System.nanoTime();
    double beta = problem.beta();
    String fingerprint = SolverCheckpoint.fingerprint(problem);
    problem.context().setJobDescription("cvxrelu: step size (power iteration)");
    double lossLipschitz = problem.loss().curvature() * OperatorNorms.normalOperatorNorm(
        problem.d(), problem.blockCount(), problem::normalOperator, 20);
    problem.context().setJobDescription("cvxrelu: Gram matrix");
    double dataNorm2 = OperatorNorms.gramNormSquared(problem.gram());
    double feasScale = Math.max(1.0, problem.data().blocks().map(b -> {
      double m = 0.0;
      for (double v : b.y()) {
        m = Math.max(m, Math.abs(v));
      }
      return m;
    }).fold(0.0, Math::max));
    double feasTol = options.feasibilityTolerance() * feasScale;

    Round st = new Round();
    DistributedFista fista;
    if (resume) {
      SolverCheckpoint.State s = checkpoint.load(fingerprint);
      st.round = s.round() - 1;
      st.rho = s.rho();
      st.eta = s.innerTolerance();
      st.previousViolation = s.previousViolation();
      st.mu = checkpoint.loadMultipliers(problem.data());
      fista = new DistributedFista(problem, smooth(problem, st.mu, st.rho),
          "ReLU augmented Lagrangian", s.iterate(), s.previousIterate(), s.momentum(),
          s.stepSize(), s.steps());
      fista.restoreGradientMapping(s.gradientMapping());
    } else {
      // As on a single node: the penalty's curvature rho ||X||^2 is free while below the loss
      // term's Lipschitz constant.
      st.rho = Math.max(problem.loss().curvature(),
          dataNorm2 > 0.0 ? lossLipschitz / dataNorm2 : 1.0);
      st.mu = problem.zeroMultipliers();
      DenseMatrix b0 = warmStart != null ? warmStart
          : new DenseMatrix(problem.d(), problem.blockCount());
      fista = new DistributedFista(problem, smooth(problem, st.mu, st.rho),
          "ReLU augmented Lagrangian", b0, b0, 1.0,
          1.0 / Math.max(lossLipschitz + st.rho * dataNorm2, Double.MIN_NORMAL), 0);
    }
    if (checkpoint != null) {
      fista.afterStep(f -> {
        if (checkpoint.due(f.steps())) {
          save(checkpoint, fingerprint, f, st, problem);
        }
      });
    }

    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = null;
    StopReason reason = null;
    JavaRDD<DenseMatrix> muNext = null;
    // A checkpoint is taken after at least one step of its round: a resumed round may end at
    // once, as the uninterrupted one would have.
    boolean resumedRound = resume;
    while (reason == null) {
      st.round++;
      boolean stalled = false;
      long innerStart = resumedRound ? fista.steps() - 1 : fista.steps();
      resumedRound = false;
      while (fista.steps() - innerStart < 1 || fista.gradientMapping() > st.eta * beta) {
        if (!fista.step()) {
          stalled = true;
          break;
        }
        if (fista.steps() >= options.maxIterations()
            || (System.nanoTime() - start) * 1e-9 >= options.maxSeconds()) {
          break;
        }
      }
      muNext = problem.updatedMultipliers(fista.iterate(), st.mu, st.rho);
      cert = problem.certificate(fista.iterate(), muNext);
      double seconds = (System.nanoTime() - start) * 1e-9;
      IterationRecord rec = new IterationRecord(st.round, fista.steps(), cert.objective(),
          cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
      history.add(rec);
      double violation = cert.constraintViolation();
      reason = AugmentedLagrangianSolver.roundOutcome(cert, rec, feasTol, options, stalled,
          listener, fista.iterate());
      if (reason != null) {
        break;
      }
      st.rho = AugmentedLagrangianSolver.nextRho(st.rho, violation, st.previousViolation,
          feasTol);
      st.previousViolation = violation;
      st.mu.unpersist(false);
      st.mu = muNext;
      muNext = null;
      fista.reset(smooth(problem, st.mu, st.rho), lossLipschitz + st.rho * dataNorm2);
      st.eta = Math.max(st.eta * 0.2, 1e-13);
    }
    if (checkpoint != null && reason != StopReason.CONVERGED) {
      // Resume inside the round that stopped, with the multipliers it started from.
      save(checkpoint, fingerprint, fista, st, problem);
    }
    st.mu.unpersist(false);
    if (muNext != null) {
      muNext.unpersist(false);
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    return new SolverResult(fista.iterate().copy(), cert, reason, List.copyOf(history),
        fista.steps(), seconds, null);
  }

  private static DistributedFista.Smooth smooth(DistributedProblem problem,
      JavaRDD<DenseMatrix> mu, double rho) {
    return (c, y) -> problem.evaluate(c, y, mu, rho);
  }

  private static void save(SolverCheckpoint checkpoint, String fingerprint, DistributedFista f,
      Round st, DistributedProblem problem) {
    checkpoint.save(new SolverCheckpoint.State(fingerprint, f.steps(), f.iterate(),
        f.previousIterate(), f.momentum(), f.stepSize(), f.gradientMapping(), st.round, st.rho, st.eta,
        st.previousViolation, true), problem.data(), st.mu);
  }
}
