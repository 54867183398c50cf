package io.cvxrelu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The math layer imports no Spark or Hadoop class (house style: Spark's mllib-local split). */
class LayeringTest {
  /** The math packages; Spark code lives in spark (distributed solvers), ml and job. */
  private static final java.util.Set<String> MATH =
      java.util.Set.of("linalg", "patterns", "problem", "solver", "model", "io");


  @Test
  void mathPackagesDoNotImportSparkOrHadoop() throws IOException {
    Path root = Path.of("src/main/java/io/cvxrelu");
    List<String> offenders;
    try (Stream<Path> files = Files.walk(root)) {
      offenders = files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> MATH.contains(p.getParent().getFileName().toString()))
          .filter(p -> {
            try {
              String s = Files.readString(p);
              return s.contains("import org.apache.spark") || s.contains("import org.apache.hadoop");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .map(Path::toString).collect(Collectors.toList());
    }
    assertTrue(offenders.isEmpty(), "Spark/Hadoop imported in the math layer: " + offenders);
  }
}
