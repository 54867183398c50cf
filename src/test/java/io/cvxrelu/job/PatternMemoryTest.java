package io.cvxrelu.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pattern counts beyond memory ({@code train.MemoryBudget}): a usage error before the mask is
 * allocated, never an OutOfMemoryError; on a file with fewer possible patterns than asked, the
 * count is lowered to the arrangement's cell bound and the run goes on.
 */
class PatternMemoryTest {
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    spark = SparkTestSession.start();
  }

  @AfterAll
  static void stopSpark() {
    SparkTestSession.stop(spark);
  }

  private static TrainConvexRun run(String... args) {
    return TrainConvexRun.of(args);
  }

  @Test
  void patternsBeyondTheHeapAreAUsageError() {
    Path out = tmp.resolve("out");
    TrainConvexRun o = run("--train", "data-samples/planted_n300_d5.csv", "--out", out.toString(),
        "--patterns", "100000000");
    String err = o.stderr().strip();
    assertEquals(2, o.code(), err);
    assertEquals(1, err.lines().count(), "one stderr line: " + err);
    assertTrue(err.startsWith("train-convex: usage error: --patterns 100000000 needs about "), err);
    assertTrue(err.contains("(n = 300, d = 5, P = 100000000); the driver's heap is "), err);
    assertFalse(err.contains("OutOfMemory") || err.contains("\tat "), err);
    assertFalse(Files.exists(out), "no output folder");
  }

  @Test
  void patternsBeyondThreeRowsAreLoweredToTheirCells() throws IOException {
    Path csv = tmp.resolve("three.csv");
    Files.writeString(csv, "0.5,-1.0,0.25,2.0,-0.5,1.0\n-1.5,0.5,1.0,-0.25,0.75,-1.0\n"
        + "0.25,1.5,-2.0,0.5,1.0,0.5\n");
    Path out = tmp.resolve("three-out");
    TrainConvexRun o = run("--train", csv.toString(), "--out", out.toString(), "--patterns",
        "100000000");
    assertEquals(0, o.code(), o.stderr());
    int patterns = new ObjectMapper().readTree(out.resolve("summary.json").toFile())
        .get("patterns").asInt();
    assertTrue(patterns >= 1 && patterns <= 8, "at most 2^3 patterns on three rows: "
        + patterns);
  }
}
