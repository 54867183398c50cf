package io.cvxrelu.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The input layer sits below the jobs and the Spark ML estimators, beside the distributed
 * solvers: it imports none of them, so each of them can build on it.
 */
class DataLayeringTest {
  private static final List<String> ABOVE = List.of("io.cvxrelu.job.", "io.cvxrelu.ml.",
      "io.cvxrelu.solver.", "io.cvxrelu.bench.", "io.cvxrelu.report.");

  @Test
  void dataImportsNothingFromTheLayersAboveIt() throws IOException {
    List<String> offenders;
    try (Stream<Path> files = Files.list(Path.of("src/main/java/io/cvxrelu/data"))) {
      offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
        try {
          String s = Files.readString(p);
          return ABOVE.stream().anyMatch(pkg -> s.contains("import " + pkg));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).map(Path::toString).toList();
    }
    assertTrue(offenders.isEmpty(), "io.cvxrelu.data imports a layer above it: " + offenders);
  }
}
