package io.cvxrelu.train;

import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.local.InteriorPointReluSolver;
import java.util.Locale;

/**
 * Bytes a convex training request needs before anything is allocated, from n, d and P alone,
 * and the refusal of requests that cannot fit. Sampling P gates for n rows builds the n x P
 * mask of the sign patterns D_i (Pilanci and Ergen 2020, eq. (8)) through the n x P product
 * X G; with P in the hundreds of millions that alone is beyond any heap, and the JVM would
 * otherwise end in {@link OutOfMemoryError} long after the request could have been refused.
 *
 * <p>What is counted, in each estimate's javadoc: arrays with n, P or P d entries, the ones that
 * grow with a request; the n x d design and O(n + d^2) vectors are left out, so the estimates
 * are lower bounds and a refusal is never wrong for lack of a term. The solvers' own
 * {@code supports} checks (interior point, SSNAL) still guard their larger formulations: the
 * local estimate used for a refusal is that of the leanest solver that can run the program.
 */
public final class MemoryBudget {
  /** Spark's default {@code spark.executor.memory}. */
  public static final long DEFAULT_EXECUTOR_BYTES = 1L << 30;

  private static final long DOUBLE = Double.BYTES;
  /** A boxed gate kept while sampling: array header and the list's reference. */
  private static final long KEPT_GATE_OVERHEAD = 24;

  private MemoryBudget() {}

  /**
   * Memory available to one run.
   *
   * @param driverBytes the driver's heap ({@code Runtime.maxMemory()})
   * @param executorBytes {@code spark.executor.memory}, or {@link Long#MAX_VALUE} when the
   *     executors are not known (local mode, or a caller that does not pass it)
   */
  public record Limits(long driverBytes, long executorBytes) {
    /** This JVM's heap; executors unchecked. */
    public static Limits thisJvm() {
      return new Limits(Runtime.getRuntime().maxMemory(), Long.MAX_VALUE);
    }

    /** This JVM's heap and executors of {@code executorMemory} (Spark's size syntax, "1g"). */
    public static Limits withExecutors(String executorMemory) {
      return new Limits(Runtime.getRuntime().maxMemory(), parseSize(executorMemory));
    }
  }

  /**
   * The sizes of a request.
   *
   * @param n training rows
   * @param d design columns (bias included)
   * @param p sign patterns P
   * @param partitions row-block partitions of the distributed solvers (0: Spark's default,
   *     unknown here, and the per-executor share is not estimated)
   */
  public record Request(long n, long d, long p, Formulation formulation, Loss loss,
      long partitions) {
    /** Weight blocks q: 2P for ReLU (v_i and w_i), P for gated. */
    public long q() {
      return formulation == Formulation.RELU ? 2 * p : p;
    }

    private boolean squared() {
      return loss instanceof SquaredLoss;
    }
  }

  /**
   * The driver's state built by {@link ProblemSetup} before any solver runs: the peak of
   * {@code SignPatterns.sample} (the n x P product X G in doubles and its n x P byte mask, the
   * d x P candidate gates, the kept gates as arrays, the final d x P gates and n x P mask) and
   * the d x q weights of the solution.
   */
  public static long setup(Request r) {
    long sampling = r.n * r.p * (DOUBLE + 2) + r.d * r.p * DOUBLE * 3
        + r.p * KEPT_GATE_OVERHEAD;
    return sampling + weights(r);
  }

  /** One d x q array of weights. */
  public static long weights(Request r) {
    return r.d * r.q() * DOUBLE;
  }

  /**
   * The interior point's normal equations: the two P d x P d matrices (pattern Gram, and the
   * normal matrix factored in place), about twenty n x 2P iterates and the n x d(d+1)/2
   * Khatri-Rao products.
   */
  public static long interiorPoint(Request r) {
    long pd = r.p * r.d;
    return DOUBLE * (2 * pd * pd + 20 * r.n * 2 * r.p + r.n * r.d * (r.d + 1) / 2);
  }

