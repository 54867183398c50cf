package io.cvxrelu.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training params of the convex-ReLU estimators, as a Spark ML params trait: one accessor
 * and one setter per param, shared by {@link ConvexReluRegressor} and
 * {@link ConvexReluClassifier}.
 *
 * <p>Spark's own estimators share params through Scala traits ({@code HasMaxIter}, ...) mixed
 * into classes with different superclasses; the two estimators here extend {@code Predictor}
 * and {@code ProbabilisticClassifier}, so a Java interface with default methods plays that
 * role. Spark discovers params by reflection over public no-argument methods returning a
 * {@link Param}, which includes these default methods. An interface holds no state: the params
 * themselves live in each estimator's {@link TrainingParams}, which is why the interface is
 * sealed to the two classes that carry one. Setters return the concrete estimator, as Spark's
 * {@code Predictor.setLabelCol} does.
 *
 * @param <S> the estimator type the setters return
 */
public sealed interface ConvexReluParams<S extends ConvexReluParams<S>> extends Params
    permits ConvexReluRegressor, ConvexReluClassifier {

  /** relu (exact ReLU network, default) or gated. */
  default Param<String> formulation() {
    return declared().formulation;
  }

  /** Regularisation strength; when unset, betaFraction * beta_max. */
  default DoubleParam beta() {
    return declared().beta;
  }

  /** beta / beta_max when beta is unset (default 0.01). */
  default DoubleParam betaFraction() {
    return declared().betaFraction;
  }

  /** Number of sampled sign patterns P (default 100). */
  default IntParam patterns() {
    return declared().patterns;
  }

  /** Seed of the gate sample (default 0). */
  default LongParam seed() {
    return declared().seed;
  }

  /** Append a column of ones (default false). */
  default BooleanParam bias() {
    return declared().bias;
  }

  /** Target relative duality gap (default 1e-6). */
  default DoubleParam tol() {
    return declared().tol;
  }

  /** Iteration budget. */
  default IntParam maxIter() {
    return declared().maxIter;
  }

  /** Time budget in seconds. */
  default DoubleParam maxSeconds() {
    return declared().maxSeconds;
  }

  /**
   * Where the solver runs: {@code auto} (the default: over row blocks on the executors from
   * {@code SolverChoice.AUTO_DISTRIBUTED_ROWS} rows, as train-convex decides), {@code local}
   * (the rows collected to the driver) or {@code distributed}.
   */
  default Param<String> solver() {
    return declared().solver;
  }

  default S setSolver(String v) {
    return with(solver(), v);
  }

  default S setFormulation(String v) {
    return with(formulation(), v);
  }

  default S setBeta(double v) {
    return with(beta(), v);
  }

  default S setBetaFraction(double v) {
    return with(betaFraction(), v);
  }

  default S setPatterns(int v) {
    return with(patterns(), v);
  }

  default S setSeed(long v) {
    return with(seed(), v);
  }

  default S setBias(boolean v) {
    return with(bias(), v);
  }

  default S setTol(double v) {
    return with(tol(), v);
  }

  default S setMaxIter(int v) {
    return with(maxIter(), v);
  }

  default S setMaxSeconds(double v) {
    return with(maxSeconds(), v);
  }

  /** Sets {@code param} (validated by Spark) and returns this estimator. */
  @SuppressWarnings("unchecked")
  private <T> S with(Param<T> param, T value) {
    set(param, value);
    return (S) this;
  }

  /** This estimator's param objects (the interface is sealed to the two that hold them). */
  private TrainingParams declared() {
    return this instanceof ConvexReluRegressor r ? r.training
        : ((ConvexReluClassifier) this).training;
  }
}
