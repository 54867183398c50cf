package io.cvxrelu.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The reference instances of {@code src/test/resources/fixtures} (optima computed by an
 * independent interior-point solver; see the README there), read from the test classpath. They
 * are part of the repository, so a suite that finds none fails instead of skipping.
 */
public final class Fixtures {
  private Fixtures() {}

  /** One reference instance. */
  public record Instance(String name, Path dir, DenseMatrix x, double[] y, DenseMatrix gates,
      double beta, double reluOptimum, double gatedOptimum, JsonNode params) {
    /** The squared-loss program of {@code form} over the fixture's gates at its beta. */
    public ConvexReluProblem squaredProblem(Formulation form) {
      return new ConvexReluProblem(x, y, SignPatterns.fromGates(x, gates), new SquaredLoss(),
          beta, form);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The fixtures folder on the test classpath; fails when it is missing. */
  public static Path root() {
    URL url = Fixtures.class.getResource("/fixtures");
    if (url == null) {
      throw new IllegalStateException("no fixtures folder on the test classpath "
          + "(src/test/resources/fixtures)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("fixtures folder at an unreadable location " + url, e);
    }
  }

  /** One instance by name (a folder of the fixtures); fails when it is missing. */
  public static Instance named(String name) {
    Path dir = root().resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("no fixture " + name + " in " + root());
    }
    return load(dir);
  }

  /** All instances, sorted by name; fails when there are none. */
  public static List<Instance> all() {
    Path root = root();
    List<Instance> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        out.add(load(dir));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no fixture instances in " + root);
    }
    return out;
  }

  public static Instance load(Path dir) {
    try {
      ObjectMapper om = new ObjectMapper();
      JsonNode params = om.readTree(dir.resolve("params.json").toFile());
      JsonNode ref = om.readTree(dir.resolve("reference.json").toFile());
      DenseMatrix x = readMatrix(dir.resolve("X.csv"));
      DenseMatrix g = readMatrix(dir.resolve("G.csv")).transpose();
      double[] y = readMatrix(dir.resolve("y.csv")).column(0);
      return new Instance(dir.getFileName().toString(), dir, x, y, g,
          params.get("beta").asDouble(), ref.get("relu").get("objective").asDouble(),
          ref.get("gated").get("objective").asDouble(), params);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A headerless numeric CSV as a matrix (rows as in the file), via the production reader. */
  public static DenseMatrix readMatrix(Path file) throws IOException {
    try (java.io.BufferedReader r = Files.newBufferedReader(file)) {
      return io.cvxrelu.io.TextDataReader.readMatrixCsv(r, file.toString());
    }
  }
}
