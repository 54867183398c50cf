package io.cvxrelu.ml;

import io.cvxrelu.model.ConvexReluModel;
import org.apache.spark.ml.param.Params;

/**
 * What the two fitted convex-ReLU models share: the trained convex model and the training
 * summary with its certificate. A Java interface plays the part of Spark's model-side traits
 * ({@code HasTrainingSummary}), since {@link ConvexReluRegressionModel} and
 * {@link ConvexReluClassificationModel} extend different Spark base classes; it is sealed to
 * the two classes that hold a {@link TrainedNetwork}.
 */
public sealed interface ConvexReluFittedModel extends Params
    permits ConvexReluRegressionModel, ConvexReluClassificationModel {

  /** The trained convex model (gates, blocks, recovered network), as in model.json. */
  default ConvexReluModel convexModel() {
    return network().model();
  }

  /** The solver's certificate and run statistics, with whether the gap is certified. */
  default TrainingSummary summary() {
    return network().summary();
  }

  private TrainedNetwork network() {
    return this instanceof ConvexReluRegressionModel r ? r.network
        : ((ConvexReluClassificationModel) this).network;
  }
}
