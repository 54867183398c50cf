package io.cvxrelu.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.linalg.DenseMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reference instances from {@code ../shared/fixtures} (optima computed by an interior-point
 * solver). Tests that use them skip when the folder is absent.
 */
public final class Fixtures {
  private Fixtures() {}

  /** One reference instance. */
  public record Instance(String name, Path dir, DenseMatrix x, double[] y, DenseMatrix gates,
      double beta, double reluOptimum, double gatedOptimum, JsonNode params) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The fixtures folder, or null when absent. */
  public static Path root() {
    Path p = Paths.get(System.getProperty("cvxrelu.shared", "../shared"), "fixtures");
    return Files.isDirectory(p) ? p : null;
  }

  /** All instances, sorted by name; empty when the folder is absent. */
  public static List<Instance> all() {
    Path root = root();
    List<Instance> out = new ArrayList<>();
    if (root == null) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        out.add(load(dir));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
