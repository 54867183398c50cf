package io.cvxrelu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of the house style as tests, read from the sources: the math and training
 * layers import no Spark or Hadoop class (Spark's mllib-local split), no job calls another job,
 * every package says what it is for, and the bench source set uses no test code.
 */
class LayeringTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path BENCH = Path.of("src/bench/java");

  /**
   * The Spark layers: these packages and their subpackages may use Spark. Every other package
   * (the math, the single-node solvers, the training layer, the reports) is Spark-free, so a
   * new package is covered without being listed.
   */
  private static final List<String> SPARK_PACKAGES = Stream.of("solver.distributed", "job", "ml",
      "data", "sgd.distributed").map(p -> "io.cvxrelu." + p).toList();

  private static boolean sparkFree(String pkg) {
    return SPARK_PACKAGES.stream().noneMatch(p -> pkg.equals(p) || pkg.startsWith(p + "."));
  }

  /** Spark and Hadoop, and our packages built on them (using one would bring Spark in). */
  private static final List<String> SPARK_LAYERS = List.of("org.apache.spark.",
      "org.apache.hadoop.", "io.cvxrelu.solver.distributed.", "io.cvxrelu.job.",
      "io.cvxrelu.ml.", "io.cvxrelu.data.", "io.cvxrelu.sgd.distributed.");

  private static final String JOB_PACKAGE = "io.cvxrelu.job";

  /** One source file: its package (from its folder under the source root) and its code. */
  private record Source(Path file, String pkg, String code) {
    String name() {
      String f = file.getFileName().toString();
      return f.substring(0, f.length() - ".java".length());
    }
  }

  @Test
  void sparkFreePackagesDoNotUseSparkOrHadoop() {
    List<Source> checked = sources(MAIN).stream().filter(s -> sparkFree(s.pkg()))
        .toList();
    assertFalse(checked.isEmpty(), "no source of the Spark-free packages found under " + MAIN);
    List<String> offenders = checked.stream()
        .filter(s -> SPARK_LAYERS.stream().anyMatch(s.code()::contains))
        .map(s -> s.file().toString()).toList();
    assertTrue(offenders.isEmpty(), "Spark, Hadoop or a Spark layer of ours used in a Spark-free "
        + "package (all but " + SPARK_PACKAGES + "): " + offenders);
  }

  /**
   * A job reads options, builds a spec, trains through the layers below and writes; what two
   * jobs share lives below them. A job class is a class of {@code io.cvxrelu.job} whose name
   * ends in {@code Job}; its code (comments aside) must not name another one.
   */
  @Test
  void noJobUsesAnotherJob() {
    List<Source> jobs = sources(MAIN).stream()
        .filter(s -> s.pkg().equals(JOB_PACKAGE) && s.name().endsWith("Job")).toList();
    assertFalse(jobs.isEmpty(), "no job class found in " + JOB_PACKAGE);
    List<String> offenders = new ArrayList<>();
    for (Source job : jobs) {
      for (Source other : jobs) {
        if (other != job && Pattern.compile("\\b" + other.name() + "\\b").matcher(job.code())
            .find()) {
          offenders.add(job.name() + " -> " + other.name());
        }
      }
    }
    assertTrue(offenders.isEmpty(), "jobs that use another job: " + offenders);
  }

  @Test
  void everyPackageHasAPackageInfo() {
    Set<Path> folders = new TreeSet<>();
    Set<Path> documented = new TreeSet<>();
    for (Source s : sources(MAIN)) {
      folders.add(s.file().getParent());
      if (s.name().equals("package-info")) {
        documented.add(s.file().getParent());
      }
    }
    folders.removeAll(documented);
    assertTrue(folders.isEmpty(), "packages without package-info.java: " + folders);
  }

  /** The bench runs from the runtime classpath (jobs/bench.sh), where test code is absent. */
  @Test
  void benchSourceSetUsesNoTestCode() {
    List<String> offenders = sources(BENCH).stream()
        .filter(s -> s.code().contains("org.junit.") || s.code().contains("io.cvxrelu.testutil."))
        .map(s -> s.file().toString()).toList();
    assertTrue(offenders.isEmpty(), "bench code that needs the test classpath: " + offenders);
  }

  /** Every .java file under a source root, with comments removed; empty if the root is absent. */
  /**
   * The math layer (linear algebra, patterns, the problem, the model, I/O and every solver that
   * is not distributed) is below the training layer, the reports and the jobs: it never names
   * them. A rule it needs from above (the solver choice in column generation) is injected.
   */
  @Test
  void mathLayerDoesNotReachUp() {
    List<String> below = List.of("linalg", "patterns", "problem", "model", "io", "solver");
    List<String> above = List.of("io.cvxrelu.train.", "io.cvxrelu.report.", "io.cvxrelu.job.",
        "io.cvxrelu.ml.", "io.cvxrelu.data.");
    List<String> offenders = sources(MAIN).stream()
        .filter(s -> below.stream().anyMatch(b -> s.pkg().equals("io.cvxrelu." + b)
            || s.pkg().startsWith("io.cvxrelu." + b + ".")))
        .filter(s -> !s.pkg().startsWith("io.cvxrelu.solver.distributed"))
        .filter(s -> above.stream().anyMatch(s.code()::contains))
        .map(s -> s.file().toString()).toList();
    assertTrue(offenders.isEmpty(), "the math layer names a layer above it: " + offenders);
  }

  private static List<Source> sources(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      List<Source> out = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String pkg = root.relativize(f.getParent()).toString().replace(f.getFileSystem()
            .getSeparator(), ".");
        out.add(new Source(f, pkg, withoutComments(Files.readString(f))));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Java source without its comments; string and character literals are kept as they are. */
  static String withoutComments(String src) {
    StringBuilder out = new StringBuilder(src.length());
    int i = 0;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (src.startsWith("//", i)) {
        int end = src.indexOf('\n', i);
        i = end < 0 ? src.length() : end;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? src.length() : end + 2;
        out.append(' ');
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        int j = end < 0 ? src.length() : end + 3;
        out.append(src, i, j);
        i = j;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != c) {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        j = Math.min(j + 1, src.length());
        out.append(src, i, j);
        i = j;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
