package io.cvxrelu.cnn.relaxation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cvxrelu.cnn.relaxation.RelaxationResult.Outcome;
import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The structured interior point against answers it does not compute: the NNLS cone test of
 * eq. (14) on every draw, the planted filter's own LP value, a ray checked by hand, and the
 * reduced convex objective of the QP.
 */
class RelaxationSolverTest {
  private final RelaxationSolver solver = new RelaxationSolver();

  /**
   * 600 random planted instances and directions over k = 1..3, f = 3..5, n / f = 1..8: the LP
   * returns w* (relative error &lt;= 1e-6) exactly when NNLS puts r in cone{a_i}, every draw is
   * certified or a certified ray, and both outcomes occur many times.
   */
  @Test
  void perDrawOutcomeMatchesTheConeTestOnEveryTrial() {
    SplittableRandom rng = new SplittableRandom(17);
    int recovered = 0;
    int missed = 0;
    int unbounded = 0;
    List<String> disagreements = new ArrayList<>();
    for (int trial = 0; trial < 600; trial++) {
      int k = 1 + rng.nextInt(3);
      int f = 3 + rng.nextInt(3);
      int n = f * (1 + rng.nextInt(8));
      PlantedInstance inst = PlantedInstance.gaussian(n, k, f, rng.nextLong());
      double[] r = PlantedInstance.gaussianVector(rng, f);
      RelaxationResult res = solver.solve(new RelaxationProblem(inst.design(), inst.labels(), r,
          0.0));
      boolean predicted = new RecoveryCone(inst.design(), inst.filter()).contains(r);
      boolean got;
      if (res.outcome() == Outcome.UNBOUNDED) {
        unbounded++;
        got = false;
        assertRay(inst.design(), r, res.filter());
      } else {
        assertTrue(res.certified(), "trial " + trial + " not certified: " + res);
        assertTrue(res.relativeGap() <= 1e-8, "trial " + trial + " gap " + res.relativeGap());
        got = inst.relativeError(res.filter()) <= 1e-6;
      }
      if (got) {
        recovered++;
      } else {
        missed++;
      }
      if (got != predicted) {
        disagreements.add("trial " + trial + " n=" + n + " k=" + k + " f=" + f + " solver="
            + got + " cone=" + predicted + " err=" + inst.relativeError(res.filter()));
      }
    }
    assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements: "
        + disagreements);
    assertTrue(recovered >= 50 && missed >= 50, "recovered " + recovered + ", missed " + missed);
    assertTrue(unbounded >= 1, "no unbounded draw among the small instances");
  }

  /** X_ij d &lt;= 0 for every patch and r^T d &gt; 0: w = t d stays feasible as t grows. */
  private static void assertRay(PatchDesign design, double[] r, double[] d) {
    double rd = 0.0;
    for (int l = 0; l < d.length; l++) {
      rd += r[l] * d[l];
    }
    assertTrue(rd > 0.0, "r^T d = " + rd);
    for (double v : design.responses(d)) {
      assertTrue(v <= 1e-9, "patch response along the ray " + v);
    }
  }

  /** At a recovered draw the LP value is r^T w* and the dual value y^T v matches it. */
  @Test
  void lpValuesEqualThePlantedFiltersValue() {
    SplittableRandom rng = new SplittableRandom(3);
    PlantedInstance inst = PlantedInstance.gaussian(120, 2, 6, 5);
    RecoveryCone cone = new RecoveryCone(inst.design(), inst.filter());
    double[] r;
    do {
      r = PlantedInstance.gaussianVector(rng, 6);
    } while (!cone.contains(r));
    RelaxationResult res = solver.solve(new RelaxationProblem(inst.design(), inst.labels(), r,
        0.0));
    double planted = 0.0;
    for (int l = 0; l < r.length; l++) {
      planted += r[l] * inst.filter()[l];
    }
    assertTrue(res.certified());
    assertEquals(planted, res.primalValue(), 1e-8 * Math.abs(planted));
    assertEquals(planted, res.dualValue(), 1e-8 * Math.abs(planted));
  }

  /**
   * Patches whose first feature is positive: cone{X_ij^T} lies in the half-space x_1 &gt; 0, so
   * r = -e_1 is outside it and the LP is unbounded; the solver returns a ray.
   */
  @Test
  void directionOutsideThePatchConeIsUnbounded() {
    PlantedInstance inst = PlantedInstance.gaussian(30, 2, 4, 11);
    DenseMatrix x = inst.design().x().copy();
    for (int j = 0; j < 2; j++) {
      for (int i = 0; i < 30; i++) {
        x.set(i, j * 4, Math.abs(x.get(i, j * 4)) + 0.1);
      }
    }
    PatchDesign design = new PatchDesign(x, 2);
    double[] r = {-1.0, 0.0, 0.0, 0.0};
    RelaxationResult lp = solver.solve(new RelaxationProblem(design, design.predict(
        inst.filter()), r, 0.0));
    assertEquals(Outcome.UNBOUNDED, lp.outcome());
    assertRay(design, r, lp.filter());
    RelaxationResult qp = solver.solve(new RelaxationProblem(design, design.predict(
        inst.filter()), r, 0.5));
    assertEquals(Outcome.UNBOUNDED, qp.outcome());
  }

  /**
   * The QP (8) is min_w F(w) = 1/2 sum_i (sum_j (X_ij w)_+ - y_i)_+^2 - beta r^T w once z is
   * minimised out; the solver's w must be certified, its value must equal F(w), and no random
   * perturbation of w may lower F (a convex function has no other local minima).
   */
  @Test
  void qpSolutionMinimisesTheReducedObjective() {
    SplittableRandom rng = new SplittableRandom(8);
    PlantedInstance inst = PlantedInstance.gaussian(80, 3, 5, 21);
    double[] y = inst.labels().clone();
    for (int i = 0; i < y.length; i++) {
      y[i] += 0.3 * PlantedInstance.gaussianVector(rng, 1)[0];
    }
    double[] r = PlantedInstance.gaussianVector(rng, 5);
    double beta = 0.7;
    RelaxationResult res = solver.solve(new RelaxationProblem(inst.design(), y, r, beta));
    assertTrue(res.certified(), res.toString());
    assertTrue(res.relativeGap() <= 1e-8, "gap " + res.relativeGap());
    double best = reduced(inst.design(), y, r, beta, res.filter());
    assertEquals(best, res.primalValue(), 1e-7 * Math.max(1.0, Math.abs(best)));
    for (int t = 0; t < 200; t++) {
      double[] w = res.filter().clone();
      double[] step = PlantedInstance.gaussianVector(rng, 5);
      double size = Math.pow(10.0, -1 - rng.nextInt(5));
      for (int l = 0; l < w.length; l++) {
        w[l] += size * step[l];
      }
      assertTrue(reduced(inst.design(), y, r, beta, w) >= best - 1e-9 * Math.abs(best),
          "a perturbation of size " + size + " lowers F");
    }
  }

  private static double reduced(PatchDesign design, double[] y, double[] r, double beta,
      double[] w) {
    double[] p = design.predict(w);
    double s = 0.0;
    for (int i = 0; i < y.length; i++) {
      double e = Math.max(0.0, p[i] - y[i]);
      s += 0.5 * e * e;
    }
    for (int l = 0; l < w.length; l++) {
      s -= beta * r[l] * w[l];
    }
    return s;
  }

  /** As beta -&gt; 0 the QP's filter tends to the LP's for the same draw (the sign choice). */
  @Test
  void qpTendsToTheLpAsBetaVanishes() {
    SplittableRandom rng = new SplittableRandom(4);
    PlantedInstance inst = PlantedInstance.gaussian(100, 2, 5, 9);
    double[] r = PlantedInstance.gaussianVector(rng, 5);
    RelaxationResult lp = solver.solve(new RelaxationProblem(inst.design(), inst.labels(), r,
        0.0));
    RelaxationResult qp = solver.solve(new RelaxationProblem(inst.design(), inst.labels(), r,
        1e-7));
    assertTrue(lp.certified() && qp.certified());
    double num = 0.0;
    double den = 0.0;
    for (int l = 0; l < 5; l++) {
      num += Math.pow(lp.filter()[l] - qp.filter()[l], 2);
      den += lp.filter()[l] * lp.filter()[l];
    }
    assertTrue(Math.sqrt(num / den) < 1e-3, "QP(1e-7) vs LP: " + Math.sqrt(num / den));
  }

  /** r = 0: certified with value 0, and the filter it returns is not the planted one. */
  @Test
  void naiveRelaxationDoesNotRecover() {
    PlantedInstance inst = PlantedInstance.gaussian(100, 2, 5, 13);
    RelaxationResult res = solver.solve(new RelaxationProblem(inst.design(), inst.labels(),
        new double[5], 0.0));
    assertTrue(res.certified(), res.toString());
    assertEquals(0.0, res.primalValue(), 1e-9);
    assertTrue(inst.relativeError(res.filter()) > 0.1, "err " + inst.relativeError(
        res.filter()));
    assertTrue(inst.design().meanSquaredError(res.filter(), inst.labels()) > 0.01);
  }

  @Test
  void badInputIsRejected() {
    DenseMatrix x = new DenseMatrix(4, 6);
    assertThrows(IllegalArgumentException.class, () -> new PatchDesign(x, 4));
    assertThrows(IllegalArgumentException.class, () -> new PatchDesign(new DenseMatrix(4, 0),
        1));
    PatchDesign design = new PatchDesign(x, 3);
    assertThrows(IllegalArgumentException.class, () -> new RelaxationProblem(design,
        new double[] {1, 2, -1, 0}, new double[2], 0.0));
    assertThrows(IllegalArgumentException.class, () -> new RelaxationProblem(design,
        new double[] {1, 2, 1, 0}, new double[3], 0.0));
  }
}
