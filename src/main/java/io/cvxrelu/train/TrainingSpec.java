package io.cvxrelu.train;

import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.SolverOptions;
import java.util.Objects;

/**
 * Everything one convex training run needs: which program (ReLU or gated, Pilanci and Ergen
 * 2020, eq. (8)), its loss and beta, where its sign patterns come from, the solver's budgets,
 * where it is solved, and what is certified afterwards. The jobs build it from their options,
 * the Spark ML estimators from their params; every rule about which combinations make sense is
 * checked here, once.
 *
 * @param beta beta itself, or null for {@code betaFraction * beta_max}
 * @param betaFraction beta as a fraction of beta_max when {@code beta} is null
 * @param seed seed of the gate sampling (and of the generation's random starts)
 * @param bias whether a column of ones is appended to the features
 * @param placement where the program is solved ({@link SolverChoice} decides {@code AUTO})
 * @param certifyAll whether the solution is also certified over every cell of the arrangement
 */
public record TrainingSpec(Formulation formulation, Loss loss, Double beta, double betaFraction,
    Patterns patterns, long seed, boolean bias, SolverOptions solverOptions,
    SolverChoice.Placement placement, Distributed distributed, Generation generation,
    CertifyAll certifyAll) {

  /**
   * Where the sign patterns come from: {@code count} sampled gates g ~ N(0, I), or every cell
   * of the arrangement ({@code all}), or the gates of a file; plus, optionally, the patterns of a
   * seed network's neurons.
   *
   * @param count sampled patterns P (ignored when {@code all} or a gate file is given)
   * @param all enumerate every cell of the arrangement
   * @param gatesPath a file of gate vectors, one per row (null: sample or enumerate)
   * @param seedNetworkPath a network whose neurons' patterns 1[X u_j &gt; 0] are added (null:
   *     none)
   */
  public record Patterns(int count, boolean all, String gatesPath, String seedNetworkPath) {
    public Patterns {
      if (!all && count < 1) {
        throw new InvalidSpecException("number of patterns must be positive, got " + count);
      }
    }

    /** {@code count} sampled patterns, nothing else. */
    public static Patterns sampled(int count) {
      return new Patterns(count, false, null, null);
    }
  }

  /**
   * Settings of the distributed solvers.
   *
   * @param partitions row-block partitions (0: Spark's default parallelism)
   * @param patternBlocks pattern blocks of the passes (0: chosen from the problem's size)
   * @param checkpointEvery steps between checkpoints (0: only when a budget runs out)
   * @param resume continue from the checkpoint
   */
  public record Distributed(long partitions, int patternBlocks, long checkpointEvery,
      boolean resume) {
    /** Largest partition or pattern-block count accepted. */
    public static final int MAX_PARTS = 1_000_000;
    public static final Distributed DEFAULTS = new Distributed(0, 0, 100, false);

    public Distributed {
      if (partitions < 0 || partitions > MAX_PARTS || checkpointEvery < 0) {
        throw new InvalidSpecException("--partitions and --checkpoint-every must be >= 0");
      }
      if (patternBlocks < 0 || patternBlocks > MAX_PARTS) {
        throw new InvalidSpecException("--pattern-blocks must be auto or an integer from 1 to "
            + MAX_PARTS + ", got '" + patternBlocks + "'");
      }
    }

    /** Pattern blocks from {@code auto} (0) or an integer from 1 to {@link #MAX_PARTS}. */
    public static int parsePatternBlocks(String s) {
      if (s.equals("auto")) {
        return 0;
      }
      long k;
      try {
        k = Long.parseLong(s);
      } catch (NumberFormatException e) {
        k = 0;
      }
      if (k < 1 || k > MAX_PARTS) {
        throw new InvalidSpecException("--pattern-blocks must be auto or an integer from 1 to "
            + MAX_PARTS + ", got '" + s + "'");
      }
      return (int) k;
    }
  }

  /**
   * Dual-guided pattern generation around the solves.
   *
   * @param rounds solve-and-search rounds at most
   */
  public record Generation(boolean enabled, int rounds) {
    /** Rounds accepted at most. */
    public static final int MAX_ROUNDS = 1000;
    public static final Generation NONE = new Generation(false, 20);

    public Generation {
      if (rounds < 1 || rounds > MAX_ROUNDS) {
        throw new InvalidSpecException("--generate-rounds must be from 1 to " + MAX_ROUNDS
            + ", got " + rounds);
      }
    }
  }

  /**
   * Whether the solution's dual point is also checked against every cell of the arrangement,
   * a lower bound for a network of any width.
   */
  public enum CertifyAll {
    /** When the arrangement can be enumerated within a small budget. */
    AUTO,
    /** Always; an arrangement too large to enumerate is a usage error. */
    TRUE,
    /** Never. */
    FALSE;

    /** Parses {@code auto}, {@code true} or {@code false}. */
    public static CertifyAll parse(String s) {
      return switch (s) {
        case "auto" -> AUTO;
        case "true" -> TRUE;
        case "false" -> FALSE;
        default -> throw new InvalidSpecException("--certify-all must be auto, true or false, got '"
            + s + "'");
      };
    }

    /** Enumeration budget (subsets of rows, see ArrangementEnumerator) of this mode. */
    public long subsetBudget() {
      return this == TRUE ? ProblemSetup.MAX_ENUMERATION_SUBSETS
          : ProblemSetup.SMALL_ARRANGEMENT_SUBSETS;
    }
  }

  public TrainingSpec {
    Objects.requireNonNull(formulation, "formulation");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(patterns, "patterns");
    Objects.requireNonNull(solverOptions, "solverOptions");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(distributed, "distributed");
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(certifyAll, "certifyAll");
    if (beta != null && !(beta > 0.0 && Double.isFinite(beta))) {
      throw new InvalidSpecException("beta must be a positive finite number, got " + beta);
    }
    if (!(betaFraction > 0.0 && Double.isFinite(betaFraction))) {
      throw new InvalidSpecException("beta fraction must be a positive finite number, got "
          + betaFraction);
    }
    if (distributed.resume() && placement == SolverChoice.Placement.LOCAL) {
      throw new InvalidSpecException("--resume continues a distributed solve (--solver "
          + "distributed)");
    }
    if (generation.enabled() && distributed.resume()) {
      throw new InvalidSpecException("--generate-patterns keeps no checkpoint: --resume does not "
          + "apply to it");
    }
  }

  /**
   * A single-node run over sampled or enumerated patterns with no generation and no
   * certificate over all cells: what the Spark ML estimators and the comparison's convex rows
   * need.
   */
  public static TrainingSpec onDriver(Formulation formulation, Loss loss, Double beta,
      double betaFraction, Patterns patterns, long seed, boolean bias, SolverOptions options) {
    return new TrainingSpec(formulation, loss, beta, betaFraction, patterns, seed, bias, options,
        SolverChoice.Placement.LOCAL, Distributed.DEFAULTS, Generation.NONE, CertifyAll.FALSE);
  }
}
