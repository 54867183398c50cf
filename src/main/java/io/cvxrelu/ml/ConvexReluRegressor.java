package io.cvxrelu.ml;

import io.cvxrelu.problem.SquaredLoss;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * Spark ML estimator for regression with a two-layer ReLU network trained to global optimality
 * (squared loss): it solves the convex program of Pilanci and Ergen (ICML 2020, eq. (8)) over
 * P sampled sign patterns, or its gated-ReLU relaxation, and returns a
 * {@link ConvexReluRegressionModel} carrying the recovered network and the duality-gap
 * certificate.
 *
 * <p>Usable after {@code VectorAssembler} in a {@code Pipeline}; saved and loaded with
 * {@code write().save(path)} / {@code ConvexReluRegressor.load(path)}. Training currently
 * collects the rows to the driver and runs the single-node solver (see
 * {@code ConvexReluTraining.fitOnDriver}): the data must fit in driver memory.
 */
public final class ConvexReluRegressor
    extends Predictor<Vector, ConvexReluRegressor, ConvexReluRegressionModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  static final String UID_PREFIX = "convexReluRegressor";

  private String uid;
  private final TrainingParams training;

  public ConvexReluRegressor() {
    this(Uids.park(org.apache.spark.ml.util.Identifiable.randomUID(UID_PREFIX)));
  }

  public ConvexReluRegressor(String uid) {
    this(Uids.park(uid));
  }

  private ConvexReluRegressor(Uids.Parked parked) {
    super();
    uid();
    training = new TrainingParams(this);
  }

  @Override
  public String uid() {
    if (uid == null) {
      uid = Uids.claim(UID_PREFIX);
    }
    return uid;
  }

  // Params (one accessor per param: Spark discovers params through these methods).

  /** relu (exact ReLU network, default) or gated. */
  public Param<String> formulation() {
    return training.formulation;
  }

  /** Regularisation strength; when unset, betaFraction * beta_max. */
  public DoubleParam beta() {
    return training.beta;
  }

  /** beta / beta_max when beta is unset (default 0.01). */
  public DoubleParam betaFraction() {
    return training.betaFraction;
  }

  /** Number of sampled sign patterns P (default 100). */
  public IntParam patterns() {
    return training.patterns;
  }

  /** Seed of the gate sample (default 0). */
  public LongParam seed() {
    return training.seed;
  }

  /** Append a column of ones (default false). */
  public BooleanParam bias() {
    return training.bias;
  }

  /** Target relative duality gap (default 1e-6). */
  public DoubleParam tol() {
    return training.tol;
  }

  /** Iteration budget. */
  public IntParam maxIter() {
    return training.maxIter;
  }

  /** Time budget in seconds. */
  public DoubleParam maxSeconds() {
    return training.maxSeconds;
  }

  public ConvexReluRegressor setFormulation(String v) {
    return (ConvexReluRegressor) set(training.formulation, v);
  }

  public ConvexReluRegressor setBeta(double v) {
    return (ConvexReluRegressor) set(training.beta, v);
  }

  public ConvexReluRegressor setBetaFraction(double v) {
    return (ConvexReluRegressor) set(training.betaFraction, v);
  }

  public ConvexReluRegressor setPatterns(int v) {
    return (ConvexReluRegressor) set(training.patterns, v);
  }

  public ConvexReluRegressor setSeed(long v) {
    return (ConvexReluRegressor) set(training.seed, v);
  }

  public ConvexReluRegressor setBias(boolean v) {
    return (ConvexReluRegressor) set(training.bias, v);
  }

  public ConvexReluRegressor setTol(double v) {
    return (ConvexReluRegressor) set(training.tol, v);
  }

  public ConvexReluRegressor setMaxIter(int v) {
    return (ConvexReluRegressor) set(training.maxIter, v);
  }

  public ConvexReluRegressor setMaxSeconds(double v) {
    return (ConvexReluRegressor) set(training.maxSeconds, v);
  }

  @Override
  public ConvexReluRegressionModel train(Dataset<?> dataset) {
    ConvexReluTraining.Fit fit = ConvexReluTraining.fitOnDriver(dataset, getFeaturesCol(),
        getLabelCol(), new SquaredLoss(), training.settings(this));
    return new ConvexReluRegressionModel(uid(),
        new TrainedNetwork(fit.model(), fit.summary()));
  }

  @Override
  public ConvexReluRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<ConvexReluRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static ConvexReluRegressor load(String path) {
    return read().load(path);
  }
}
