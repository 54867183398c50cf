package io.cvxrelu.train;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.SplittableRandom;

/**
 * A seeded hold-out split of the training rows into fit rows and validation rows, the one rule
 * every model selection here uses (the regularisation path's {@code best/} and compare's
 * {@code --select-on-validation}): hyperparameters are chosen on rows of the training set, never
 * on the test set (Hastie, Tibshirani and Friedman 2009, Sec. 7.2). Both parts keep the rows'
 * original order.
 *
 * @param fit the rows the models are trained on
 * @param validation the held-out rows the selection scores
 * @param validationRows indices (into the training set, increasing) of the validation rows
 */
public record ValidationSplit(LabeledData fit, LabeledData validation, int[] validationRows) {

  /**
   * Holds out round({@code fraction} n) rows chosen by a Fisher-Yates shuffle seeded by
   * {@code seed}; the same seed and data give the same split.
   *
   * @throws InvalidSpecException when the fraction is outside (0, 1) or leaves no row on a side
   */
  public static ValidationSplit of(LabeledData train, double fraction, long seed) {
    if (!(fraction > 0.0 && fraction < 1.0)) {
      throw new InvalidSpecException("--validation-fraction must be in (0, 1), got " + fraction);
    }
    int n = train.n();
    int held = (int) Math.round(fraction * n);
    if (held < 1 || held >= n) {
      throw new InvalidSpecException("--validation-fraction " + fraction + " of " + n
          + " rows leaves no validation or no training row");
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // The seed is mixed so that the split is not the same draw as the sampled gates of --seed.
    SplittableRandom rng = new SplittableRandom(seed ^ 0x5eedL);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    boolean[] validation = new boolean[n];
    for (int k = 0; k < held; k++) {
      validation[order[k]] = true;
    }
    int[] validationRows = new int[held];
    int[] fitRows = new int[n - held];
    int v = 0;
    int f = 0;
    for (int i = 0; i < n; i++) {
      if (validation[i]) {
        validationRows[v++] = i;
      } else {
        fitRows[f++] = i;
      }
    }
    return new ValidationSplit(rows(train, fitRows), rows(train, validationRows),
        validationRows);
  }

  /** The given rows of {@code all}, copied column by column (the matrix is column-major). */
  private static LabeledData rows(LabeledData all, int[] keep) {
    int n = all.n();
    int d = all.d();
    int m = keep.length;
    double[] src = all.x().data();
    double[] dst = new double[m * d];
    double[] y = new double[m];
    for (int j = 0; j < d; j++) {
      int from = j * n;
      int to = j * m;
      for (int r = 0; r < m; r++) {
        dst[to + r] = src[from + keep[r]];
      }
    }
    for (int r = 0; r < m; r++) {
      y[r] = all.y()[keep[r]];
    }
    return new LabeledData(new DenseMatrix(m, d, dst), y);
  }
}
