package io.cvxrelu.ml;

import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link ConvexReluClassifier}. With f(x) the output of the recovered ReLU network
 * (Pilanci and Ergen 2020, Theorem 1) or of the gated network: {@code rawPrediction} =
 * (-f(x), f(x)) (the logistic margins, as Spark's LogisticRegression gives them),
 * {@code probability} = (1 - sigma(f(x)), sigma(f(x))), {@code prediction} the likelier class
 * (or per {@code thresholds}), computed over blocks of rows ({@link BlockTransform}). Saved as
 * Spark ML params metadata plus the project's {@code model.json} and the certificate in
 * {@code training.json}.
 */
public final class ConvexReluClassificationModel
    extends ProbabilisticClassificationModel<Vector, ConvexReluClassificationModel>
    implements ConvexReluFittedModel, MLWritable {
  private static final long serialVersionUID = 1L;
  static final String UID_PREFIX = "convexReluClassificationModel";

  private String uid;
  final TrainedNetwork network;

  ConvexReluClassificationModel(String uid, TrainedNetwork network) {
    this(Uids.park(uid), network);
  }

  private ConvexReluClassificationModel(Uids.Parked parked, TrainedNetwork network) {
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
  public int numClasses() {
    return 2;
  }

  @Override
  public int numFeatures() {
    return network.model().inputDimension();
  }

  @Override
  public Vector predictRaw(Vector features) {
    double f = network.output(features);
    return Vectors.dense(-f, f);
  }

  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    if (!(rawPrediction instanceof DenseVector dv)) {
      throw new IllegalArgumentException("rawPrediction must be dense, got "
          + rawPrediction.getClass().getSimpleName());
    }
    double[] v = dv.values();
    double f = v[1];
    // sigma(f) without overflow for large |f|.
    double p1 = f >= 0 ? 1.0 / (1.0 + Math.exp(-f)) : Math.exp(f) / (1.0 + Math.exp(f));
    v[0] = 1.0 - p1;
    v[1] = p1;
    return dv;
  }

  /**
   * Adds the non-empty ones of {@code rawPrediction}, {@code probability} and
   * {@code prediction} (in that order, as Spark's classifiers do), computed over blocks of rows
   * with GEMMs ({@link BlockTransform}). The prediction follows {@code thresholds} when set.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = transformSchema(dataset.schema(), true);
    boolean raw = !getRawPredictionCol().isEmpty();
    boolean prob = !getProbabilityCol().isEmpty();
    boolean pred = !getPredictionCol().isEmpty();
    if (!raw && !prob && !pred) {
      return dataset.toDF();
    }
    boolean thresholds = isDefined(thresholds());
    return BlockTransform.apply(dataset, getFeaturesCol(),
        BlockTransform.fields(schema, getRawPredictionCol(), getProbabilityCol(),
            getPredictionCol()), network, f -> {
          Vector r = Vectors.dense(-f, f);
          Vector p = raw2probability(r);
          Object[] out = new Object[(raw ? 1 : 0) + (prob ? 1 : 0) + (pred ? 1 : 0)];
          int k = 0;
          if (raw) {
            out[k++] = r;
          }
          if (prob) {
            out[k++] = p;
          }
          if (pred) {
            out[k] = thresholds ? probability2prediction(p) : raw2prediction(r);
          }
          return out;
        });
  }

  /**
   * Spark's summary hook, declared with different generic return types by the two Scala
   * superclasses; javac needs one override (raw, as Java sees Scala's covariant Tuple3 as
   * invariant). Behaviour is the superclass's.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public ConvexReluClassificationModel copy(ParamMap extra) {
    return copyValues(new ConvexReluClassificationModel(uid(), network), extra)
        .setParent(parent());
  }

  @Override
  public MLWriter write() {
    return network.writer(this);
  }

  public static MLReader<ConvexReluClassificationModel> read() {
    return TrainedNetwork.reader(ConvexReluClassificationModel.class,
        ConvexReluClassificationModel::new);
  }

  public static ConvexReluClassificationModel load(String path) {
    return read().load(path);
  }
}
