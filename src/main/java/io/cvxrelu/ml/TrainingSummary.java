package io.cvxrelu.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.SolverResult;
import java.io.IOException;
import java.io.Serializable;

/**
 * The certificate and run statistics of a fit, kept with the Spark ML model and saved next to
 * its {@code model.json} as {@code training.json} (same names as the job's summary.json).
 *
 * @param objective convex objective at the solution
 * @param lowerBound dual objective (a lower bound on the optimum)
 * @param relativeGap (objective - lowerBound) / objective
 * @param constraintViolation largest cone-constraint violation (0 for gated)
 */
public record TrainingSummary(double objective, double lowerBound, double relativeGap,
    double constraintViolation, String stopReason, long iterations, double seconds, int n,
    int patterns, double beta, double betaMax, String solver) implements Serializable {

  static TrainingSummary of(SolverResult r, ConvexReluProblem p, double betaMax, String solver) {
    var c = r.certificate();
    return new TrainingSummary(c.objective(), c.lowerBound(), c.relativeGap(),
        c.constraintViolation(), r.stopReason().name(), r.iterations(), r.seconds(), p.n(),
        p.patternCount(), p.beta(), betaMax, solver);
  }

  String toJson() {
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode s = om.createObjectNode();
    s.put("objective", objective);
    s.put("lowerBound", lowerBound);
    s.put("relativeGap", relativeGap);
    s.put("constraintViolation", constraintViolation);
    s.put("stopReason", stopReason);
    s.put("iterations", iterations);
    s.put("seconds", seconds);
    s.put("n", n);
    s.put("patterns", patterns);
    s.put("beta", beta);
    s.put("betaMax", betaMax);
    s.put("solver", solver);
    try {
      return om.writeValueAsString(s) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static TrainingSummary fromJson(String json, String source) {
    try {
      JsonNode s = new ObjectMapper().readTree(json);
      for (String k : new String[] {"objective", "lowerBound", "relativeGap",
          "constraintViolation", "stopReason", "iterations", "seconds", "n", "patterns", "beta",
          "betaMax", "solver"}) {
        if (s == null || !s.has(k)) {
          throw new DataFormatException(source + ": training summary lacks '" + k + "'");
        }
      }
      return new TrainingSummary(s.get("objective").asDouble(), s.get("lowerBound").asDouble(),
          s.get("relativeGap").asDouble(), s.get("constraintViolation").asDouble(),
          s.get("stopReason").asText(), s.get("iterations").asLong(),
          s.get("seconds").asDouble(), s.get("n").asInt(), s.get("patterns").asInt(),
          s.get("beta").asDouble(), s.get("betaMax").asDouble(), s.get("solver").asText());
    } catch (IOException e) {
      throw new DataFormatException(source + ": not valid JSON");
    }
  }
}
