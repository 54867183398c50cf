package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's kill test: a driver killed with SIGKILL in the middle of a distributed solve, then
 * restarted with {@code --resume}, reaches the optimum of an uninterrupted run (1e-9 relative)
 * with exactly one complete output. The victim runs in its own JVM (the packaged runtime
 * classpath), so this is an integration test run by {@code mvn verify}.
 */
class KillResumeIT {
  @TempDir
  static Path tmp;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stop() {
    SparkTestSession.stop(spark);
  }

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  @Test
  void killedDriverResumesToTheSameOptimum() throws Exception {
    Path train = tmp.resolve("train.csv");
    GenerateSyntheticData.write(train, tmp.resolve("test.csv"), 8_000, 10, 20, 8, 0.1, 5);
    String[] common = {"--train", train.toString(), "--model", "gated", "--patterns", "60",
        "--seed", "1", "--solver", "distributed", "--partitions", "2", "--tol", "1e-8",
        "--checkpoint-every", "5", "--master", "local[2]"};

    Path out = tmp.resolve("killed");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Dlog4j2.configurationFile=" + Path.of("src/main/resources/log4j2.properties")
            .toAbsolutePath(),
        "-cp", "target/classes" + File.pathSeparator
            + Files.readString(Path.of(System.getProperty("cvxrelu.runtimeClasspath"))).strip(),
        "io.cvxrelu.job.TrainConvexJob"));
    cmd.addAll(List.of(common));
    cmd.addAll(List.of("--out", out.toString()));
    File log = tmp.resolve("victim.log").toFile();
    Process victim = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log)
        .start();
    // Wait for a checkpoint (written every 5 steps), let a few more steps run, then SIGKILL.
    Path state = out.resolve(TrainConvexJob.CHECKPOINT).resolve("state.properties");
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (!Files.exists(state) && victim.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(state), "no checkpoint appeared; victim log:\n"
        + Files.readString(log.toPath()));
    Thread.sleep(1000);
    assertTrue(victim.isAlive(), "the solve finished before it could be killed; make it longer");
    victim.destroyForcibly().waitFor();
    assertFalse(Files.exists(out.resolve("summary.json")), "killed run wrote a summary");

    assertEquals(0, TrainConvexJob.run(concat(common, "--out", out.toString(), "--resume")));
    Path clean = tmp.resolve("clean");
    assertEquals(0, TrainConvexJob.run(concat(common, "--out", clean.toString())));

    double a = summary(out).get("objective").asDouble();
    double b = summary(clean).get("objective").asDouble();
    assertEquals(b, a, 1e-9 * Math.abs(b));
    assertEquals("CONVERGED", summary(out).get("stopReason").asText());
    // One complete output: the job's files, no temporary or set-aside siblings left behind.
    for (String f : new String[] {"summary.json", "model.json", "history.csv"}) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertEquals(List.of(), siblings.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".killed")).toList());
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
