package io.cvxrelu.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.cnn.LinearCnn;
import io.cvxrelu.cnn.LinearCnnTraining;
import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnn;
import io.cvxrelu.cnn.PooledCnnTraining;
import io.cvxrelu.cnn.SeparableCnnTraining;
import io.cvxrelu.cnn.SeparableGatedCnn;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What train-cnn writes: {@code summary.json} (the certificate and whether it is one, the
 * recovered network's non-convex objective, the fit, the settings), {@code model.json} (the
 * patch geometry, the filters u_j and output weights alpha_j) and {@code history.csv}.
 */
final class CnnOutputs {
  /** The architecture name of the gated separable CNN. */
  static final String SEPARABLE_GATED = "cnn-separable-gated";
  /** The architecture name of the ReLU separable CNN. */
  static final String SEPARABLE = "cnn-separable";
  /** The architecture name of the gated CNN with shared filters and global pooling. */
  static final String POOLED_GATED = "cnn-pooled-gated";
  /** The architecture name of the ReLU CNN with shared filters and global pooling. */
  static final String POOLED = "cnn-pooled";

  private CnnOutputs() {}

  static Map<String, String> files(LinearCnnTraining.Trained trained,
      DataLoader.Loaded data) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("summary.json", summary(trained, data));
    files.put("model.json", model(trained.network(), trained));
    files.put("history.csv", ConvexOutputs.historyWithoutAccuracy(trained.result()));
    return files;
  }

  private static String summary(LinearCnnTraining.Trained trained, DataLoader.Loaded data) {
    ObjectNode s = common(trained.spec().architecture().id(), data, trained.spec().geometry(),
        trained.beta(), trained.betaMax(), trained.result(), trained.nonconvexObjective());
    s.put("filters", trained.network().width());
    fit(s, "train", trained.network().predict(data.train().x()), data.train());
    if (data.test() != null) {
      fit(s, "test", trained.network().predict(data.test().x()), data.test());
    }
    return SummaryJson.write(s);
  }

  /**
   * The separable CNN's files: summary, neurons (patch, gate (gated only), filter, weight),
   * history.
   */
  static Map<String, String> files(SeparableCnnTraining.Trained trained,
      DataLoader.Loaded data) {
    PatchGeometry g = trained.spec().geometry();
    String name = trained.spec().relu() ? SEPARABLE : SEPARABLE_GATED;
    ObjectNode s = common(name, data, g, trained.beta(), trained.betaMax(),
        trained.result(), trained.nonconvexObjective());
    s.put("solver", trained.solver());
    SummaryJson.putFinite(s, "constraintViolation",
        trained.result().certificate().constraintViolation());
    s.put("patternsPerPatch", trained.spec().patternsPerPatch());
    s.put("patterns", trained.program().patterns().stream().mapToInt(p -> p.count()).sum());
    s.put("neurons", trained.neurons().size());
    fit(s, "train", SeparableGatedCnn.predict(trained.neurons(), g, data.train().x()),
        data.train());
    if (data.test() != null) {
      fit(s, "test", SeparableGatedCnn.predict(trained.neurons(), g, data.test().x()),
          data.test());
    }
    ObjectNode m = SummaryJson.object();
    m.put("architecture", name);
    putGeometry(m, g);
    m.put("beta", trained.beta());
    ArrayNode neurons = m.putArray("neurons");
    for (SeparableGatedCnn.Neuron nu : trained.neurons()) {
      ObjectNode o = neurons.addObject();
      o.put("patch", nu.patch());
      if (nu.gate() != null) {
        putArray(o.putArray("gate"), nu.gate());
      }
      putArray(o.putArray("filter"), nu.filter());
      o.put("outputWeight", nu.outputWeight());
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put("summary.json", SummaryJson.write(s));
    files.put("model.json", SummaryJson.write(m));
    files.put("history.csv", ConvexOutputs.historyWithoutAccuracy(trained.result()));
    return files;
  }

  /** The pooled CNN's files: summary, filters (gates) and output weights, history. */
  static Map<String, String> files(PooledCnnTraining.Trained trained, DataLoader.Loaded data) {
    PooledCnn network = trained.network();
    return files(trained, new DataFacts(data.description(), data.train().n(),
        data.train().d()), Fit.of(network.predict(data.train().x()), data.train().y()),
        data.test() == null ? null : Fit.of(network.predict(data.test().x()), data.test().y()));
  }

  /**
   * What the summary says of the data: a description, n and d (a distributed run knows no
   * more on the driver).
   */
  record DataFacts(String description, long n, int d) {}

  /** A network's fit on a data set: the mean squared error and, for +-1 labels, the accuracy. */
  record Fit(double mse, Double accuracy) {
    static Fit of(double[] f, double[] y) {
      return new Fit(Metrics.mse(f, y), Metrics.isPlusMinusOne(y) ? Metrics.accuracy(f, y)
          : null);
    }
  }

  /** The pooled CNN's files from facts and fits computed elsewhere (test fit null: none). */
  static Map<String, String> files(PooledCnnTraining.Trained trained, DataFacts data,
      Fit train, Fit test) {
    String name = trained.spec().relu() ? POOLED : POOLED_GATED;
    PooledCnn network = trained.network();
    PatchGeometry g = trained.spec().geometry();
    ObjectNode s = common(name, data, g, trained.beta(), trained.betaMax(), trained.result(),
        trained.nonconvexObjective());
    s.put("solver", trained.solver());
    SummaryJson.putFinite(s, "constraintViolation",
        trained.result().certificate().constraintViolation());
    s.put("exactPatterns", trained.spec().exactPatterns());
    s.put("patternsRequested", trained.spec().patterns());
    s.put("patterns", trained.patternCount());
    s.put("filters", network.width());
    putFit(s, "train", train);
    if (test != null) {
      putFit(s, "test", test);
    }
    ObjectNode m = SummaryJson.object();
    m.put("architecture", name);
    putGeometry(m, g);
    m.put("beta", trained.beta());
    putColumns(m.putArray("filters"), network.filters());
    putArray(m.putArray("outputWeights"), network.outputWeights());
    if (network.gates() != null) {
      putColumns(m.putArray("gates"), network.gates());
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put("summary.json", SummaryJson.write(s));
    files.put("model.json", SummaryJson.write(m));
    files.put("history.csv", ConvexOutputs.historyWithoutAccuracy(trained.result()));
    return files;
  }

  /** The summary fields every CNN program shares: data, geometry, beta, the certificate. */
  private static ObjectNode common(String architecture, DataLoader.Loaded data,
      PatchGeometry geometry, double beta, double betaMax, SolverResult result,
      double nonconvexObjective) {
    return common(architecture, new DataFacts(data.description(), data.train().n(),
        data.train().d()), geometry, beta, betaMax, result, nonconvexObjective);
  }

  private static ObjectNode common(String architecture, DataFacts data,
      PatchGeometry geometry, double beta, double betaMax, SolverResult result,
      double nonconvexObjective) {
    Certificate c = result.certificate();
    ObjectNode s = SummaryJson.object();
    s.put("architecture", architecture);
    s.put("data", data.description());
    s.put("n", data.n());
    s.put("d", data.d());
    putGeometry(s, geometry);
    s.put("beta", beta);
    s.put("betaMax", betaMax);
    SummaryJson.putFinite(s, "objective", c.objective());
    SummaryJson.putFinite(s, "lowerBound", c.lowerBound());
    SummaryJson.putFinite(s, "relativeGap", c.relativeGap());
    s.put("certified", result.stopReason() == StopReason.CONVERGED);
    s.put("stopReason", result.stopReason().name());
    s.put("iterations", result.iterations());
    s.put("seconds", result.seconds());
    SummaryJson.putFinite(s, "nonconvexObjective", nonconvexObjective);
    return s;
  }

  private static void putGeometry(ObjectNode s, PatchGeometry g) {
    ArrayNode shape = s.putArray("imageShape");
    shape.add(g.channels()).add(g.height()).add(g.width());
    s.put("circular", g.circular());
    s.put("patch", g.patch());
    s.put("stride", g.stride());
    s.put("patchSize", g.patchSize());
    s.put("patchCount", g.patchCount());
  }

  private static void fit(ObjectNode s, String prefix, double[] f, LabeledData data) {
    putFit(s, prefix, Fit.of(f, data.y()));
  }

  private static void putFit(ObjectNode s, String prefix, Fit fit) {
    s.put(prefix + "Mse", fit.mse());
    if (fit.accuracy() != null) {
      s.put(prefix + "Accuracy", fit.accuracy());
    }
  }

  private static String model(LinearCnn network, LinearCnnTraining.Trained trained) {
    ObjectNode m = SummaryJson.object();
    m.put("architecture", trained.spec().architecture().id());
    putGeometry(m, network.geometry());
    m.put("beta", trained.beta());
    putColumns(m.putArray("filters"), network.filters());
    putColumns(m.putArray("outputWeights"), network.outputWeights());
    return SummaryJson.write(m);
  }

  /** One JSON array per column (a filter u_j, or the output weights alpha_j of filter j). */
  private static void putColumns(ArrayNode into, DenseMatrix columns) {
    for (int j = 0; j < columns.cols(); j++) {
      putArray(into.addArray(), columns.column(j));
    }
  }

  private static void putArray(ArrayNode into, double[] values) {
    for (double v : values) {
      into.add(v);
    }
  }
}
