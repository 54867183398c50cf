package io.cvxrelu.cnn;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.solver.SolverResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The gated-ReLU separable CNN (a filter per patch; Pilanci and Ergen 2020, section 5, case 1,
 * gated variant): f(x) = sum_k sum_i 1[x_k^T g_ik &gt; 0] x_k^T u_ik alpha_ik. Its convex program
 * is the fully connected gated group lasso with blocks D_i^k X_k, the patterns D_i^k sampled on
 * each patch matrix X_k by {@link SignPatterns#sample} (seed + k):
 * <pre>
 *   min 1/2 || sum_k sum_i D_i^k X_k v_ik - y ||^2 + beta sum_{k,i} ||v_ik||,
 * </pre>
 * a {@link NormRegularizedLeastSquares} with groups of h coordinates over the n x (h sum_k P_k)
 * design [D_1^1 X_1, ..., D_P^K X_K]. The design is built explicitly, so this is for small
 * programs (the tests, 1-D signals); with K = 1 it is the fully connected gated program on the
 * same patterns. Neurons: u = v / sqrt||v||, alpha = sqrt||v||, so the network's weight decay
 * equals beta sum ||v_ik||.
 *
 * @param problem the group lasso
 * @param geometry the patches
 * @param patterns the sign patterns of each patch matrix X_k
 */
public record SeparableGatedCnn(NormRegularizedLeastSquares problem, PatchGeometry geometry,
    List<SignPatterns> patterns) {

  /** Draws at most this many gates per requested pattern before giving up on new ones. */
  private static final int DRAWS_PER_PATTERN = 100;

  /**
   * One neuron of the recovered network.
   *
   * @param patch the patch k it reads
   * @param gate its gate vector g (h), or null for a ReLU neuron ({@link SeparableReluCnn})
   * @param filter u (h)
   * @param outputWeight alpha
   */
  public record Neuron(int patch, double[] gate, double[] filter, double outputWeight) {}

  /** The program with {@code patternsPerPatch} sampled patterns on each patch matrix. */
  public static SeparableGatedCnn of(DenseMatrix x, double[] y, PatchGeometry geometry,
      int patternsPerPatch, long seed, double beta) {
    DenseMatrix a = geometry.patchRows(x);
    int h = geometry.patchSize();
    List<SignPatterns> patterns = new ArrayList<>();
    for (int k = 0; k < geometry.patchCount(); k++) {
      patterns.add(SignPatterns.sample(a.columns(k * h, (k + 1) * h), patternsPerPatch,
          seed + k, DRAWS_PER_PATTERN * patternsPerPatch));
    }
    return of(x, y, geometry, patterns, beta);
  }

  /** The program over given patterns, one set per patch (patterns of X_k for patch k). */
  public static SeparableGatedCnn of(DenseMatrix x, double[] y, PatchGeometry geometry,
      List<SignPatterns> patterns, double beta) {
    if (patterns.size() != geometry.patchCount()) {
      throw new IllegalArgumentException(patterns.size() + " pattern sets for "
          + geometry.patchCount() + " patches");
    }
    DenseMatrix a = geometry.patchRows(x);
    int h = geometry.patchSize();
    DenseMatrix design = design(a, h, patterns);
    int groups = design.cols() / h;
    int[] starts = new int[groups + 1];
    for (int g = 0; g <= groups; g++) {
      starts[g] = g * h;
    }
    return new SeparableGatedCnn(new NormRegularizedLeastSquares(design, y, beta,
        new GroupNorm(starts)), geometry, List.copyOf(patterns));
  }

  /** beta_max = max_{k,i} ||X_k^T D_i^k y||, with the patterns of the same sampling. */
  public static double betaMax(DenseMatrix x, double[] y, PatchGeometry geometry,
      int patternsPerPatch, long seed) {
    SeparableGatedCnn p = of(x, y, geometry, patternsPerPatch, seed, 1.0);
    return NormRegularizedLeastSquares.betaMax(p.problem().a(), y, p.problem().norm());
  }

  /** [D_1^1 X_1, ..., D_P^K X_K]: the mask of each pattern applied to its patch's columns. */
  private static DenseMatrix design(DenseMatrix a, int h, List<SignPatterns> patterns) {
    int n = a.rows();
    int groups = patterns.stream().mapToInt(SignPatterns::count).sum();
    DenseMatrix design = new DenseMatrix(n, groups * h);
    int g = 0;
    for (int k = 0; k < patterns.size(); k++) {
      byte[] mask = patterns.get(k).mask();
      for (int i = 0; i < patterns.get(k).count(); i++, g++) {
        for (int t = 0; t < h; t++) {
          int src = (k * h + t) * n;
          int dst = (g * h + t) * n;
          for (int r = 0; r < n; r++) {
            design.data()[dst + r] = mask[i * n + r] != 0 ? a.data()[src + r] : 0.0;
          }
        }
      }
    }
    return design;
  }

  /** The neurons of a solution, one per non-zero block. */
  public List<Neuron> recover(SolverResult result) {
    double[] v = result.weights().data();
    int h = geometry.patchSize();
    List<Neuron> neurons = new ArrayList<>();
    int g = 0;
    for (int k = 0; k < patterns.size(); k++) {
      DenseMatrix gates = patterns.get(k).gates();
      for (int i = 0; i < patterns.get(k).count(); i++, g++) {
        double norm = Blas.nrm2(h, v, g * h);
        if (norm > 0.0) {
          double[] u = new double[h];
          for (int t = 0; t < h; t++) {
            u[t] = v[g * h + t] / Math.sqrt(norm);
          }
          neurons.add(new Neuron(k, gates.column(i), u, Math.sqrt(norm)));
        }
      }
    }
    return neurons;
  }

  /**
   * The non-convex objective of a gated separable CNN on (x, y): 1/2 sum_i (f(x_i) - y_i)^2 +
   * beta/2 sum (||u||^2 + alpha^2), evaluated neuron by neuron from the patches.
   */
  public static double objective(List<Neuron> neurons, PatchGeometry geometry, DenseMatrix x,
      double[] y, double beta) {
    double[] f = predict(neurons, geometry, x);
    double decay = 0.0;
    for (Neuron nu : neurons) {
      decay += Blas.dot(nu.filter().length, nu.filter(), nu.filter())
          + nu.outputWeight() * nu.outputWeight();
    }
    double loss = 0.0;
    for (int r = 0; r < f.length; r++) {
      loss += (f[r] - y[r]) * (f[r] - y[r]);
    }
    return 0.5 * loss + 0.5 * beta * decay;
  }

  /** f(x) of the neurons on the rows of x, read from the patches directly (no design). */
  public static double[] predict(List<Neuron> neurons, PatchGeometry geometry, DenseMatrix x) {
    int n = x.rows();
    int h = geometry.patchSize();
    double[] f = new double[n];
    for (Neuron nu : neurons) {
      for (int r = 0; r < n; r++) {
        double gate = 0.0;
        double response = 0.0;
        for (int t = 0; t < h; t++) {
          double xt = x.get(r, geometry.pixel(nu.patch(), t));
          gate += nu.gate() == null ? 0.0 : xt * nu.gate()[t];
          response += xt * nu.filter()[t];
        }
        // A neuron without a gate is a ReLU neuron (the cone-constrained program's).
        if (nu.gate() == null ? response > 0.0 : gate > 0.0) {
          f[r] += response * nu.outputWeight();
        }
      }
    }
    return f;
  }
}
