package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;

/**
 * The project's augmented-Lagrangian method ({@link AugmentedLagrangian}: Rockafellar's form for
 * the inequality constraints, warm-started FISTA rounds, multiplier update, rho raised while the
 * violation stalls) on the pooled ReLU CNN program ({@link PooledReluCnn}). The passes are this
 * class's: FISTA runs on the products Z = S B of the stacked patches, with the pooled loss and
 * the cone penalty as its smooth part ({@link LocalConePasses}), and the cone multipliers are an
 * nK x 2P matrix.
 *
 * <p>The result is {@link StopReason#CONVERGED}, and so certified, only when the relative
 * duality gap of {@link PooledReluCnn#certificate} (residual and multipliers) is within the
 * tolerance and the cone violation within the feasibility tolerance times max(1, max |y|); any
 * other stop reason reports an uncertified point with its gap and violation.
 */
public final class PooledReluSolver {

  /** Solves from B = 0 with zero multipliers. */
  public SolverResult solve(PooledReluCnn program, SolverOptions options,
      IterationListener listener) {
    return solve(program, program.zeroWeights(), multipliers(program), options, listener);
  }

  /**
   * Solves from blocks B (h x 2P) and cone multipliers mu (nK x 2P), e.g. an interior-point
   * iterate that stopped short of the tolerance: the first round starts at the usual rho with a
   * tight inner tolerance, since the point is already near the optimum.
   */
  public SolverResult solve(PooledReluCnn program, DenseMatrix start, DenseMatrix multipliers,
      SolverOptions options, IterationListener listener) {
    double[] y = program.y();
    return LocalConePasses.solve(program, program.stacked(), new LocalConePasses.Program() {
      @Override
      public LocalConePasses.Term term(DenseMatrix mu, double rho) {
        return new PooledAugmentedTerm(program, y, mu, rho);
      }

      @Override
      public DenseMatrix zeroMultipliers() {
        return multipliers(program);
      }

      @Override
      public Certificate certificate(DenseMatrix b, DenseMatrix z, DenseMatrix mu) {
        return program.certificate(b, z, mu);
      }
    }, start, multipliers, options, listener);
  }

  private static DenseMatrix multipliers(PooledReluCnn program) {
    return new DenseMatrix(program.stacked().n(), program.blockCount());
  }

  /**
   * phi_rho(Z) = 1/2 ||pool(masked Z) - y||^2 + 1/(2 rho) sum [(mu - rho c)_+^2 - mu^2],
   * c = (2 D - 1) .* Z: the pooled loss plus the cone penalty of the stacked program.
   */
  private static final class PooledAugmentedTerm implements LocalConePasses.Term {
    private final PooledReluCnn program;
    private final double[] y;
    private final DenseMatrix mu;
    private final double rho;

    PooledAugmentedTerm(PooledReluCnn program, double[] y, DenseMatrix mu, double rho) {
      this.program = program;
      this.y = y;
      this.mu = mu;
      this.rho = rho;
    }

    /** 1/2 ||pred - y||^2; the residual pred - y is written into {@code g} when given. */
    private double loss(DenseMatrix z, double[] g) {
      double[] pred = program.predict(z);
      double sum = 0.0;
      for (int r = 0; r < pred.length; r++) {
        double e = pred[r] - y[r];
        sum += e * e;
        if (g != null) {
          g[r] = e;
        }
      }
      return 0.5 * sum;
    }

    @Override
    public double value(DenseMatrix z) {
      return loss(z, null) + program.stacked().block().augmentedPenalty(z, mu, rho, null);
    }

    @Override
    public double valueAndGradient(DenseMatrix z, DenseMatrix gz) {
      double[] g = new double[y.length];
      double v = loss(z, g);
      program.liftedResidual(g, gz);
      return v + program.stacked().block().augmentedPenalty(z, mu, rho, gz);
    }

    @Override
    public void updatedMultipliers(DenseMatrix z, DenseMatrix out) {
      program.stacked().block().updatedMultipliers(z, mu, rho, out);
    }
  }
}
