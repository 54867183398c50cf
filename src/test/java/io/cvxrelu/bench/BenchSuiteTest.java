package io.cvxrelu.bench;

import io.cvxrelu.solver.local.SsnalGatedSolver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shape of results.json / results.md on a tiny workload (no timing is asserted). */
class BenchSuiteTest {
  @TempDir
  Path dir;

  @Test
  void writesEveryWorkloadFieldAndTheScalingRows() throws Exception {
    BenchSuite suite = new BenchSuite(true);
    suite.measureBackend();
    LabeledData data = ScaleBench.plantedTeacher(300, 5, 3);
    SignPatterns patterns = SignPatterns.sample(data.x(), 20, 1, 1000);
    double betaMax = ConvexReluProblem.betaMax(data.x(), data.y(), patterns, new SquaredLoss());
    double[] signs = new double[data.n()];
    for (int i = 0; i < signs.length; i++) {
      signs[i] = data.y()[i] > 0 ? 1.0 : -1.0;
    }
    // The model appends a bias column to test features, so test on the raw features minus one.
    suite.solveWorkload("tiny gated", new ConvexReluProblem(data.x().withOnesColumn(), data.y(),
        SignPatterns.sample(data.x().withOnesColumn(), 20, 1, 1000), new SquaredLoss(),
        0.05 * betaMax, Formulation.GATED), 1e-6, 60, new LabeledData(data.x(), signs));
    suite.kernels(new int[][] {{400, 7, 30}}, new double[] {0.75});
    suite.scaling(new int[] {500, 1000});
    suite.executorCores(1000, 12);
    suite.write(dir);
    Files.list(dir).forEach(p -> assertFalse(p.toString().endsWith(".tmp"), p.toString()));

    JsonNode root = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    assertTrue(root.get("dgemmGflops").asDouble() > 0);
    assertFalse(root.get("blas").asText().isEmpty());
    JsonNode w = root.get("workloads").get(0);
    assertEquals("tiny gated", w.get("name").asText());
    assertEquals("CONVERGED", w.get("stopReason").asText());
    assertTrue(w.get("targetMet").asBoolean());
    assertTrue(w.get("relativeGap").asDouble() <= 1e-6);
    assertTrue(w.get("secondsToGap1e-4").isNumber());
    assertTrue(w.get("secondsToGap1e-6").asDouble() >= w.get("secondsToGap1e-4").asDouble());
    assertTrue(w.get("gflops").asDouble() > 0);
    assertEquals(w.get("gflops").asDouble() / root.get("dgemmGflops").asDouble(),
        w.get("fractionOfDgemm").asDouble(), 1e-12);
    double acc = w.get("testAccuracy").asDouble();
    assertTrue(acc >= 0.0 && acc <= 1.0, "accuracy " + acc);
    JsonNode kernel = root.get("kernels").get(0);
    assertEquals(30, kernel.get("q").asInt());
    // The kernel's fraction is the median of per-pair ratios against the dgemm timed beside
    // each repetition: between the lowest and highest pair, and positive.
    double fraction = kernel.get("fractionOfDgemm").asDouble();
    assertTrue(kernel.get("dgemmGflopsAdjacent").asDouble() > 0);
    assertTrue(fraction > 0);
    assertTrue(kernel.get("fractionOfDgemmLow").asDouble() <= fraction);
    assertTrue(fraction <= kernel.get("fractionOfDgemmHigh").asDouble());
    assertEquals(fraction >= 0.75, kernel.get("met").asBoolean());
    JsonNode cores = root.get("executorCores");
    if (cores.size() > 0) {
      assertEquals(2, cores.size());
      assertEquals(1, cores.get(0).get("cores").asInt());
      assertEquals(2, cores.get(1).get("cores").asInt());
      assertTrue(root.get("twoCoreSpeedup").asDouble() > 0);
      assertTrue(Files.readString(dir.resolve("results.md")).contains("executor cores"));
    }
    JsonNode scaling = root.get("scaling");
    assertEquals(2, scaling.size());
    assertEquals(1.0, scaling.get(0).get("perRowCostRelativeToFirst").asDouble(), 1e-12);
    assertTrue(scaling.get(1).get("secondsPerIteration").asDouble() > 0);
    assertTrue(scaling.get(1).get("peakRssBytesSoFar").asLong() > 0);
    String md = Files.readString(dir.resolve("results.md"));
    assertTrue(md.contains("| tiny gated | SsnalGatedSolver | 300 | 6 |"), md);
    assertTrue(md.contains("| | 400 | 7 | 30 |"), md);
  }
}
