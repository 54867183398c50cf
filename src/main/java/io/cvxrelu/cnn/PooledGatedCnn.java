package io.cvxrelu.cnn;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverResult;

/**
 * The convex program of the gated-ReLU CNN with shared filters and global pooling (Ergen and
 * Pilanci, "Implicit convex regularizers of CNN architectures", ICLR 2021; the gated variant of
 * its pooled program, as in Pilanci and Ergen, ICML 2020, section 5): with A_i = sum_k D_i^k X_k
 * (n x h) for the patterns D_i^k = diag(1[X_k g_i &gt; 0]) of sampled gates g_i,
 * <pre>
 *   min_u 1/2 || sum_i A_i u_i - y ||^2 + beta sum_i ||u_i||,
 * </pre>
 * a {@link NormRegularizedLeastSquares} with groups of h over the n x hP design [A_1 ... A_P]
 * ({@link StackedPatches#pooledDesign}: the nK x h matrices D_i^k X_k are never formed). Its
 * dual is max lambda^T y - 1/2 ||lambda||^2 s.t. max_i ||A_i^T lambda|| &lt;= beta, the
 * certificate of {@link ProximalGradientSolver}. Each non-zero block gives the filter
 * u = u_i / sqrt||u_i||, alpha = sqrt||u_i|| with gate g_i, so the network's objective equals
 * the convex one. With K = 1 this is the fully connected gated program on the same patterns.
 *
 * @param problem the group lasso over [A_1 ... A_P]
 * @param geometry the patches
 * @param patterns the patterns of the stacked patches (gates h x P)
 */
public record PooledGatedCnn(NormRegularizedLeastSquares problem, PatchGeometry geometry,
    SignPatterns patterns) {

  /** The program on the patches of (x, y) with {@code count} patterns sampled from seed. */
  public static PooledGatedCnn of(DenseMatrix x, double[] y, PatchGeometry geometry, int count,
      long seed, double beta) {
    StackedPatches s = StackedPatches.of(x, geometry);
    return of(s, s.samplePatterns(count, seed), y, geometry, beta);
  }

  /** The program over given patterns of the stack. */
  public static PooledGatedCnn of(StackedPatches stack, SignPatterns patterns, double[] y,
      PatchGeometry geometry, double beta) {
    int h = stack.patchSize();
    int[] starts = new int[patterns.count() + 1];
    for (int g = 0; g <= patterns.count(); g++) {
      starts[g] = g * h;
    }
    return new PooledGatedCnn(new NormRegularizedLeastSquares(stack.pooledDesign(patterns), y,
        beta, new GroupNorm(starts)), geometry, patterns);
  }

  /** beta_max = max_i ||A_i^T y||: at and above it u = 0 is optimal. */
  public double betaMax() {
    return NormRegularizedLeastSquares.betaMax(problem.a(), problem.y(), problem.norm());
  }

  /** The same design and patterns at another beta. */
  public PooledGatedCnn withBeta(double beta) {
    return new PooledGatedCnn(new NormRegularizedLeastSquares(problem.a(), problem.y(), beta,
        problem.norm()), geometry, patterns);
  }

  /** The gated network of a solution: one filter per non-zero block, with its pattern's gate. */
  public PooledCnn recover(SolverResult result) {
    return network(geometry, patterns.gates(), new DenseMatrix(geometry.patchSize(),
        patterns.count(), result.weights().data().clone()));
  }

  /** The gated network of h x P blocks U over the h x P gates (zero blocks give no filter). */
  public static PooledCnn network(PatchGeometry geometry, DenseMatrix gates, DenseMatrix blocks) {
    int p = blocks.cols();
    double[] signs = new double[p];
    int[] gateOf = new int[p];
    for (int i = 0; i < p; i++) {
      signs[i] = 1.0;
      gateOf[i] = i;
    }
    return PooledCnn.fromBlocks(geometry, blocks, signs, gates, gateOf);
  }

  /**
   * The certificate of {@link NormRegularizedLeastSquares#certificate} at the h x P blocks U
   * from the sums a distributed pass returns over the blocks of examples: with the residual
   * lambda = y - A vec(U), its moments ||lambda||^2 and lambda^T y and the h x P matrix
   * [A_1^T lambda ... A_P^T lambda].
   */
  public static Certificate certificate(DenseMatrix u, double beta, double squaredNorm,
      double dotY, DenseMatrix dual) {
    return certificate(u, beta, squaredNorm, dotY, dual, 0.0);
  }

  /**
   * As {@link #certificate(DenseMatrix, double, double, double, DenseMatrix)} for blocks with
   * cone constraints (the pooled ReLU program, h x 2P blocks): {@code dual} then holds
   * S^T (R(lift(lambda)) + (2 D - 1) .* mu), and {@code violation} is reported with the gap.
   */
  public static Certificate certificate(DenseMatrix u, double beta, double squaredNorm,
      double dotY, DenseMatrix dual, double violation) {
    double norm = 0.0;
    double dualNorm = 0.0;
    for (int i = 0; i < u.cols(); i++) {
      norm += u.columnNorm(i);
      dualNorm = Math.max(dualNorm, dual.columnNorm(i));
    }
    return new ConeProgramCertificates.Residual(null, dotY, squaredNorm)
        .certificate(beta * norm, beta, dualNorm, violation);
  }
}
