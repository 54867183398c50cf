package io.cvxrelu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.train.ModelSelection.Candidate;
import io.cvxrelu.train.ModelSelection.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The selection rule against a plain scan: the highest validation accuracy wins, the first of
 * equals, runs that diverged never; early stopping scores each epoch by the median over the
 * initialisations.
 */
class ModelSelectionTest {

  private static Candidate convex(double beta, double validation) {
    return new Candidate(Side.CONVEX, 10, beta, beta, Double.NaN, 0, validation, 1.0, 1e-6,
        true, 1.0);
  }

  @Test
  void bestIsTheArgmaxOfTheValidationAccuracy() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int trial = 0; trial < 50; trial++) {
      List<Candidate> cs = new ArrayList<>();
      int n = 1 + rng.nextInt(20);
      // Accuracies on a grid of 1/40 so that ties happen.
      double[] v = new double[n];
      for (int k = 0; k < n; k++) {
        v[k] = rng.nextInt(41) / 40.0;
        cs.add(convex(k + 1.0, v[k]));
      }
      int expected = 0;
      for (int k = 1; k < n; k++) {
        if (v[k] > v[expected]) {
          expected = k;
        }
      }
      assertEquals(expected, ModelSelection.best(cs));
    }
  }

  @Test
  void tiesGoToTheFirstAndNanIsNeverChosen() {
    assertEquals(1, ModelSelection.best(List.of(convex(3, Double.NaN), convex(2, 0.8),
        convex(1, 0.8))));
    assertEquals(-1, ModelSelection.best(List.of(convex(1, Double.NaN))));
  }

  @Test
  void gridEdgesNameTheBoundsTheChoiceSitsOn() {
    List<Candidate> cs = new ArrayList<>(List.of(convex(0.1, 0.7), convex(0.01, 0.8),
        convex(0.001, 0.75)));
    double[][] v = {{0.5, 0.6, 0.7}};
    cs.addAll(ModelSelection.earlyStopping(0.1, 1.0, 0.01, v, v, v));
    cs.addAll(ModelSelection.earlyStopping(0.01, 0.1, 0.01, v, v, v));
    assertEquals(List.of(), ModelSelection.gridEdges(cs, cs.get(1)));
    assertEquals(List.of("the smallest beta"), ModelSelection.gridEdges(cs, cs.get(2)));
    assertEquals(List.of("the largest beta"), ModelSelection.gridEdges(cs, cs.get(0)));
    // SGD's betas are 0.1 and 0.01 (its own grid): 0.01 with 2 of 2 epochs.
    assertEquals(List.of("the smallest beta", "the most epochs"),
        ModelSelection.gridEdges(cs, cs.get(6)));
    assertEquals(List.of("the largest beta"), ModelSelection.gridEdges(cs, cs.get(3)));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, ModelSelection.median(new double[] {3, 1, 2}), 0.0);
    assertEquals(2.5, ModelSelection.median(new double[] {4, 1, 3, 2}), 0.0);
    assertTrue(Double.isNaN(ModelSelection.median(new double[0])));
  }

  @Test
  void earlyStoppingScoresEveryEpochByTheMedianOverInits() {
    // Three inits, epochs 0..3; init 2 diverged after epoch 2 (no row 3).
    double[][] validation = {{0.5, 0.6, 0.9, 0.7}, {0.5, 0.7, 0.8, 0.9}, {0.5, 0.8, 0.7}};
    double[][] objective = {{9, 5, 4, 3}, {9, 6, 5, 4}, {9, 7, 6}};
    double[][] seconds = {{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 2, 4}};
    List<Candidate> cs = ModelSelection.earlyStopping(0.01, 5.0, 0.1, validation, objective,
        seconds);
    assertEquals(3, cs.size());
    assertEquals(0.7, cs.get(0).validationAccuracy(), 0.0);
    assertEquals(0.8, cs.get(1).validationAccuracy(), 0.0);
    assertEquals(5.0, cs.get(1).objective(), 0.0);
    assertEquals(2.0, cs.get(1).seconds(), 0.0);
    assertTrue(Double.isNaN(cs.get(2).validationAccuracy()), "an init diverged before epoch 3");
    for (int e = 0; e < 3; e++) {
      assertEquals(e + 1, cs.get(e).epochs());
      assertEquals(Side.SGD, cs.get(e).side());
      assertEquals(0.1, cs.get(e).learningRate(), 0.0);
    }
    assertEquals(1, ModelSelection.best(cs));
  }
}
