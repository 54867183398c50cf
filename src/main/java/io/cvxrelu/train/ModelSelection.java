package io.cvxrelu.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Model selection on held-out training rows ({@link ValidationSplit}) for the comparison of the
 * convex program of Pilanci and Ergen (2020, eq. (8) and its gated variant) with SGD on the
 * non-convex objective (their eq. (1)): every candidate configuration with its validation
 * accuracy, and the rule that picks one. The convex side's candidates are the points of a
 * regularisation path (one per P and beta); SGD's are (beta, learning rate, epochs), the epochs
 * chosen by early stopping, i.e. the epoch count whose median validation accuracy over the
 * initialisations is highest (Prechelt 1998; Goodfellow, Bengio and Courville 2016, Sec. 7.8).
 * The rule is the same for both sides: the highest validation accuracy, ties to the candidate
 * listed first (the larger beta, then the smaller learning rate and fewer epochs).
 */
public final class ModelSelection {
  /** The side of the comparison a candidate belongs to. */
  public enum Side {
    CONVEX, SGD;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private ModelSelection() {}

  /**
   * One configuration scored on the validation rows.
   *
   * @param patterns sampled sign patterns P of a convex candidate (0 for SGD)
   * @param betaFraction beta / beta_max
   * @param learningRate SGD's step size (NaN for convex)
   * @param epochs SGD epochs (0 for convex)
   * @param validationAccuracy accuracy on the validation rows; for SGD the median over the
   *     initialisations; NaN when a run diverged before this epoch (never selected)
   * @param objective the training objective (for SGD the median over the initialisations)
   * @param relativeGap the convex solve's relative duality gap (NaN for SGD)
   * @param certified whether that gap is a certificate (false for SGD)
   * @param seconds solve time (for SGD the median training time up to this epoch)
   */
  public record Candidate(Side side, int patterns, double betaFraction, double beta,
      double learningRate, int epochs, double validationAccuracy, double objective,
      double relativeGap, boolean certified, double seconds) {}

  /**
   * The index of the candidate with the highest finite validation accuracy, the first of equals;
   * -1 when none has one.
   */
  public static int best(List<Candidate> candidates) {
    int best = -1;
    for (int k = 0; k < candidates.size(); k++) {
      double v = candidates.get(k).validationAccuracy();
      if (Double.isFinite(v) && (best < 0 || v > candidates.get(best).validationAccuracy())) {
        best = k;
      }
    }
    return best;
  }

  /**
   * The edges of its side's grid that {@code chosen} sits on ("the smallest beta", "the largest
   * beta", "the most epochs"): there the grid may have cut off a better candidate, so a report
   * says so. Empty when the choice is inside the grid.
   */
  public static List<String> gridEdges(List<Candidate> candidates, Candidate chosen) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    int epochs = 0;
    for (Candidate c : candidates) {
      if (c.side() == chosen.side()) {
        lo = Math.min(lo, c.betaFraction());
        hi = Math.max(hi, c.betaFraction());
        epochs = Math.max(epochs, c.epochs());
      }
    }
    List<String> edges = new ArrayList<>();
    if (lo < hi && chosen.betaFraction() == lo) {
      edges.add("the smallest beta");
    }
    if (lo < hi && chosen.betaFraction() == hi) {
      edges.add("the largest beta");
    }
    if (chosen.side() == Side.SGD && chosen.epochs() == epochs) {
      edges.add("the most epochs");
    }
    return edges;
  }

  /** The median (the mean of the two middle values for an even count); NaN when empty. */
  public static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
  }

  /**
   * SGD's candidates of one (beta, learning rate): one per epoch 1..E, each scored by the median
   * validation accuracy over the initialisations after that many epochs. Row e of each array is
   * epoch e (row 0 the initialisation); a run that diverged has fewer rows, and the epochs it
   * did not reach score NaN.
   *
   * @param validation per initialisation, the validation accuracy per epoch
   * @param objective per initialisation, the training objective per epoch
   * @param seconds per initialisation, the training time up to each epoch
   */
  public static List<Candidate> earlyStopping(double betaFraction, double beta,
      double learningRate, double[][] validation, double[][] objective, double[][] seconds) {
    int inits = validation.length;
    int epochs = 0;
    for (double[] v : validation) {
      epochs = Math.max(epochs, v.length - 1);
    }
    List<Candidate> out = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      double[] acc = new double[inits];
      double[] obj = new double[inits];
      double[] sec = new double[inits];
      boolean all = true;
      for (int k = 0; k < inits; k++) {
        if (validation[k].length <= e) {
          all = false;
          break;
        }
        acc[k] = validation[k][e];
        obj[k] = objective[k][e];
        sec[k] = seconds[k][e];
      }
      out.add(new Candidate(Side.SGD, 0, betaFraction, beta, learningRate, e,
          all ? median(acc) : Double.NaN, all ? median(obj) : Double.NaN, Double.NaN, false,
          all ? median(sec) : Double.NaN));
    }
    return out;
  }
}
