package io.cvxrelu.solver.iteration;

import io.cvxrelu.linalg.DenseMatrix;

/**
 * The step-size search of the accelerated proximal-gradient iterations (Beck and Teboulle 2009,
 * FISTA with backtracking): from the current step t, the candidate C = prox(Y - t grad phi(Y))
 * is formed and t is halved until phi(C) lies within the quadratic model of phi around Y. The
 * step only shrinks within a solve, except where a new smooth part allows a larger one
 * ({@link #allowAtLeast}). Shared by {@link Fista}, {@link PredictionSpaceFista} and the
 * distributed FISTA, which differ only in how they evaluate phi at a candidate.
 */
public final class Backtracking {
  private static final double SHRINK = 0.5;
  private static final double SMALLEST_STEP = 1e-300;

  /** phi at a candidate (the evaluation may keep what it computed for the accepted one). */
  @FunctionalInterface
  public interface Evaluation {
    double phi(DenseMatrix candidate);
  }

  private double step;
  private double gradientMapping = Double.POSITIVE_INFINITY;
  private double accepted;

  /** Starts from the step {@code step} itself (a resumed iteration). */
  public Backtracking(double step) {
    this.step = step;
  }

  /** The first step 1 / L for an estimate L of the gradient's Lipschitz constant. */
  public static Backtracking forLipschitz(double lipschitz) {
    return new Backtracking(inverse(lipschitz));
  }

  private static double inverse(double lipschitz) {
    return 1.0 / Math.max(lipschitz, Double.MIN_NORMAL);
  }

  /** A new smooth part with Lipschitz constant L: the step becomes at least 1 / L. */
  public void allowAtLeast(double lipschitz) {
    step = Math.max(step, inverse(lipschitz));
  }

  /**
   * Writes into {@code candidate} the first C = prox(Y - t G) that passes the sufficient-decrease
   * test against phi(Y), halving t after each rejected one.
   *
   * @return false when the step underflowed (no further progress is possible)
   */
  public boolean search(DenseMatrix y, DenseMatrix grad, double phiY, double beta,
      DenseMatrix candidate, Evaluation phi) {
    while (true) {
      ProximalGradient.Step prox = ProximalGradient.proxStep(y, grad, step, beta, candidate);
      double phiC = phi.phi(candidate);
      if (ProximalGradient.sufficientDecrease(phiC, phiY, prox, step)) {
        accepted = phiC;
        gradientMapping = prox.gradientMapping(step);
        return true;
      }
      step *= SHRINK;
      if (step < SMALLEST_STEP) {
        return false;
      }
    }
  }

  /** The current step t. */
  public double step() {
    return step;
  }

  /** phi at the last accepted candidate. */
  public double accepted() {
    return accepted;
  }

  /** Largest block norm of the last accepted gradient mapping (Y - C) / t. */
  public double gradientMapping() {
    return gradientMapping;
  }

  /** Restores the gradient mapping of the step before a checkpoint. */
  public void restoreGradientMapping(double value) {
    gradientMapping = value;
  }
}
