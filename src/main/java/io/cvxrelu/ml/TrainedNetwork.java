package io.cvxrelu.ml;

import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.Formulation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * A trained {@link ConvexReluModel} inside a Spark ML model: serialisable (it travels to
 * executors inside the prediction UDF) and saved as the project's {@code model.json} plus
 * {@code training.json} under {@code path/data}, next to Spark's params metadata.
 */
final class TrainedNetwork implements Serializable {
  private static final long serialVersionUID = 1L;
  static final String MODEL_FILE = "data/model.json";
  static final String SUMMARY_FILE = "data/training.json";

  /** model.json text: the model's exact, versioned serialised form. */
  private final String modelJson;
  private final TrainingSummary summary;
  private transient ConvexReluModel model;
  private transient ReluNetwork network;

  TrainedNetwork(ConvexReluModel model, TrainingSummary summary) {
    this.modelJson = ModelJson.write(model);
    this.summary = summary;
    this.model = model;
  }

  private TrainedNetwork(String modelJson, TrainingSummary summary, String source) {
    this.modelJson = modelJson;
    this.summary = summary;
    this.model = ModelJson.read(modelJson, source);
  }

  ConvexReluModel model() {
    ConvexReluModel m = model;
    if (m == null) {
      m = ModelJson.read(modelJson, "serialised model");
      model = m;
    }
    return m;
  }

  TrainingSummary summary() {
    return summary;
  }

  /**
   * Network output f(x) on raw feature rows (n x d): the recovered ReLU network (Theorem 1),
   * or the gated network with its training gates; a few GEMMs for the whole block.
   */
  double[] outputs(DenseMatrix raw) {
    ConvexReluModel m = model();
    DenseMatrix design = m.design(raw);
    if (m.formulation() == Formulation.RELU) {
      ReluNetwork net = network;
      if (net == null) {
        net = m.network();
        network = net;
      }
      return net.predict(design);
    }
    return m.predictDesign(design);
  }

  /** f(x) for one row. */
  double output(Vector features) {
    return outputs(new DenseMatrix(1, features.size(), features.toArray()))[0];
  }

  /** Spark ML writer for {@code stage}, a model holding this network. */
  MLWriter writer(Params stage) {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        TrainedNetwork.this.save(stage, path, sparkSession());
      }
    };
  }

  /**
   * Spark ML reader for a model class: reads what {@link #writer} wrote and rebuilds the model
   * with {@code make} (uid, network), then restores its params.
   */
  static <M extends Params> MLReader<M> reader(Class<M> type,
      BiFunction<String, TrainedNetwork, M> make) {
    return new MLReader<>() {
      @Override
      public M load(String path) {
        Loaded l = TrainedNetwork.load(path, sparkSession(), type.getName());
        M m = make.apply(l.metadata().uid(), l.network());
        l.metadata().getAndSetParams(m, Option.empty());
        return m;
      }
    };
  }

  private void save(Params stage, String path, SparkSession spark) {
    DefaultParamsWriter.saveMetadata(stage, path, spark);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    write(conf, new Path(path, MODEL_FILE), modelJson);
    write(conf, new Path(path, SUMMARY_FILE), summary.toJson());
  }

  private static void write(Configuration conf, Path file, String text) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      try (OutputStream os = fs.create(file, false)) {
        os.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads what {@link #save} wrote; returns the metadata (uid, params) and the network. */
  private static Loaded load(String path, SparkSession spark, String className) {
    DefaultParamsReader.Metadata md = DefaultParamsReader.loadMetadata(path, spark, className);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path modelFile = new Path(path, MODEL_FILE);
    Path summaryFile = new Path(path, SUMMARY_FILE);
    TrainingSummary s = TrainingSummary.fromJson(read(conf, summaryFile), summaryFile.toString());
    return new Loaded(md, new TrainedNetwork(read(conf, modelFile), s, modelFile.toString()));
  }

  private record Loaded(DefaultParamsReader.Metadata metadata, TrainedNetwork network) {}

  private static String read(Configuration conf, Path file) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      if (!fs.exists(file)) {
        throw new DataFormatException("saved model lacks " + file);
      }
      try (InputStream in = fs.open(file)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
