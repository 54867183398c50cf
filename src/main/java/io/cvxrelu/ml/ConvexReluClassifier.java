package io.cvxrelu.ml;

import io.cvxrelu.problem.LogisticLoss;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
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
 * {@code write().save(path)} / {@code ConvexReluClassifier.load(path)}; its params are those of
 * {@link ConvexReluParams}. Training currently
 * collects the rows to the driver and runs the single-node solver (see
 * {@code ConvexReluTraining.fitOnDriver}): the data must fit in driver memory.
 */
public final class ConvexReluClassifier
    extends ProbabilisticClassifier<Vector, ConvexReluClassifier, ConvexReluClassificationModel>
    implements ConvexReluParams<ConvexReluClassifier>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  static final String UID_PREFIX = "convexReluClassifier";

  private String uid;
  final TrainingParams training;

  public ConvexReluClassifier() {
    this(Identifiable.randomUID(UID_PREFIX));
  }

  public ConvexReluClassifier(String uid) {
    this(Uids.park(uid));
  }

  private ConvexReluClassifier(Uids.Parked parked) {
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
  public ConvexReluClassificationModel train(Dataset<?> dataset) {
    return new ConvexReluClassificationModel(uid(),
        training.fit(this, dataset, getFeaturesCol(), getLabelCol(), new LogisticLoss()));
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
