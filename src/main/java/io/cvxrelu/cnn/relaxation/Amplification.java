package io.cvxrelu.cnn.relaxation;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Amplification of the randomized relaxation (Bartan and Pilanci, section 3): solve the
 * relaxation for T independent directions r ~ N(0, I_f) and keep the filter with the lowest
 * training loss. On planted data one draw recovers w* with some probability p (about 1/2 when
 * n &gt;= c d), so T draws all fail with probability (1 - p)^T.
 *
 * <p>Draw t's direction depends only on (seed, t), so draws can run anywhere (as Spark tasks)
 * and in any order with the same result. Draw count 0 is the naive relaxation, r = 0.
 */
public final class Amplification {
  private Amplification() {}

  /** One draw: its index, its direction, the solve, and the filter's training loss. */
  public record Draw(int index, double[] direction, RelaxationResult result, double trainLoss)
      implements java.io.Serializable {
    /** A draw whose filter counts: an optimum (a ray is no filter). */
    public boolean usable() {
      return result.outcome() == RelaxationResult.Outcome.OPTIMAL;
    }
  }

  /** The direction of draw t: N(0, I_f) from (seed, t); the zero vector for the naive t = -1. */
  public static double[] direction(long seed, int draw, int filterSize) {
    if (draw < 0) {
      return new double[filterSize];
    }
    SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (draw + 1L)));
    return PlantedInstance.gaussianVector(rng, filterSize);
  }

  /** Solves draw t (t = -1: the naive relaxation r = 0) and scores its filter. */
  public static Draw solve(RelaxationSolver solver, PatchDesign design, double[] labels,
      double beta, long seed, int draw) {
    double[] r = direction(seed, draw, design.filterSize());
    RelaxationResult res = solver.solve(new RelaxationProblem(design, labels, r, beta));
    double loss = res.outcome() == RelaxationResult.Outcome.UNBOUNDED ? Double.POSITIVE_INFINITY
        : design.meanSquaredError(res.filter(), labels);
    return new Draw(draw, r, res, loss);
  }

  /** The usable draw with the lowest training loss (ties: the first), or null when none. */
  public static Draw best(List<Draw> draws) {
    Draw best = null;
    for (Draw d : draws) {
      if (d.usable() && (best == null || d.trainLoss() < best.trainLoss())) {
        best = d;
      }
    }
    return best;
  }
}
