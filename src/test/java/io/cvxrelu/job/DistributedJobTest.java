package io.cvxrelu.job;

import io.cvxrelu.solver.distributed.DistributedGatedSolver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * train-convex with the distributed solver: --partitions, a budget-limited run that leaves its
 * checkpoint in the output, and --resume continuing it to the single-node answer.
 */
class DistributedJobTest {
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

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  private static String[] args(Path out, String... extra) {
    String[] base = {"--conf", "conf/train-convex.properties", "--model", "gated",
        "--patterns", "20", "--out", out.toString()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void budgetedRunKeepsItsCheckpointAndResumeReachesTheLocalOptimum() throws IOException {
    Path local = tmp.resolve("local");
    assertEquals(0, TrainConvexJob.run(args(local, "--solver", "local")));
    Path out = tmp.resolve("dist");
    // The budgeted run splits the patterns into pattern blocks, the resumed one does not.
    assertEquals(0, TrainConvexJob.run(args(out, "--solver", "distributed", "--partitions", "3",
        "--pattern-blocks", "3", "--max-iter", "30", "--checkpoint-every", "10")));
    assertEquals("MAX_ITERATIONS", summary(out).get("stopReason").asText());
    assertEquals("DistributedGatedSolver", summary(out).get("solver").asText());
    assertTrue(Files.exists(out.resolve("checkpoint/state.properties")));

    assertEquals(0, TrainConvexJob.run(args(out, "--solver", "distributed", "--partitions", "2",
        "--resume")));
    JsonNode s = summary(out);
    assertEquals("CONVERGED", s.get("stopReason").asText());
    assertFalse(Files.exists(out.resolve("checkpoint")), "a converged output drops it");
    double ref = summary(local).get("objective").asDouble();
    assertEquals(ref, s.get("objective").asDouble(), 1e-8 * ref);
    // The distributed solver is FISTA step for step, whatever the split: the resumed run ends
    // after as many steps as an uninterrupted one. (The local default for the squared loss is
    // the semismooth Newton solver, whose iterations are Newton steps.)
    Path whole = tmp.resolve("whole");
    assertEquals(0, TrainConvexJob.run(args(whole, "--solver", "distributed", "--partitions",
        "2")));
    assertEquals(summary(whole).get("iterations").asLong(), s.get("iterations").asLong());
  }

  @Test
  void resumeWithoutCheckpointOrWithTheLocalSolverIsAUsageError() {
    Path out = tmp.resolve("none");
    assertEquals(2, TrainConvexJob.run(args(out, "--resume")));
    assertEquals(2, TrainConvexJob.run(args(out, "--solver", "local", "--resume")));
    assertEquals(2, TrainConvexJob.run(args(out, "--solver", "cluster")));
    assertEquals(2, TrainConvexJob.run(args(out, "--partitions", "-1")));
    assertEquals(2, TrainConvexJob.run(args(out, "--pattern-blocks", "0")));
    assertEquals(2, TrainConvexJob.run(args(out, "--pattern-blocks", "many")));
  }
}
