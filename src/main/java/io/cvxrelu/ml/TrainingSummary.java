package io.cvxrelu.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import java.io.IOException;
import java.io.Serializable;

/**
 * The certificate and run statistics of a fit, kept with the Spark ML model and saved next to
 * its {@code model.json} as {@code training.json} (same names as the job's summary.json).
 *
 * <p>The gap bounds the distance to the optimum of the sampled program only when the solve is
 * certified ({@link Certification}): stopped as CONVERGED, gap within the tolerance and cone
 * violation within the feasibility tolerance. A run stopped by its budget may show a small or
 * even negative gap at an infeasible point; {@link #certified()} says which case holds.
 *
 * @param objective convex objective at the solution
 * @param lowerBound dual objective (a lower bound on the optimum)
 * @param relativeGap (objective - lowerBound) / objective
 * @param constraintViolation largest cone-constraint violation (0 for gated)
 * @param certified whether the gap is a certificate, by {@link Certification#of}
 * @param certification "certified", or "not certified (REASON, violation V)"
 */
public record TrainingSummary(double objective, double lowerBound, double relativeGap,
    double constraintViolation, String stopReason, long iterations, double seconds, int n,
    int patterns, double beta, double betaMax, String solver, boolean certified,
    String certification) implements Serializable {

  /** What a summary saved before certification was recorded says: no claim is made. */
  static final String NOT_RECORDED = "not certified (not recorded: saved by an older version)";

  /** The fields every training.json has, in the order they are written. */
  private static final String[] REQUIRED = {"objective", "lowerBound", "relativeGap",
      "constraintViolation", "stopReason", "iterations", "seconds", "n", "patterns", "beta",
      "betaMax", "solver"};

  /** A summary without a certification (as saved by older versions): reads as not certified. */
  public TrainingSummary(double objective, double lowerBound, double relativeGap,
      double constraintViolation, String stopReason, long iterations, double seconds, int n,
      int patterns, double beta, double betaMax, String solver) {
    this(objective, lowerBound, relativeGap, constraintViolation, stopReason, iterations,
        seconds, n, patterns, beta, betaMax, solver, false, NOT_RECORDED);
  }

  /**
   * The summary of a solve of {@code p} run with {@code options}: certified only when
   * {@link Certification#of} says so for those tolerances and the problem's labels.
   */
  static TrainingSummary of(SolverResult r, ConvexReluProblem p, SolverOptions options,
      double betaMax, String solver) {
    return of(r, options, p.n(), p.patternCount(), p.beta(), betaMax,
        Certification.labelScale(p.y()), solver);
  }

  /**
   * The summary of a solve whose rows stayed on the executors.
   *
   * @param labelScale max |y_i| (the scale of the allowed cone violation)
   */
  static TrainingSummary of(SolverResult r, SolverOptions options, long n, int patterns,
      double beta, double betaMax, double labelScale, String solver) {
    var c = r.certificate();
    Certification cert = Certification.of(r, options, labelScale);
    return new TrainingSummary(c.objective(), c.lowerBound(), c.relativeGap(),
        c.constraintViolation(), r.stopReason().name(), r.iterations(), r.seconds(),
        (int) Math.min(n, Integer.MAX_VALUE), patterns, beta, betaMax, solver, cert.certified(),
        cert.label());
  }

  String toJson() {
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      // A record serialises as its components, in declaration order.
      return om.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@link #toJson}; a file without the certification reads as {@link #NOT_RECORDED}. */
  static TrainingSummary fromJson(String json, String source) {
    JsonNode s;
    try {
      s = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new DataFormatException(source + ": not valid JSON");
    }
    for (String k : REQUIRED) {
      if (s == null || !s.has(k)) {
        throw new DataFormatException(source + ": training summary lacks '" + k + "'");
      }
    }
    boolean recorded = s.has("certified") && s.has("certification");
    return new TrainingSummary(s.get("objective").asDouble(), s.get("lowerBound").asDouble(),
        s.get("relativeGap").asDouble(), s.get("constraintViolation").asDouble(),
        s.get("stopReason").asText(), s.get("iterations").asLong(),
        s.get("seconds").asDouble(), s.get("n").asInt(), s.get("patterns").asInt(),
        s.get("beta").asDouble(), s.get("betaMax").asDouble(), s.get("solver").asText(),
        recorded && s.get("certified").asBoolean(),
        recorded ? s.get("certification").asText() : NOT_RECORDED);
  }
}
