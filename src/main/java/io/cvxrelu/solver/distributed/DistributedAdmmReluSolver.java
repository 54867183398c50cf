package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.AdmmWoodbury;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Consensus ADMM over the row blocks for the cone-constrained ReLU program with the squared loss
 * (Pilanci and Ergen 2020, eq. (8); Boyd et al. 2011, Sec. 7.1, global variable consensus with
 * regularisation; each block split as in Bai, Gautam and Sojoudi 2022, Alg. 1). Every row block
 * keeps its own copy u_b of the weights, its cone constraints, slacks and scaled duals, and
 * caches its factorisations ({@link ConsensusAdmmBlock}); one Spark job per iteration steps all
 * blocks and sums their iterates; the driver forms the consensus
 * z = prox_{beta / (rho sum gamma_b)}(sum_b gamma_b (u_b + a_b) / sum_b gamma_b) (group
 * soft-threshold) and adapts rho by residual balancing on relative residuals (Boyd et al. 2011,
 * Sec. 3.4.1; {@link AdmmWoodbury#balancedRho}, as the single-node ADMM) every
 * {@value #RHO_UPDATE_EVERY} iterations (the blocks then rescale their duals and factor T_b
 * again).
 *
 * <p>Every {@code certificateEvery} iterations z is certified by one pass with the blocks' cone
 * multipliers mu_b = (-rho c_b)_+ ({@link DistributedProblem#certificate}); it converges when
 * the relative gap and z's cone violation are within tolerance.
 *
 * <p>Memory: each block holds its n_b x n_b factor of T_b (134 MB at the 4,096-row blocks) and
 * 4 n_b x 2P doubles of slacks, duals and their next values. Warm starts start z and every u_b
 * there, with zero duals, so the first iterations leave even a good start (the warm-start
 * wrapper returns the start when a budget ends worse); {@code --resume} continues from the
 * checkpoint's z and rho (the blocks' duals start again from zero). An option beside the interior point and the augmented Lagrangian
 * ({@code spark.cvxrelu.reluSolver=admm}); docs/distributed.md gives the measurements behind
 * the default.
 */
public final class DistributedAdmmReluSolver implements DistributedSolver {
  private static final Logger LOG = LogManager.getLogger(DistributedAdmmReluSolver.class);
  /** Spark setting that picks this solver for the ReLU program ("admm"). */
  public static final String SETTING = "spark.cvxrelu.reluSolver";
  static final int RHO_UPDATE_EVERY = 25;

  private final int certificateEvery;

  public DistributedAdmmReluSolver() {
    this(10);
  }

  /** @param certificateEvery iterations between certificates (at least 1) */
  public DistributedAdmmReluSolver(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  /** Whether it applies: the ReLU program with the squared loss. */
  static boolean supports(DistributedProblem problem) {
    return problem.formulation() == Formulation.RELU && problem.loss() instanceof SquaredLoss;
  }

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    Formulation.RELU.require(problem, "DistributedAdmmReluSolver");
    if (!(problem.loss() instanceof SquaredLoss)) {
      throw new IllegalArgumentException("DistributedAdmmReluSolver needs the squared loss");
    }
    long start = System.nanoTime();
    JavaSparkContext sc = problem.context();
    JavaRDD<RowBlock> blocks = problem.data().blocks();
    int d = problem.d();
    int q = 2 * problem.patternCount();
    double beta = problem.beta();
    DenseMatrix z;
    double rho = 1.0;
    long k = 0;
    if (resume) {
      SolverCheckpoint.State s = checkpoint.load(problem);
      z = s.iterate().copy();
      rho = s.rho();
      k = s.steps();
    } else {
      z = warmStart != null ? warmStart.copy() : problem.zeroWeights();
    }
    double feasTol = options.feasibilityTolerance() * Math.max(1.0, problem.largestLabel());
    DenseMatrix z0 = z;
    double rho0 = rho;
    sc.setJobDescription("cvxrelu: consensus ADMM set-up (each block's factors)");
    JavaRDD<ConsensusAdmmBlock> state = blocks.map(b -> ConsensusAdmmBlock.start(b, z0, rho0));
    state.persist(StorageLevel.MEMORY_AND_DISK());
    state.rdd().localCheckpoint();
    state.count();
    List<IterationRecord> history = new ArrayList<>();
    Certificate cert = null;
    StopReason reason = null;
    double rhoNext = rho;
    boolean first = true;
    try {
      while (reason == null) {
        DenseMatrix zk = z;
        double rk = rhoNext;
        boolean f0 = first;
        JavaRDD<ConsensusAdmmBlock> next = blocks.zip(state)
            .map(t -> t._2().step(t._1(), zk, rk, f0));
        next.persist(StorageLevel.MEMORY_AND_DISK());
        next.rdd().localCheckpoint();
        sc.setJobDescription("cvxrelu: consensus ADMM iteration " + (k + 1));
        ConsensusAdmmBlock.Sums sums = OrderedAggregate.aggregate(state.zip(next),
            new ConsensusAdmmBlock.Sums(d, q), (acc, t) -> acc.add(t._1(), t._2()),
            ConsensusAdmmBlock.Sums::merge);
        state.unpersist(false);
        state = next;
        first = false;
        k++;
        DenseMatrix zNew = consensus(sums, beta / (rk * sums.gamma), d, q);
        double dz2 = 0.0;
        double z2 = 0.0;
        double zu = 0.0;
        double[] zn = zNew.data();
        double[] zo = z.data();
        double[] wu = sums.weightedU.data();
        for (int i = 0; i < zn.length; i++) {
          dz2 += (zn[i] - zo[i]) * (zn[i] - zo[i]);
          z2 += zn[i] * zn[i];
          zu += zn[i] * wu[i];
        }
        double primal = Math.sqrt(Math.max(0.0,
            sums.weightedUNorm2 - 2.0 * zu + sums.gamma * z2) + sums.conePrimal2);
        double dual = rk * Math.sqrt(sums.gamma * dz2 + sums.slackMove2);
        z = zNew;
        rhoNext = rk;
        if (k % RHO_UPDATE_EVERY == 0) {
          // Relative residuals, as the single-node ADMM balances them.
          double relPrimal = primal / Math.max(1e-300, Math.sqrt(Math.max(
              sums.weightedUNorm2 + sums.coneNorm2, sums.gamma * z2 + sums.slackNorm2)));
          double relDual = dual / Math.max(1e-300, rk * Math.sqrt(sums.dualNorm2));
          rhoNext = AdmmWoodbury.balancedRho(rk, relPrimal, relDual);
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        boolean budgetOut = k >= options.maxIterations() || seconds >= options.maxSeconds();
        if (k % certificateEvery == 0 || budgetOut) {
          JavaRDD<DenseMatrix> mu = state.map(ConsensusAdmmBlock::coneMultipliers);
          cert = problem.certificate(z, mu);
          seconds = (System.nanoTime() - start) * 1e-9;
          IterationRecord rec = new IterationRecord((int) k, k, cert.objective(),
              cert.lowerBound(), cert.relativeGap(), cert.constraintViolation(), seconds);
          history.add(rec);
          LOG.debug("consensus ADMM {}: rho {}, primal {}, dual {}", k, rk, primal, dual);
          if (!Double.isFinite(cert.objective()) || !Double.isFinite(cert.lowerBound())) {
            reason = StopReason.NUMERICAL_FAILURE;
          } else if (cert.relativeGap() <= options.tolerance()
              && cert.constraintViolation() <= feasTol) {
            reason = StopReason.CONVERGED;
          } else if (!listener.onIteration(rec, z)) {
            reason = StopReason.STOPPED_BY_LISTENER;
          } else if (budgetOut) {
            reason = k >= options.maxIterations() ? StopReason.MAX_ITERATIONS
                : StopReason.TIME_LIMIT;
          }
        }
        if (checkpoint != null && (checkpoint.due(k)
            || (reason != null && reason != StopReason.CONVERGED))) {
          checkpoint.save(new SolverCheckpoint.State(SolverCheckpoint.fingerprint(problem), k,
              z, z, 1.0, Double.NaN, Double.NaN, (int) Math.min(k, Integer.MAX_VALUE), rhoNext,
              Double.NaN, Double.NaN, false), problem.data(), null);
        }
      }
    } finally {
      state.unpersist(false);
    }
    return new SolverResult(z.copy(), cert, reason, List.copyOf(history), k,
        (System.nanoTime() - start) * 1e-9, null);
  }

  /** The group soft-threshold of the weighted average sum gamma_b (u_b + a_b) / sum gamma_b. */
  private static DenseMatrix consensus(ConsensusAdmmBlock.Sums sums, double threshold, int d,
      int q) {
    DenseMatrix z = new DenseMatrix(d, q);
    double[] zd = z.data();
    double[] od = sums.operand.data();
    for (int j = 0; j < q; j++) {
      double norm2 = 0.0;
      for (int i = j * d; i < (j + 1) * d; i++) {
        zd[i] = od[i] / sums.gamma;
        norm2 += zd[i] * zd[i];
      }
      double norm = Math.sqrt(norm2);
      double shrink = norm > threshold ? 1.0 - threshold / norm : 0.0;
      for (int i = j * d; i < (j + 1) * d; i++) {
        zd[i] *= shrink;
      }
    }
    return z;
  }
}
