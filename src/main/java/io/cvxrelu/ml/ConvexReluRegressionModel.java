package io.cvxrelu.ml;

import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link ConvexReluRegressor}: {@code transform} adds {@code prediction} = f(x), the
 * output of the network recovered from the convex solution (Pilanci and Ergen 2020, Theorem 1)
 * or of the gated network, computed over blocks of rows ({@link BlockTransform}). Saved as Spark
 * ML params metadata plus the project's {@code model.json} and the certificate in
 * {@code training.json}.
 */
public final class ConvexReluRegressionModel
    extends PredictionModel<Vector, ConvexReluRegressionModel>
    implements ConvexReluFittedModel, MLWritable {
  private static final long serialVersionUID = 1L;
  static final String UID_PREFIX = "convexReluRegressionModel";

  private String uid;
  final TrainedNetwork network;

  ConvexReluRegressionModel(String uid, TrainedNetwork network) {
    this(Uids.park(uid), network);
  }

  private ConvexReluRegressionModel(Uids.Parked parked, TrainedNetwork network) {
    super();
    uid(); // claims the parked uid, should super() not have asked for it
    this.network = network;
  }

  @Override
  public String uid() {
    uid = Uids.claim(uid, UID_PREFIX);
    return uid;
  }

  @Override
  public int numFeatures() {
    return network.model().inputDimension();
  }

  @Override
  public double predict(Vector features) {
    return network.output(features);
  }

  /** Adds {@code prediction} = f(x), computed over blocks of rows with GEMMs. */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema(), true);
    if (getPredictionCol().isEmpty()) {
      return dataset.toDF();
    }
    return BlockTransform.apply(dataset, getFeaturesCol(),
        BlockTransform.fields(schema, getPredictionCol()), network, f -> new Object[] {f});
  }

  @Override
  public ConvexReluRegressionModel copy(ParamMap extra) {
    return copyValues(new ConvexReluRegressionModel(uid(), network), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return network.writer(this);
  }

  public static MLReader<ConvexReluRegressionModel> read() {
    return TrainedNetwork.reader(ConvexReluRegressionModel.class, ConvexReluRegressionModel::new);
  }

  public static ConvexReluRegressionModel load(String path) {
    return read().load(path);
  }
}
