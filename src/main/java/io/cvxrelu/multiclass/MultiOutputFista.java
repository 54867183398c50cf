package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.StopReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * FISTA with backtracking and gradient restart (Beck and Teboulle 2009; O'Donoghue and Candes
 * 2015) for the vector-output gated program of {@link MultiOutputProblem}: the proximal step
 * is block soft thresholding of each d x c block (the prox of beta ||.||_F), as in scnn's
 * R-FISTA (Mishkin, Sahiner and Pilanci 2022).
 *
 * <p>Because the prediction map is linear, the prediction at the extrapolated point is the
 * same combination of the last two iterates' predictions: a step costs one adjoint GEMM (the
 * gradient) and one forward GEMM per backtracking trial; each step's first trial is 1.25
 * times the last accepted step (backtracking halves it when too long). Every
 * {@code certificateEvery} steps one more adjoint pass evaluates the {@link MultiOutputCertificate}; the solver stops with
 * {@link StopReason#CONVERGED} when the relative gap reaches the tolerance. Stateless.
 */
public final class MultiOutputFista {
  /** Factor on the last accepted step for the next step's first trial. */
  private static final double STEP_GROWTH = 1.25;
  private final int certificateEvery;

  public MultiOutputFista() {
    this(5);
  }

  /** @param certificateEvery steps between certificate evaluations */
  public MultiOutputFista(int certificateEvery) {
    this.certificateEvery = Math.max(1, certificateEvery);
  }

  /** Solves from {@code warmStart} (d x P c, or null for zero). Never throws on a stall. */
  public MultiOutputResult solve(MultiOutputProblem problem, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    long start = System.nanoTime();
    Iterates it = new Iterates(problem, warmStart != null ? warmStart.copy()
        : problem.zeroWeights());
    double step = 1.0 / Math.max(Double.MIN_NORMAL, problem.loss().curvature()
        * operatorNormSquared(problem, 15));
    List<IterationRecord> history = new ArrayList<>();
    long trials = 0;
    StopReason reason = null;
    MultiOutputCertificate cert = null;
    long k = 0;
    while (true) {
      if (k % certificateEvery == 0 || reason != null) {
        cert = MultiOutputCertificate.compute(problem, it.w, it.fw);
        double secs = (System.nanoTime() - start) * 1e-9;
        IterationRecord rec = new IterationRecord((int) k, trials, cert.objective(),
            cert.lowerBound(), cert.relativeGap(), 0.0, secs);
        history.add(rec);
        if (reason != null) {
          break;
        }
        reason = stopReason(cert, options, k, secs);
        if (reason == null && !listener.onIteration(rec, it.w)) {
          reason = StopReason.STOPPED_BY_LISTENER;
        }
        if (reason != null) {
          break;
        }
      }
      int t = it.step(step);
      if (t < 0) {
        reason = StopReason.STALLED;
        continue;
      }
      trials += t;
      // The first trial of the next step is a little longer than the last accepted one:
      // 1 / (curvature ||A||^2) is a worst case, and the local curvature of the softmax loss
      // falls as the classes separate, so a step size that can only shrink stalls the run.
      step = it.acceptedStep * STEP_GROWTH;
      k++;
      if (k >= options.maxIterations()) {
        reason = StopReason.MAX_ITERATIONS;
      }
    }
    return new MultiOutputResult(it.w, cert, reason, history, k,
        (System.nanoTime() - start) * 1e-9);
  }

  private static StopReason stopReason(MultiOutputCertificate cert, SolverOptions options,
      long k, double secs) {
    if (!Double.isFinite(cert.objective()) || Double.isNaN(cert.relativeGap())) {
      return StopReason.NUMERICAL_FAILURE;
    }
    if (cert.relativeGap() <= options.tolerance()) {
      return StopReason.CONVERGED;
    }
    if (secs >= options.maxSeconds()) {
      return StopReason.TIME_LIMIT;
    }
    return k >= options.maxIterations() ? StopReason.MAX_ITERATIONS : null;
  }

  /**
   * ||A||^2 of the prediction map A W = sum_i D_i X W_i by power iteration on A^T A from a
   * seeded start (a lower estimate; backtracking corrects it).
   */
  static double operatorNormSquared(MultiOutputProblem problem, int iterations) {
    DenseMatrix v = problem.zeroWeights();
    Random rnd = new Random(17);
    double[] vd = v.data();
    for (int k = 0; k < vd.length; k++) {
      vd[k] = rnd.nextGaussian();
    }
    double est = 0.0;
    for (int it = 0; it < iterations; it++) {
      double norm = Blas.nrm2(vd.length, vd, 0);
      if (!(norm > 0.0)) {
        return est;
      }
      Blas.scal(vd.length, 1.0 / norm, vd);
      v = problem.adjoint(problem.predict(v));
      vd = v.data();
      est = Blas.nrm2(vd.length, vd, 0);
    }
    return est;
  }

  /** W <- prox of beta sum ||W_i||_F with step t: block soft thresholding. */
  static void blockSoftThreshold(MultiOutputProblem problem, DenseMatrix w, double threshold) {
    int size = problem.d() * problem.outputs();
    double[] wd = w.data();
    for (int i = 0; i < problem.patternCount(); i++) {
      double norm = Blas.nrm2(size, wd, i * size);
      double f = norm > threshold ? 1.0 - threshold / norm : 0.0;
      for (int k = i * size; k < (i + 1) * size; k++) {
        wd[k] *= f;
      }
    }
  }

  /** The FISTA state: the last two iterates and their predictions, and the momentum. */
  private static final class Iterates {
    private final MultiOutputProblem problem;
    private DenseMatrix w;
    private DenseMatrix fw;
    private DenseMatrix wPrev;
    private DenseMatrix fPrev;
    private double momentum = 1.0;
    private double acceptedStep;

    Iterates(MultiOutputProblem problem, DenseMatrix w0) {
      this.problem = problem;
      this.w = w0;
      this.fw = problem.predict(w0);
      this.wPrev = w0.copy();
      this.fPrev = fw.copy();
    }

    /**
     * One FISTA step from the extrapolated point with backtracking from {@code step}; returns
     * the number of trials, or -1 when the step underflowed.
     */
    int step(double step) {
      double next = 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * momentum * momentum));
      double beta = (momentum - 1.0) / next;
      DenseMatrix y = extrapolate(w, wPrev, beta);
      DenseMatrix fy = extrapolate(fw, fPrev, beta);
      DenseMatrix g = new DenseMatrix(fy.rows(), fy.cols());
      double atY = problem.loss().valueAndGradient(fy, problem.y(), g);
      DenseMatrix grad = problem.adjoint(g);
      double[] yd = y.data();
      double[] gd = grad.data();
      int trials = 0;
      double t = step;
      while (t > 1e-300) {
        trials++;
        DenseMatrix cand = new DenseMatrix(y.rows(), y.cols());
        double[] cd = cand.data();
        for (int k = 0; k < cd.length; k++) {
          cd[k] = yd[k] - t * gd[k];
        }
        blockSoftThreshold(problem, cand, t * problem.beta());
        double lin = 0.0;
        double sq = 0.0;
        for (int k = 0; k < cd.length; k++) {
          double dk = cd[k] - yd[k];
          lin += gd[k] * dk;
          sq += dk * dk;
        }
        DenseMatrix fc = problem.predict(cand);
        double atC = problem.loss().valueAndGradient(fc, problem.y(), null);
        // The sufficient-decrease test of Beck and Teboulle, with room for rounding.
        if (atC <= atY + lin + sq / (2.0 * t) + 1e-12 * Math.abs(atY)) {
          accept(cand, fc, yd, next);
          acceptedStep = t;
          return trials;
        }
        t *= 0.5;
      }
      return -1;
    }

    private void accept(DenseMatrix cand, DenseMatrix fc, double[] yd, double next) {
      momentum = restartedMomentum(cand, w, yd, next);
      wPrev = w;
      fPrev = fw;
      w = cand;
      fw = fc;
    }
  }

  /** a + beta (a - prev): the FISTA extrapolation, of iterates or of their predictions. */
  static DenseMatrix extrapolate(DenseMatrix a, DenseMatrix prev, double beta) {
    DenseMatrix out = new DenseMatrix(a.rows(), a.cols());
    double[] ad = a.data();
    double[] pd = prev.data();
    double[] od = out.data();
    for (int k = 0; k < od.length; k++) {
      od[k] = ad[k] + beta * (ad[k] - pd[k]);
    }
    return out;
  }

  /**
   * The momentum after accepting {@code cand} from the extrapolated point y (entries
   * {@code yd}) with last iterate {@code last}: gradient restart (O'Donoghue and Candes) drops it
   * to 1 when the step points against the last move, else {@code next}.
   */
  static double restartedMomentum(DenseMatrix cand, DenseMatrix last, double[] yd,
      double next) {
    double[] cd = cand.data();
    double[] wd = last.data();
    double dot = 0.0;
    for (int k = 0; k < cd.length; k++) {
      dot += (yd[k] - cd[k]) * (cd[k] - wd[k]);
    }
    return dot > 0.0 ? 1.0 : next;
  }
}
