package io.cvxrelu.cnn.relaxation;

import io.cvxrelu.linalg.DenseMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * One cell of Bartan and Pilanci's Fig. 1: a planted Gaussian instance with k patches, filter
 * size f and n = ratio f samples, attacked by the LP (9) with T random directions and by
 * gradient descent on the non-convex loss from R random starts.
 *
 * <p>Reported per method: the minimum over the runs of ||w_hat - w*|| (the paper's colour
 * scale), the per-run success rate and whether any run succeeded, success meaning
 * ||w_hat - w*|| / ||w*|| &lt;= 1e-6. For the relaxation the NNLS test of eq. (14) predicts
 * each draw's success independently; the cell records how many draws it predicts and how many
 * disagree with the solver (none, when all is well).
 */
public final class PhaseTransitionCell {
  /** Success threshold on the relative error. */
  public static final double SUCCESS = 1e-6;

  /** A cell's coordinates and budgets. */
  public record Spec(int blocks, int filterSize, int ratio, int draws, int starts,
      int gdIterations, long seed) implements java.io.Serializable {
    public int n() {
      return ratio * filterSize;
    }
  }

  /** A cell's measurements. */
  public record Result(Spec spec, double relaxMinError, double relaxSuccessRate,
      boolean relaxAny, double conePredictedRate, int coneDisagreements, int uncertified,
      double gdMinError, double gdSuccessRate, boolean gdAny, double gdStep, double seconds)
      implements java.io.Serializable {}

  private PhaseTransitionCell() {}

  /** Runs the cell. */
  public static Result run(Spec spec) {
    long start = System.nanoTime();
    PlantedInstance inst = PlantedInstance.gaussian(spec.n(), spec.blocks(), spec.filterSize(),
        spec.seed());
    double wNorm = norm(inst.filter());
    RelaxationSolver solver = new RelaxationSolver();
    RecoveryCone cone = new RecoveryCone(inst.design(), inst.filter());
    double relaxMin = Double.POSITIVE_INFINITY;
    int relaxOk = 0;
    int predicted = 0;
    int disagreements = 0;
    int uncertified = 0;
    List<Amplification.Draw> draws = new ArrayList<>();
    for (int t = 0; t < spec.draws(); t++) {
      Amplification.Draw d = Amplification.solve(solver, inst.design(), inst.labels(), 0.0,
          spec.seed() + 1, t);
      draws.add(d);
      boolean ok = false;
      if (d.usable()) {
        double rel = inst.relativeError(d.result().filter());
        relaxMin = Math.min(relaxMin, rel * wNorm);
        ok = rel <= SUCCESS;
        uncertified += d.result().certified() ? 0 : 1;
      } else if (d.result().outcome() != RelaxationResult.Outcome.UNBOUNDED) {
        uncertified++;
      }
      boolean inCone = cone.contains(d.direction());
      relaxOk += ok ? 1 : 0;
      predicted += inCone ? 1 : 0;
      disagreements += ok != inCone ? 1 : 0;
    }
    Amplification.Draw best = Amplification.best(draws);
    boolean relaxAny = best != null && inst.relativeError(best.result().filter()) <= SUCCESS;

    FilterGradientDescent gd = new FilterGradientDescent(inst.design(), inst.labels());
    DenseMatrix w = FilterGradientDescent.randomStarts(spec.filterSize(), spec.starts(),
        spec.seed() + 2);
    gd.run(w, spec.gdIterations());
    double gdMin = Double.POSITIVE_INFINITY;
    int gdOk = 0;
    for (int t = 0; t < spec.starts(); t++) {
      double[] wt = w.column(t);
      double rel = inst.relativeError(wt);
      gdMin = Math.min(gdMin, rel * wNorm);
      gdOk += rel <= SUCCESS ? 1 : 0;
    }
    return new Result(spec, relaxMin, rate(relaxOk, spec.draws()), relaxAny,
        rate(predicted, spec.draws()), disagreements, uncertified, gdMin,
        rate(gdOk, spec.starts()), gdOk > 0, gd.step(), (System.nanoTime() - start) * 1e-9);
  }

  private static double rate(int count, int of) {
    return of == 0 ? Double.NaN : (double) count / of;
  }

  private static double norm(double[] v) {
    double s = 0.0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
