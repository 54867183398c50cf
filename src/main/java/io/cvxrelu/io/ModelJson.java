package io.cvxrelu.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.problem.Formulation;

/**
 * {@code model.json}: format tag and version, settings, gates (one per row), the blocks and the
 * recovered neurons. Field order is fixed and numbers are written with Java's shortest
 * round-trip representation, so the same model always gives the same bytes.
 */
public final class ModelJson {
  public static final String FORMAT = "cvxrelu-model";
  public static final int VERSION = 1;
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelJson() {}

  public static String write(ConvexReluModel model) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("model", model.formulation().id());
    root.put("loss", model.loss());
    root.put("beta", model.beta());
    root.put("bias", model.bias());
    root.put("inputDimension", model.inputDimension());
    root.put("patterns", model.patternCount());
    root.set("gates", rows(model.gates()));
    ObjectNode blocks = root.putObject("blocks");
    int p = model.patternCount();
    if (model.formulation() == Formulation.RELU) {
      blocks.set("v", rows(model.weights().columns(0, p)));
      blocks.set("w", rows(model.weights().columns(p, 2 * p)));
    } else {
      blocks.set("u", rows(model.weights()));
    }
    ReluNetwork net = model.network();
    ObjectNode neurons = root.putObject("neurons");
    neurons.put("count", net.width());
    neurons.set("hidden", rows(net.hidden()));
    ArrayNode alpha = neurons.putArray("alpha");
    for (double a : net.alpha()) {
      alpha.add(a);
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Columns of m as JSON rows. */
  private static ArrayNode rows(DenseMatrix m) {
    ArrayNode arr = MAPPER.createArrayNode();
    for (int j = 0; j < m.cols(); j++) {
      ArrayNode r = arr.addArray();
      for (int i = 0; i < m.rows(); i++) {
        r.add(m.get(i, j));
      }
    }
    return arr;
  }

  /** Parses and validates a model; any defect is a {@link DataFormatException}. */
  public static ConvexReluModel read(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DataFormatException(source + ": not a valid model file (truncated or corrupted JSON)");
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new DataFormatException(source + ": not a cvxrelu model (format tag missing)");
    }
    if (root.path("version").asInt(-1) != VERSION) {
      throw new DataFormatException(source + ": unsupported model version "
          + root.path("version"));
    }
    try {
      Formulation f = Formulation.parse(root.path("model").asText());
      boolean bias = root.path("bias").asBoolean();
      double beta = root.path("beta").asDouble(Double.NaN);
      DenseMatrix gates = columns(root.path("gates"), source, "gates", -1);
      int d = gates.rows();
      DenseMatrix w;
      JsonNode blocks = root.path("blocks");
      if (f == Formulation.RELU) {
        DenseMatrix v = columns(blocks.path("v"), source, "blocks.v", d);
        DenseMatrix ww = columns(blocks.path("w"), source, "blocks.w", d);
        w = new DenseMatrix(d, v.cols() + ww.cols());
        System.arraycopy(v.data(), 0, w.data(), 0, v.data().length);
        System.arraycopy(ww.data(), 0, w.data(), v.data().length, ww.data().length);
      } else {
        w = columns(blocks.path("u"), source, "blocks.u", d);
      }
      return new ConvexReluModel(f, root.path("loss").asText(), beta, bias, gates, w);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(source + ": invalid model: " + e.getMessage());
    }
  }

  private static DenseMatrix columns(JsonNode arr, String source, String field, int dim) {
    if (!arr.isArray() || arr.isEmpty()) {
      throw new DataFormatException(source + ": model field '" + field + "' missing or empty");
    }
    int rows = dim >= 0 ? dim : arr.get(0).size();
    DenseMatrix m = new DenseMatrix(rows, arr.size());
    for (int j = 0; j < arr.size(); j++) {
      JsonNode c = arr.get(j);
      if (!c.isArray() || c.size() != rows) {
        throw new DataFormatException(source + ": model field '" + field + "' row " + j
            + " has the wrong length");
      }
      for (int i = 0; i < rows; i++) {
        JsonNode v = c.get(i);
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
          throw new DataFormatException(source + ": model field '" + field
              + "' holds a non-finite or non-numeric value");
        }
        m.set(i, j, v.asDouble());
      }
    }
    return m;
  }
}
