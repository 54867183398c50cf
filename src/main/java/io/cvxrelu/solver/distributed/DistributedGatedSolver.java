package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.iteration.GatedFistaLoop;
import io.cvxrelu.solver.iteration.OperatorNorms;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The gated-ReLU group lasso (Pilanci and Ergen 2020, eq. (8) without the cone constraints;
 * Mishkin, Sahiner and Pilanci 2022, eq. (4)) over distributed row blocks: the loop of the
 * single-node solver ({@link GatedFistaLoop}) driving {@link DistributedFista}, one pass per
 * step, stopping on the same duality-gap certificate (one more pass every few steps). The first
 * step is the inverse of the same power-iteration estimate of the Lipschitz constant as on a
 * single node, so the iterates follow the single-node ones.
 *
 * <p>With the squared loss the gradient is affine, and each step is a single evaluation at the
 * candidate (two GEMMs per row block instead of three, {@link DistributedFista}); the
 * certificate is then assembled on the driver from the pass that accepted the iterate and one
 * pass at B = 0 ({@link DistributedProblem#squaredLossCertificate}), and confirmed by a full
 * certificate pass before convergence is claimed.
 */
public final class DistributedGatedSolver implements DistributedSolver {
  private static final Logger LOG = LogManager.getLogger(DistributedGatedSolver.class);
  private static final String PHASE = "gated FISTA";

  private final int certificateEvery;
  private final boolean residentPasses;
  private final boolean gramStatistics;

  public DistributedGatedSolver() {
    this(5);
  }

  /** @param certificateEvery steps between certificate evaluations */
  public DistributedGatedSolver(int certificateEvery) {
    this(certificateEvery, true);
  }

  /**
   * @param certificateEvery steps between certificate evaluations
   * @param residentPasses serve the passes by resident tasks where {@link ResidentPasses}
   *     supports it (false: one Spark job per pass always)
   */
  public DistributedGatedSolver(int certificateEvery, boolean residentPasses) {
    this(certificateEvery, residentPasses, false);
  }

  /**
   * @param certificateEvery steps between certificate evaluations
   * @param residentPasses serve the passes by resident tasks where {@link ResidentPasses}
   *     supports it (false: one Spark job per pass always)
   * @param gramStatistics where {@link GramStatistics} supports the program (gated, squared
   *     loss, moderate P d), take its sufficient statistics in one pass and step on the driver
   *     from them, with a certificate pass to confirm convergence
   */
  public DistributedGatedSolver(int certificateEvery, boolean residentPasses,
      boolean gramStatistics) {
    this.certificateEvery = Math.max(1, certificateEvery);
    this.residentPasses = residentPasses;
    this.gramStatistics = gramStatistics;
  }

  /**
   * The solver {@code --solver distributed} runs for a gated program: from the Gram statistics
   * when {@link GramStatistics#supports} it (and {@link GramStatistics#SETTING} is not false),
   * else over the row blocks (resident passes where they apply).
   */
  static DistributedGatedSolver forProblem(DistributedProblem problem) {
    return new DistributedGatedSolver(5, true,
        problem.context().getConf().getBoolean(GramStatistics.SETTING, true));
  }

  @Override
  public SolverResult solve(DistributedProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener, SolverCheckpoint checkpoint,
      boolean resume) {
    Formulation.GATED.require(problem, "DistributedGatedSolver");
    long start = System.nanoTime();
    boolean affine = problem.loss() instanceof SquaredLoss;
    GramStatistics gram = gramStatistics && GramStatistics.supports(problem)
        ? GramStatistics.of(problem) : null;
    ResidentPasses resident = gram == null && residentPasses && ResidentPasses.supports(problem)
        ? new ResidentPasses(problem) : null;
    DistributedFista.Smooth loss = gram != null ? gram : resident != null ? resident
        : (c, y) -> problem.evaluate(c, y, null, 0.0);
    if (gram != null) {
      LOG.info("gated FISTA on the driver from the Gram statistics (P d = {}, {} s for the pass)",
          problem.d() * problem.patternCount(),
          String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) * 1e-9));
    }
    SolverResult result;
    try {
      double lipschitz = resume ? Double.NaN : problem.loss().curvature() * (gram != null
          ? OperatorNorms.normalOperatorNorm(problem.d(), problem.patternCount(), gram::normal,
              20)
          : OperatorNorms.lossOperatorNormSquared(problem, 20));
      DistributedFista fista = resume
          ? DistributedFista.resume(problem, loss, PHASE, checkpoint.load(problem), affine)
          : DistributedFista.start(problem, loss, PHASE,
              warmStart != null ? warmStart : problem.zeroWeights(), lipschitz, affine);
      Runnable save = () -> checkpoint.save(fista.checkpointState(0, Double.NaN, Double.NaN,
          Double.NaN, false), problem.data(), null);
      fista.checkpointEvery(checkpoint, save);
      Supplier<Certificate> certify = affine
          ? confirmed(problem, fista, loss.evaluate(null, problem.zeroWeights()), options)
          : () -> problem.certificate(fista.iterate(), null);
      result = GatedFistaLoop.run(fista, certify, certificateEvery, options, listener, start);
      SolverCheckpoint.saveOnStop(checkpoint, result.stopReason(), save);
    } finally {
      if (resident != null) {
        resident.close();
        LOG.info("gated FISTA: {} of the passes served by resident tasks in {} barrier stages{}",
            resident.residentPasses(), resident.stagesStarted(),
            resident.failed() ? " (then one Spark job per pass after a failure)" : "");
      }
    }
    return result;
  }

  /**
   * The pass-free certificate at the iterate, replaced by a full certificate pass whenever it
   * reports the tolerance met, so that convergence rests on directly summed statistics.
   */
  private static Supplier<Certificate> confirmed(DistributedProblem problem,
      DistributedFista fista, DistributedProblem.Evaluation atZero, SolverOptions options) {
    return () -> {
      Certificate fast = problem.squaredLossCertificate(fista.iterate(), fista.atIterate(),
          atZero);
      return fast.relativeGap() <= options.tolerance()
          ? problem.certificate(fista.iterate(), null) : fast;
    };
  }
}
