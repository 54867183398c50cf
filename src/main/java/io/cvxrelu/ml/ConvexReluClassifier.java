package io.cvxrelu.ml;

import io.cvxrelu.problem.LogisticLoss;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
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
 * Spark ML estimator for binary classification (labels 0 and 1) with a two-layer ReLU network
 * trained to global optimality under the logistic loss log(1 + exp(-y f(x))), y = 2 label - 1:
 * the convex program of Pilanci and Ergen (ICML 2020, eq. (8), with the logistic loss of their
 * Sec. 5) over P sampled sign patterns, or its gated-ReLU relaxation. The model's
 * {@code transform} adds {@code rawPrediction} = (-f(x), f(x)), {@code probability} =
 * (1 - sigma(f(x)), sigma(f(x))) and {@code prediction}.
 *
 * <p>Usable after {@code VectorAssembler} in a {@code Pipeline}; saved and loaded with
 * {@code write().save(path)} / {@code ConvexReluClassifier.load(path)}. Training currently
 * collects the rows to the driver and runs the single-node solver (see
 * {@code ConvexReluTraining.fitOnDriver}): the data must fit in driver memory.
 */
public final class ConvexReluClassifier
    extends ProbabilisticClassifier<Vector, ConvexReluClassifier, ConvexReluClassificationModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  static final String UID_PREFIX = "convexReluClassifier";

  private String uid;
  private final TrainingParams training;

  public ConvexReluClassifier() {
    this(Uids.park(org.apache.spark.ml.util.Identifiable.randomUID(UID_PREFIX)));
  }

  public ConvexReluClassifier(String uid) {
    this(Uids.park(uid));
  }

  private ConvexReluClassifier(Uids.Parked parked) {
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

  public ConvexReluClassifier setFormulation(String v) {
    return (ConvexReluClassifier) set(training.formulation, v);
  }

  public ConvexReluClassifier setBeta(double v) {
    return (ConvexReluClassifier) set(training.beta, v);
  }

  public ConvexReluClassifier setBetaFraction(double v) {
    return (ConvexReluClassifier) set(training.betaFraction, v);
  }

  public ConvexReluClassifier setPatterns(int v) {
    return (ConvexReluClassifier) set(training.patterns, v);
  }

  public ConvexReluClassifier setSeed(long v) {
    return (ConvexReluClassifier) set(training.seed, v);
  }

  public ConvexReluClassifier setBias(boolean v) {
    return (ConvexReluClassifier) set(training.bias, v);
  }

  public ConvexReluClassifier setTol(double v) {
    return (ConvexReluClassifier) set(training.tol, v);
  }

  public ConvexReluClassifier setMaxIter(int v) {
    return (ConvexReluClassifier) set(training.maxIter, v);
  }

  public ConvexReluClassifier setMaxSeconds(double v) {
    return (ConvexReluClassifier) set(training.maxSeconds, v);
  }

  @Override
  public ConvexReluClassificationModel train(Dataset<?> dataset) {
    ConvexReluTraining.Fit fit = ConvexReluTraining.fitOnDriver(dataset, getFeaturesCol(),
        getLabelCol(), new LogisticLoss(), training.settings(this));
    return new ConvexReluClassificationModel(uid(),
        new TrainedNetwork(fit.model(), fit.summary()));
  }

  @Override
  public ConvexReluClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<ConvexReluClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static ConvexReluClassifier load(String path) {
    return read().load(path);
  }
}