  /**
   * SSNAL (gated, squared loss): n (P + 3d) for the compacted mask columns, the
   * preconditioner's two n x d factors and CG's single-precision copy of X, and six d x P
   * iterates.
   */
  public static long ssnal(Request r) {
    return DOUBLE * (r.n * (r.p + 3 * r.d) + 6 * r.d * r.p);
  }

  /**
   * ADMM (ReLU, squared loss): the n x n kernel, its Cholesky factor and the transient M M^T;
   * five n x 2P splitting arrays (slacks, multipliers, work, products); four n x P mask-sized
   * arrays; four d x 2P iterates.
   */
  public static long admm(Request r) {
    return DOUBLE * (3 * r.n * r.n + 5 * r.n * r.q() + 4 * r.n * r.p + 4 * r.d * r.q());
  }

  /**
   * Augmented Lagrangian (ReLU): the n x 2P multipliers and their spare buffer, four n x 2P
   * FISTA products, and five d x 2P iterates.
   */
  public static long augmentedLagrangian(Request r) {
    return DOUBLE * (6 * r.n * r.q() + 5 * r.d * r.q());
  }

  /** Gated FISTA: five d x P iterates (point, previous, extrapolated, candidate, gradient). */
  public static long gatedFista(Request r) {
    return DOUBLE * 5 * r.d * r.q();
  }

  /**
   * The leanest local solver that can run the program: gated FISTA for gated (SSNAL is chosen
   * only when it fits), ADMM or the augmented Lagrangian for ReLU with squared loss, the
   * augmented Lagrangian for ReLU with another loss (the interior point is chosen only when its
   * matrices fit half the heap).
   */
  public static long localSolver(Request r) {
    if (r.formulation == Formulation.GATED) {
      return gatedFista(r);
    }
    long al = augmentedLagrangian(r);
    return r.squared() ? Math.min(al, admm(r)) : al;
  }

  /**
   * Whether the distributed solver is the interior point (ReLU, squared loss, P d at most
   * {@link InteriorPointReluSolver#MAX_PATTERN_DIMENSION}; {@code DistributedTraining}'s rule).
   */
  static boolean distributedInteriorPoint(Request r) {
    return r.formulation == Formulation.RELU && r.squared()
        && r.p * r.d <= InteriorPointReluSolver.MAX_PATTERN_DIMENSION;
  }

  /**
   * The distributed solvers' driver state beyond {@link #setup}: six d x q arrays (iterates,
   * gradient, the broadcast copy), and for the interior point its P d x P d normal matrix and
   * factor. No O(n) array is kept on the driver.
   */
  public static long distributedDriver(Request r) {
    long pd = r.p * r.d;
    return 6 * weights(r) + (distributedInteriorPoint(r) ? 2 * pd * pd * DOUBLE : 0);
  }

  /**
   * One executor's share with {@code r.partitions()} row blocks, counting one block per
   * executor: the broadcast gates and two copies of the weights, and the block's rows with
   * their labels (d + 1 doubles), mask (P bytes) and two n_b x q arrays (products and, for
   * ReLU, multipliers). The interior point keeps per row, besides, the slacks and duals of its
   * 2P cone rows (4 P doubles, {@code RowConeTerms.State}) twice while a step replaces them,
   * and a block at a time the mask and signs as doubles (2 P) and the d (d + 1) / 2 products
   * x_a x_b of its weighted Grams: about 7.4 KB per row at d = 20, P = 100. Zero when the
   * partition count is not known.
   */
  public static long perExecutor(Request r) {
    if (r.partitions <= 0) {
      return 0;
    }
    long rows = (r.n + r.partitions - 1) / r.partitions;
    long broadcast = r.d * r.p * DOUBLE + 2 * weights(r);
    long perRow = (r.d + 1) * DOUBLE + r.p + 2 * r.q() * DOUBLE;
    if (distributedInteriorPoint(r)) {
      perRow += (8 * r.p + 2 * r.p + r.d * (r.d + 1) / 2 + r.d + 1) * DOUBLE;
    }
    return broadcast + rows * perRow;
  }

