package io.cvxrelu.solver.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cvxrelu.job.TrainConvexJob;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.DualPatternSearch;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.generation.ColumnGeneration;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.testutil.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Column generation with the distributed backend: the same rounds as on a single node, and the
 * job's --generate-patterns with --solver distributed reaching the enumerated optimum.
 */
class DistributedGenerationTest {
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

  /** y from a planted ReLU teacher with two neurons of opposite sign. */
  private static ConvexReluProblem planted(int n, int d, int p, Formulation f) {
    SplittableRandom rng = new SplittableRandom(4);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = rng.nextGaussian();
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double a = 0.0;
      double b = 0.0;
      for (int k = 0; k < d; k++) {
        a += x.get(i, k) * (k % 2 == 0 ? 1.0 : -0.5);
        b += x.get(i, k) * (k % 3 == 0 ? 0.7 : 0.4);
      }
      y[i] = Math.max(a, 0) - Math.max(b, 0) + 0.05 * rng.nextGaussian();
    }
    SignPatterns patterns = SignPatterns.sample(x, p, 2, 10_000);
    double beta = 0.05 * ConvexReluProblem.betaMax(x, y, patterns, new SquaredLoss());
    return new ConvexReluProblem(x, y, patterns, new SquaredLoss(), beta, f);
  }

  @Test
  void distributedRoundsMatchTheSingleNodeRounds() {
    ConvexReluProblem problem = planted(300, 5, 4, Formulation.GATED);
    // Search pricing (no enumeration), two rounds.
    ColumnGeneration.Options options = new ColumnGeneration.Options(2, 16, 20, 6, 1L, 0L);
    SolverOptions solver = new SolverOptions(1e-5, 1e-9, 200_000, 120.0);
    // The distributed backend runs FISTA step for step as the single-node FISTA does, so the
    // rounds are compared with a local backend on FISTA (the local default for the squared
    // loss is the semismooth Newton solver, whose 1e-5 solutions differ at that level).
    ColumnGeneration.Backend localFista = new ColumnGeneration.Backend() {
      @Override
      public SolverResult solve(ConvexReluProblem p, DenseMatrix warm, SolverOptions o,
          IterationListener l) {
        return new GatedFistaSolver().solve(p, warm, o, l);
      }

      @Override
      public DualPatternSearch.PassFunction passes(ConvexReluProblem p, SolverResult r,
          double dualScale) {
        return ColumnGeneration.local(SolverChoice::local).passes(p, r, dualScale);
      }
    };
    ColumnGeneration.Result local = ColumnGeneration.run(problem, options, solver,
        IterationListener.NONE, localFista);
    ColumnGeneration.Result dist;
    try (DistributedGeneration backend = new DistributedGeneration(spark, 3)) {
      dist = ColumnGeneration.run(problem, options, solver, IterationListener.NONE, backend);
    }
    assertEquals(local.rounds().size(), dist.rounds().size());
    assertTrue(local.rounds().get(0).added() > 0, "the search should find violating gates");
    for (int r = 0; r < local.rounds().size(); r++) {
      ColumnGeneration.Round a = local.rounds().get(r);
      ColumnGeneration.Round b = dist.rounds().get(r);
      assertEquals(a.patterns(), b.patterns(), "patterns in round " + a.round());
      assertEquals(a.added(), b.added(), "patterns added in round " + a.round());
      assertEquals(a.objective(), b.objective(), 1e-7 * a.objective(), "round " + a.round());
      assertEquals(a.largestViolation(), b.largestViolation(), 1e-6 * a.largestViolation());
    }
    double first = dist.rounds().get(0).objective();
    double last = dist.solution().certificate().objective();
    assertTrue(last < first, "generation should lower the objective: " + first + " -> " + last);
  }

  /**
   * The job's wiring: --generate-patterns with --solver distributed runs the distributed
   * backend (that its rounds are the single-node ones is the test above), writes the rounds
   * and checks the result against every cell of the small arrangement.
   */
  @Test
  void jobGeneratesPatternsWithTheDistributedSolver() throws IOException {
    SplittableRandom r = new SplittableRandom(12);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < 18; k++) {
      double t = -2.0 + 4.0 * r.nextDouble();
      double y = Math.max(t - 0.5, 0) - 2 * Math.max(-t - 0.3, 0) + Math.max(t + 1, 0)
          + 0.2 * r.nextGaussian();
      sb.append(y).append(',').append(t).append('\n');
    }
    Path data = Files.writeString(tmp.resolve("oned.csv"), sb.toString());
    Path gen = tmp.resolve("gen");
    assertEquals(0, TrainConvexJob.run(new String[] {"--train", data.toString(), "--bias",
        "--model", "gated", "--patterns", "4", "--generate-patterns", "--generate-rounds", "2",
        "--solver", "distributed", "--partitions", "2", "--certify-all", "true", "--beta",
        "0.3", "--tol", "1e-4", "--out", gen.toString()}));
    JsonNode g = new ObjectMapper().readTree(gen.resolve("summary.json").toFile());
    assertTrue(g.get("solver").asText().startsWith("DistributedGatedSolver"), g.toString());
    assertEquals(2, g.get("generation").get("rounds").asInt(), g.toString());
    assertTrue(g.get("generation").get("patternsAdded").asInt() > 0);
    String[] rounds = Files.readString(gen.resolve("generation.csv")).strip().split("\n");
    double first = Double.parseDouble(rounds[1].split(",")[3]);
    double objective = g.get("objective").asDouble();
    assertTrue(objective < first, "generation should lower the objective: " + first + " -> "
        + objective);
    double lower = g.get("globalLowerBound").asDouble();
    assertTrue(lower <= objective * (1 + 1e-12), lower + " > " + objective);
    assertTrue(g.get("globalCertificate").asText().startsWith("exact"));
  }
}
