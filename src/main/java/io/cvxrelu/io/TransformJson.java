package io.cvxrelu.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.linalg.DenseMatrix;

/**
 * {@code preprocessing.json}: the {@link FeatureTransform} a model was trained behind (the
 * training data's means and scales, the PCA or random projection), saved beside
 * {@code model.json} so that new rows are scored in the space the model was fitted in. Numbers
 * use Java's shortest round-trip form, so a read transform is bit-for-bit the one written.
 */
public final class TransformJson {
  public static final String FORMAT = "cvxrelu-preprocessing";
  public static final int VERSION = 1;
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TransformJson() {}

  /** The transform as JSON: mean and scale per raw feature, the projection one column a row. */
  public static String write(FeatureTransform t) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("inputDimension", t.inputDimension());
    root.put("standardised", t.mean() != null);
    if (t.mean() != null) {
      root.set("mean", array(t.mean()));
      root.set("scale", array(t.scale()));
    }
    if (t.projection() != null) {
      DenseMatrix p = t.projection();
      ArrayNode cols = root.putArray("projection");
      for (int j = 0; j < p.cols(); j++) {
        cols.add(array(p.column(j)));
      }
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ArrayNode array(double[] v) {
    ArrayNode a = MAPPER.createArrayNode();
    for (double x : v) {
      a.add(x);
    }
    return a;
  }

  /** Parses and validates a transform; any defect is a one-line {@link DataFormatException}. */
  public static FeatureTransform read(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DataFormatException(source + ": not valid JSON (truncated or corrupted)");
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new DataFormatException(source + ": not a cvxrelu preprocessing file (format tag"
          + " missing)");
    }
    if (root.path("version").asInt(-1) != VERSION) {
      throw new DataFormatException(source + ": unsupported preprocessing version "
          + root.path("version"));
    }
    double[] mean = root.has("mean") ? numbers(root.get("mean"), source, "mean", -1) : null;
    double[] scale = root.has("scale") ? numbers(root.get("scale"), source, "scale",
        mean == null ? -1 : mean.length) : null;
    if ((mean == null) != (scale == null)) {
      throw new DataFormatException(source + ": mean and scale come together");
    }
    if (scale != null && java.util.Arrays.stream(scale).anyMatch(v -> !(v > 0.0))) {
      throw new DataFormatException(source + ": field 'scale' holds a value that is not > 0");
    }
    DenseMatrix projection = null;
    JsonNode p = root.path("projection");
    if (!p.isMissingNode()) {
      if (!p.isArray() || p.isEmpty()) {
        throw new DataFormatException(source + ": field 'projection' is empty");
      }
      int d = mean != null ? mean.length : p.get(0).size();
      projection = new DenseMatrix(d, p.size());
      for (int j = 0; j < p.size(); j++) {
        System.arraycopy(numbers(p.get(j), source, "projection", d), 0, projection.data(),
            j * d, d);
      }
    }
    return new FeatureTransform(mean, scale, projection);
  }

  private static double[] numbers(JsonNode arr, String source, String field, int length) {
    if (!arr.isArray() || arr.isEmpty() || length >= 0 && arr.size() != length) {
      throw new DataFormatException(source + ": field '" + field + "' is empty or has the"
          + " wrong length");
    }
    double[] out = new double[arr.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = arr.get(i);
      if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
        throw new DataFormatException(source + ": field '" + field + "' holds a non-finite or"
            + " non-numeric value");
      }
      out[i] = v.asDouble();
    }
    return out;
  }
}