  /**
   * Refuses a request that cannot fit, with an {@link InvalidSpecException} naming the
   * estimate and the limit ({@link #shortfall}).
   *
   * @param distributed true, false, or null when the choice is made later (--solver auto)
   */
  public static void requireFits(Request r, Boolean distributed, Limits limits) {
    String message = shortfall(r, distributed, limits);
    if (message != null) {
      throw new InvalidSpecException(message);
    }
  }

  /**
   * Why a request cannot fit, or null when it can: the driver must hold {@link #setup} plus the
   * solver's driver state (local: {@link #localSolver}; distributed: {@link #distributedDriver};
   * undecided: the smaller), and an executor {@link #perExecutor}.
   *
   * @param distributed true, false, or null when the choice is made later (--solver auto)
   */
  public static String shortfall(Request r, Boolean distributed, Limits limits) {
    long setup = setup(r);
    String sizes = String.format(Locale.ROOT, "(n = %d, d = %d, P = %d)", r.n, r.d, r.p);
    if (setup > limits.driverBytes()) {
      return refusal(r, setup, "the n x P mask and the weights " + sizes, "the driver's heap",
          limits.driverBytes(), "CVXRELU_DRIVER_MEMORY");
    }
    long solver = distributed == null ? Math.min(localSolver(r), distributedDriver(r))
        : distributed ? distributedDriver(r) : localSolver(r);
    if (setup + solver > limits.driverBytes()) {
      return refusal(r, setup + solver, "the mask, the weights and the solver's working set "
          + sizes, "the driver's heap", limits.driverBytes(), "CVXRELU_DRIVER_MEMORY");
    }
    long share = Boolean.TRUE.equals(distributed) ? perExecutor(r) : 0;
    if (share > limits.executorBytes()) {
      return refusal(r, share, "one executor's row block and broadcast weights " + sizes
          + " over " + r.partitions + " partitions", "spark.executor.memory",
          limits.executorBytes(), "spark.executor.memory or --partitions");
    }
    return null;
  }

  private static String refusal(Request r, long bytes, String what, String limitName,
      long limit, String raise) {
    return "--patterns " + r.p + " needs about " + format(bytes) + " for " + what + "; "
        + limitName + " is " + format(limit) + ": lower --patterns or raise " + raise;
  }

  /** Bytes in binary units with one decimal: "4.0 GB", "2.4 TB". */
  public static String format(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  }

  /**
   * Spark's size syntax ("512m", "1g", "2t", plain bytes; binary units), as
   * {@code spark.executor.memory} takes it.
   */
  public static long parseSize(String size) {
    String s = size.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
      s = s.substring(0, s.length() - 1);
    }
    int shift = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      case 'p' -> 50;
      default -> -1;
    };
    String digits = shift < 0 ? s : s.substring(0, s.length() - 1);
    try {
      long v = Long.parseLong(digits.trim());
      return shift < 0 ? v : v << shift;
    } catch (NumberFormatException e) {
      throw new InvalidSpecException("memory size must be like 512m or 4g, got '" + size + "'");
    }
  }

  /**
   * The most distinct sign patterns n rows in d dimensions can have: the cells of a central
   * arrangement of n hyperplanes in rank r = min(n, d), 2 sum_{k &lt; r} C(n - 1, k) (Cover
   * 1965), capped at {@code cap}. Sampling can never return more.
   */
  public static long cellBound(long n, long d, long cap) {
    long r = Math.min(n, d);
    long sum = 0;
    long binom = 1;
    try {
      for (long k = 0; k < r && sum <= cap / 2; k++) {
        sum = Math.addExact(sum, binom);
        // C(n-1, k+1) = C(n-1, k) (n-1-k) / (k+1), exact: C(n-1, k) (n-1-k) is (k+1) C(n-1, k+1).
        binom = Math.multiplyExact(binom, n - 1 - k) / (k + 1);
      }
    } catch (ArithmeticException e) {
      return cap;
    }
    return sum > cap / 2 ? cap : Math.min(cap, 2 * sum);
  }
}
