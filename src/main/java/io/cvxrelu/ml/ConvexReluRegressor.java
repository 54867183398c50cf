package io.cvxrelu.ml;

import io.cvxrelu.problem.SquaredLoss;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
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
 * {@code write().save(path)} / {@code ConvexReluRegressor.load(path)}; its params are those of
 * {@link ConvexReluParams}. Training currently
 * collects the rows to the driver and runs the single-node solver (see
 * {@code ConvexReluTraining.fitOnDriver}): the data must fit in driver memory.
 */
public final class ConvexReluRegressor
    extends Predictor<Vector, ConvexReluRegressor, ConvexReluRegressionModel>
    implements ConvexReluParams<ConvexReluRegressor>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  static final String UID_PREFIX = "convexReluRegressor";

  private String uid;
  final TrainingParams training;

  public ConvexReluRegressor() {
    this(Identifiable.randomUID(UID_PREFIX));
  }

  public ConvexReluRegressor(String uid) {
    this(Uids.park(uid));
  }

  private ConvexReluRegressor(Uids.Parked parked) {
    super();
    uid(); // claims the parked uid, should super() not have asked for it
    training = new TrainingParams(this);
  }

  @Override
  public String uid() {
    uid = Uids.claim(uid, UID_PREFIX);
    return uid;
  }

  @Override
  public ConvexReluRegressionModel train(Dataset<?> dataset) {
    return new ConvexReluRegressionModel(uid(),
        training.fit(this, dataset, getFeaturesCol(), getLabelCol(), new SquaredLoss()));
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
