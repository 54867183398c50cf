package io.cvxrelu.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.io.FeatureTransform;
import io.cvxrelu.io.ModelJson;
import io.cvxrelu.io.TransformJson;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.scoring.Scorer;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * A model folder as the predict job finds it, read into a {@link Scorer}:
 *
 * <ul>
 *   <li>a train-convex output: {@code model.json}, {@code preprocessing.json} (the
 *       standardisation and projection fitted on the training rows) and {@code summary.json}
 *       (whether the fit was a classification: it reports a training accuracy);
 *   <li>a saved Spark ML model ({@code ConvexReluRegressionModel} or
 *       {@code ConvexReluClassificationModel}): {@code data/model.json} beside Spark's
 *       {@code metadata/}, features used as given;
 *   <li>a saved {@code PipelineModel} with exactly one such stage under {@code stages/}.
 * </ul>
 *
 * <p>A folder committed by manifest ({@link ManifestCommit}, on object stores) must be complete
 * and match its manifest. A train-convex folder without {@code preprocessing.json} is refused: it was written
 * before the preprocessing was saved, or not completely, and its standardisation is unknown.
 */
final class SavedModel {
  static final String MODEL = "model.json";
  static final String PREPROCESSING = "preprocessing.json";
  static final String SUMMARY = "summary.json";
  private static final String ML_MODEL = "data/model.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SavedModel() {}

  /** Reads the model folder {@code dir}; any defect is one {@link DataFormatException} line. */
  static Scorer read(HadoopIo io, Configuration conf, String dir) {
    if (!io.isDirectory(dir)) {
      throw new DataFormatException("model folder not found: " + dir);
    }
    try {
      Path p = new Path(dir);
      ManifestCommit.verify(p.getFileSystem(conf), p);
    } catch (IOException e) {
      throw new DataFormatException("cannot read model folder " + dir + ": " + e.getMessage());
    }
    String model = HadoopIo.child(dir, MODEL);
    if (io.exists(model)) {
      return trainConvex(io, dir, model);
    }
    String ml = HadoopIo.child(dir, ML_MODEL);
    if (io.exists(ml)) {
      return sparkMl(io, dir, ml);
    }
    String stages = HadoopIo.child(dir, "stages");
    if (io.isDirectory(stages)) {
      List<String> found = new ArrayList<>();
      for (String stage : folders(conf, stages)) {
        if (io.exists(HadoopIo.child(stage, ML_MODEL))) {
          found.add(stage);
        }
      }
      if (found.size() == 1) {
        return sparkMl(io, found.get(0), HadoopIo.child(found.get(0), ML_MODEL));
      }
      throw new DataFormatException("pipeline model " + dir + " has " + found.size()
          + " convex ReLU stages; predict needs exactly one");
    }
    throw new DataFormatException("no " + MODEL + " in " + dir + " (neither a train-convex"
        + " output nor a saved Spark ML model)");
  }

  private static Scorer trainConvex(HadoopIo io, String dir, String modelFile) {
    ConvexReluModel model = ModelJson.read(text(io, modelFile, "model"), modelFile);
    String preprocessing = HadoopIo.child(dir, PREPROCESSING);
    if (!io.exists(preprocessing)) {
      throw new DataFormatException(dir + " has no " + PREPROCESSING + ": not a complete "
          + "train-convex output (or one written before the preprocessing was saved; retrain)");
    }
    FeatureTransform t = TransformJson.read(text(io, preprocessing, "preprocessing"),
        preprocessing);
    String summary = HadoopIo.child(dir, SUMMARY);
    boolean classification = io.exists(summary)
        ? json(text(io, summary, "summary"), summary).has("trainAccuracy")
        : "logistic".equals(model.loss());
    return scorer(model, t, classification, dir);
  }

  private static Scorer sparkMl(HadoopIo io, String dir, String modelFile) {
    ConvexReluModel model = ModelJson.read(text(io, modelFile, "model"), modelFile);
    String className = "";
    String metadata = HadoopIo.child(dir, "metadata");
    if (io.isDirectory(metadata)) {
      for (String part : io.listFiles(metadata, "part-.*")) {
        className = json(text(io, part, "metadata"), part).path("class").asText("");
      }
    }
    boolean classification = className.endsWith("ClassificationModel")
        || "logistic".equals(model.loss());
    return scorer(model, FeatureTransform.IDENTITY, classification, dir);
  }

  private static Scorer scorer(ConvexReluModel model, FeatureTransform t,
      boolean classification, String dir) {
    try {
      return new Scorer(model, t, classification);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(dir + ": " + e.getMessage());
    }
  }

  /** The sub-folders of a folder, sorted. */
  private static List<String> folders(Configuration conf, String folder) {
    try {
      Path p = new Path(folder);
      List<String> out = new ArrayList<>();
      for (FileStatus st : p.getFileSystem(conf).listStatus(p)) {
        if (st.isDirectory()) {
          out.add(st.getPath().toString());
        }
      }
      out.sort(null);
      return out;
    } catch (IOException e) {
      throw new DataFormatException("cannot list " + folder + ": " + e.getMessage());
    }
  }

  private static String text(HadoopIo io, String file, String what) {
    try (BufferedReader r = io.open(file, what)) {
      StringBuilder sb = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        sb.append(line).append('\n');
      }
      return sb.toString();
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }

  private static JsonNode json(String text, String source) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new DataFormatException(source + ": not valid JSON");
    }
  }
}
