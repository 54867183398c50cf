package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The project's primal-dual interior-point method ({@link PathFollowing}, Vandenberghe 2010)
 * on the ReLU separable CNN program ({@link SeparableReluCnn}), through
 * {@link SeparableConeRows}. Every iterate is certified with its multipliers
 * ({@link SeparableReluCnn#certificate}); the result is {@link StopReason#CONVERGED} only when
 * the gap is within the tolerance and the cone violation within the feasibility tolerance times
 * max(1, max |y|). Like the explicit gated design it builds on, it is for small programs:
 * P h at most {@link PooledInteriorPointSolver#MAX_PATTERN_DIMENSION}.
 *
 * <p>Near the optimum the path-following's normal equations can break down before the
 * tolerance (NUMERICAL_FAILURE at gaps of 1e-6 to 1e-9 on the reference fixtures, where the
 * fully connected interior point fails the same way). As the fully connected
 * {@code InteriorPointReluSolver} hands such a point to ADMM, this solver hands its best point
 * and multipliers to the augmented Lagrangian on the same program ({@link LocalConePasses},
 * FISTA on the stacked patches' products with patch k's cone penalty on its diagonal block),
 * which certifies from there.
 */
public final class SeparableReluSolver {

  /**
   * Solves the program; nothing when the method cannot run (too large, a gate on a data
   * hyperplane, or no certified iterate within the feasibility tolerance).
   */
  public Optional<SolverResult> solve(SeparableReluCnn program, SolverOptions options,
      IterationListener listener) {
    if ((long) program.patternCount() * program.d()
        > PooledInteriorPointSolver.MAX_PATTERN_DIMENSION) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    SeparableConeRows rows = new SeparableConeRows(program);
    DenseMatrix gates = new DenseMatrix(program.d(), program.patternCount());
    for (int k = 0; k < program.patchCount(); k++) {
      DenseMatrix gk = program.patch(k).patterns().gates();
      System.arraycopy(gk.data(), 0, gates.data(), program.offset(k) * program.d(),
          gk.data().length);
    }
    PathFollowing path;
    try {
      path = new PathFollowing(program.d(), program.patternCount(), program.beta(), gates, rows);
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
    return ConeProgramCertificates.follow(path, rows::multipliers, program::certificate,
        program.largestLabel(), options, listener, start)
        .map(r -> handOff(program, r, options, listener, start));
  }

  /**
   * The interior point's result, or, after numerical trouble before the tolerance with time
   * left, the augmented Lagrangian's from its point and multipliers (histories joined).
   */
  private static SolverResult handOff(SeparableReluCnn program, SolverResult ipm,
      SolverOptions options, IterationListener listener, long start) {
    double left = options.maxSeconds() - (System.nanoTime() - start) * 1e-9;
    if ((ipm.stopReason() != StopReason.NUMERICAL_FAILURE
        && ipm.stopReason() != StopReason.STALLED) || left <= 0.0) {
      return ipm;
    }
    SolverResult al = augmentedLagrangian(program, ipm.weights(), ipm.multipliers(),
        new SolverOptions(options.tolerance(), options.feasibilityTolerance(),
            options.maxIterations(), left), listener);
    List<IterationRecord> all = new ArrayList<>(ipm.history());
    all.addAll(al.history());
    return new SolverResult(al.weights(), al.certificate(), al.stopReason(), List.copyOf(all),
        ipm.iterations() + al.iterations(), (System.nanoTime() - start) * 1e-9,
        al.multipliers());
  }

  /**
   * The augmented Lagrangian on the separable program from blocks B (h x 2P) and cone
   * multipliers mu (n x 2P).
   */
  static SolverResult augmentedLagrangian(SeparableReluCnn program, DenseMatrix start,
      DenseMatrix multipliers, SolverOptions options, IterationListener listener) {
    int n = program.y().length;
    return LocalConePasses.solve(program, program.stacked(), new LocalConePasses.Program() {
      @Override
      public LocalConePasses.Term term(DenseMatrix mu, double rho) {
        return new SeparableAugmentedTerm(program, mu, rho);
      }

      @Override
      public DenseMatrix zeroMultipliers() {
        return new DenseMatrix(n, program.blockCount());
      }

      @Override
      public Certificate certificate(DenseMatrix b, DenseMatrix z, DenseMatrix mu) {
        return program.certificate(b, mu);
      }
    }, start, multipliers, options, listener);
  }

  /**
   * phi_rho(Z) = 1/2 ||sum_k pred_k(Z_kk) - y||^2 + sum_k 1/(2 rho) sum [(mu_k - rho c_k)_+^2
   * - mu_k^2] on Z = S B, where Z_kk = X_k B_k is patch k's diagonal block and
   * c_k = (2 D^k - 1) .* Z_kk its cone rows; the off-diagonal blocks (patch k' with patterns of
   * patch k) enter neither, so their gradient is zero.
   */
  private static final class SeparableAugmentedTerm implements LocalConePasses.Term {
    private final SeparableReluCnn program;
    private final double[] y;
    private final DenseMatrix mu;
    private final double rho;

    SeparableAugmentedTerm(SeparableReluCnn program, DenseMatrix mu, double rho) {
      this.program = program;
      this.y = program.y();
      this.mu = mu;
      this.rho = rho;
    }

    private DenseMatrix multipliersOf(int k) {
      ConvexReluProblem pk = program.patch(k);
      return SeparableReluCnn.gather(mu, program.offset(k), pk.patternCount(),
          program.patternCount());
    }

    /** The value; with {@code gz} given (zeroed here) its gradient is written there. */
    private double evaluate(DenseMatrix z, DenseMatrix gz) {
      int kk = program.patchCount();
      List<DenseMatrix> blocks = new ArrayList<>(kk);
      double[] g = new double[y.length];
      for (int k = 0; k < kk; k++) {
        blocks.add(program.diagonalBlock(z, k));
        double[] pk = program.patch(k).predict(blocks.get(k));
        for (int r = 0; r < g.length; r++) {
          g[r] += pk[r];
        }
      }
      double value = 0.0;
      for (int r = 0; r < g.length; r++) {
        g[r] -= y[r];
        value += 0.5 * g[r] * g[r];
      }
      if (gz != null) {
        java.util.Arrays.fill(gz.data(), 0.0);
      }
      for (int k = 0; k < kk; k++) {
        ConvexReluProblem pk = program.patch(k);
        DenseMatrix part = gz == null ? null : new DenseMatrix(y.length, 2 * pk.patternCount());
        if (part != null) {
          pk.maskedResidual(g, part);
        }
        value += pk.block().augmentedPenalty(blocks.get(k), multipliersOf(k), rho, part);
        if (part != null) {
          program.setDiagonalBlock(part, gz, k);
        }
      }
      return value;
    }

    @Override
    public double value(DenseMatrix z) {
      return evaluate(z, null);
    }

    @Override
    public double valueAndGradient(DenseMatrix z, DenseMatrix gz) {
      return evaluate(z, gz);
    }

    @Override
    public void updatedMultipliers(DenseMatrix z, DenseMatrix out) {
      for (int k = 0; k < program.patchCount(); k++) {
        ConvexReluProblem pk = program.patch(k);
        DenseMatrix part = new DenseMatrix(y.length, 2 * pk.patternCount());
        pk.block().updatedMultipliers(program.diagonalBlock(z, k), multipliersOf(k), rho, part);
        SeparableReluCnn.scatter(part, out, program.offset(k), program.patternCount());
      }
    }
  }
}
