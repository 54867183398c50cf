package io.cvxrelu.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How the jobs write their {@code summary.json}: indented, one trailing newline. */
final class SummaryJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter INDENTED = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT).writer();

  private SummaryJson() {}

  /** An empty summary to fill. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The summary as indented JSON with a trailing newline. */
  static String write(ObjectNode summary) {
    try {
      return INDENTED.writeValueAsString(summary) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Puts {@code v} under {@code key} only when it is finite (a missing measurement is absent). */
  static void putFinite(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    }
  }
}
