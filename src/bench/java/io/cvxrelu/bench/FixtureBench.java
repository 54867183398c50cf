package io.cvxrelu.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.TextDataReader;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.WarmStartedSolver;
import io.cvxrelu.train.SolverChoice;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Per-fixture timings ({@code jobs/bench.sh --main FixtureBench ...}): the machine's dgemm
 * GFLOP/s through the netlib backend in use, then time to a certified gap of 1e-6 for every
 * reference instance in a fixtures folder (ReLU and gated, median of the repeats after a
 * warm-up), with the error against the reference optimum. Writes {@code bench/fixtures.json}
 * and a markdown table.
 *
 * <p>Usage: {@code FixtureBench [fixturesDir] [repeats] [outDir] [maxSecondsPerSolve]}; the
 * fixtures default to the repository's copy, {@code src/test/resources/fixtures}.
 */
public final class FixtureBench {
  private FixtureBench() {}

  public static void main(String[] args) throws IOException {
    Path fixtures = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures");
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path outDir = Path.of(args.length > 2 ? args[2] : "bench");
    double maxSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 300.0;
    if (!Files.isDirectory(fixtures)) {
      System.err.println("bench: fixtures folder not found: " + fixtures);
      System.exit(2);
    }
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = om.createObjectNode();
    root.put("blas", Blas.backend());
    double gflops = dgemmGflops();
    root.put("dgemmGflops", gflops);
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
        "BLAS backend %s, dgemm %.1f GFLOP/s (4096x1024 * 1024x256, median of 5)%n%n"
            + "| instance | model | seconds (median) | iterations | relative gap | rel. error vs reference | stop |%n"
            + "|---|---|---|---|---|---|---|%n", Blas.backend(), gflops));
    ArrayNode runs = root.putArray("runs");
    try (Stream<Path> dirs = Files.list(fixtures)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        JsonNode params = om.readTree(dir.resolve("params.json").toFile());
        JsonNode ref = om.readTree(dir.resolve("reference.json").toFile());
        DenseMatrix x = read(dir.resolve("X.csv"));
        double[] y = read(dir.resolve("y.csv")).column(0);
        DenseMatrix gates = read(dir.resolve("G.csv")).transpose();
        SignPatterns patterns = SignPatterns.fromGates(x, gates);
        for (Formulation f : Formulation.values()) {
          ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, new SquaredLoss(),
              params.get("beta").asDouble(), f);
          double reference = ref.get(f.id()).get("objective").asDouble();
          ConvexSolver solver = SolverChoice.local(problem);
          SolverOptions options = new SolverOptions(1e-6, 1e-9, 1_000_000, maxSeconds);
          long w0 = System.nanoTime();
          SolverResult last = solver.solve(problem, null, options, IterationListener.NONE);
          double warm = (System.nanoTime() - w0) * 1e-9;
          // Long solves are timed once (their warm-up is negligible); short ones take the median.
          int reps = warm > 10.0 ? 0 : repeats;
          double[] secs = new double[Math.max(reps, 1)];
          secs[0] = warm;
          for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            last = solver.solve(problem, null, options, IterationListener.NONE);
            secs[r] = (System.nanoTime() - t0) * 1e-9;
          }
          Arrays.sort(secs);
          double median = secs[secs.length / 2];
          double relErr = (last.certificate().objective() - reference) / reference;
          ObjectNode run = runs.addObject();
          run.put("instance", dir.getFileName().toString());
          run.put("model", f.id());
          run.put("solver", WarmStartedSolver.algorithmOf(solver).getSimpleName());
          run.put("seconds", median);
          run.put("iterations", last.iterations());
          run.put("relativeGap", last.certificate().relativeGap());
          run.put("relativeError", relErr);
          run.put("constraintViolation", last.certificate().constraintViolation());
          run.put("stopReason", last.stopReason().name());
          md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %d | %.2e | %.2e | %s |%n",
              dir.getFileName(), f.id(), median, last.iterations(),
              last.certificate().relativeGap(), relErr, last.stopReason()));
          System.out.print(md.substring(md.lastIndexOf("| " + dir.getFileName())));
        }
      }
    }
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve("fixtures.json"), om.writeValueAsString(root) + "\n");
    Files.writeString(outDir.resolve("fixtures.md"), md.toString());
    System.out.println();
    System.out.print(md);
  }

  static DenseMatrix read(Path p) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(p)) {
      return TextDataReader.readMatrixCsv(r, p.toString());
    }
  }

  /** Median GFLOP/s of (4096 x 1024) * (1024 x 256) through the active backend. */
  static double dgemmGflops() {
    ReferenceGemm reference = new ReferenceGemm();
    double[] rates = new double[5];
    reference.gflops();
    for (int r = 0; r < rates.length; r++) {
      rates[r] = reference.gflops();
    }
    Arrays.sort(rates);
    return rates[2];
  }

  /**
   * The reference dgemm, (4096 x 1024) * (1024 x 256) through the active backend, kept so that
   * it can be timed again next to another measurement: this machine's speed moves by a third
   * within minutes, so a kernel's fraction of dgemm is taken against a dgemm timed beside it.
   */
  static final class ReferenceGemm {
    private final DenseMatrix a = new DenseMatrix(4096, 1024);
    private final DenseMatrix b = new DenseMatrix(1024, 256);
    private final DenseMatrix c = new DenseMatrix(4096, 256);

    ReferenceGemm() {
      SplittableRandom rng = new SplittableRandom(1);
      for (int k = 0; k < a.data().length; k++) {
        a.data()[k] = rng.nextDouble();
      }
      for (int k = 0; k < b.data().length; k++) {
        b.data()[k] = rng.nextDouble();
      }
    }

    /** GFLOP/s of one product. */
    double gflops() {
      long t0 = System.nanoTime();
      Blas.gemm(false, false, 1.0, a, b, 0.0, c);
      return 2.0 * 4096 * 1024 * 256 / ((System.nanoTime() - t0) * 1e-9) / 1e9;
    }
  }
}
