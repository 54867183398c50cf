package io.cvxrelu.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.GatedFistaSolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Gated-ReLU solve on a planted-teacher problem at scale (default n = 10,000, d = 100,
 * P = 1,000, beta = 0.01 beta_max): seconds to relative gap 1e-4 and 1e-6 and the effective
 * GFLOP/s of the iteration kernels (X U and X^T (M .* R), counted as 2 n d P flops each) against
 * this machine's dgemm.
 *
 * <p>Usage: {@code ScaleBench [n] [d] [P] [maxSeconds] [outDir]}
 */
public final class ScaleBench {
  private ScaleBench() {}

  /**
   * Planted-teacher regression data: X ~ N(0, 1)^{n x d}, y = sum_j a_j relu(X t_j) + 0.1 eps
   * with 10 teacher neurons t_j ~ N(0, I / d), a_j ~ N(0, 1).
   */
  static LabeledData plantedTeacher(int n, int d, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = rng.nextGaussian();
    }
    DenseMatrix teacher = new DenseMatrix(d, 10);
    for (int k = 0; k < teacher.data().length; k++) {
      teacher.data()[k] = rng.nextGaussian() / Math.sqrt(d);
    }
    DenseMatrix z = new DenseMatrix(n, 10);
    Blas.gemm(false, false, 1.0, x, teacher, 0.0, z);
    double[] y = new double[n];
    for (int j = 0; j < 10; j++) {
      double a = rng.nextGaussian();
      for (int i = 0; i < n; i++) {
        y[i] += Math.max(z.get(i, j), 0.0) * a;
      }
    }
    for (int i = 0; i < n; i++) {
      y[i] += 0.1 * rng.nextGaussian();
    }
    return new LabeledData(x, y);
  }

  public static void main(String[] args) throws IOException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int p = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    double maxSeconds = args.length > 3 ? Double.parseDouble(args[3]) : 120.0;
    Path outDir = Path.of(args.length > 4 ? args[4] : "bench");

    LabeledData data = plantedTeacher(n, d, 0);
    DenseMatrix x = data.x();
    double[] y = data.y();
    SignPatterns patterns = SignPatterns.sample(x, p, 1, 50 * p);
    double betaMax = ConvexReluProblem.betaMax(x, y, patterns, new SquaredLoss());
    ConvexReluProblem problem = new ConvexReluProblem(x, y, patterns, new SquaredLoss(),
        0.01 * betaMax, Formulation.GATED);

    double dgemm = FixtureBench.dgemmGflops();
    double[] firstBelow = {Double.NaN};
    long start = System.nanoTime();
    SolverResult r = new GatedFistaSolver().solve(problem, null,
        new SolverOptions(1e-6, 1e-9, 10_000_000, maxSeconds), rec -> {
          if (Double.isNaN(firstBelow[0]) && rec.relativeGap() <= 1e-4) {
            firstBelow[0] = rec.seconds();
          }
          return true;
        });
    double seconds = (System.nanoTime() - start) * 1e-9;
    // Per step: one forward and one adjoint GEMM; a certificate (one adjoint) every 5 steps.
    double gemms = 2.0 * r.iterations() + r.history().size();
    double gflops = gemms * 2.0 * n * d * p / r.seconds() / 1e9;

    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = om.createObjectNode();
    o.put("workload", "gated n=" + n + " d=" + d + " P=" + patterns.count());
    o.put("blas", Blas.backend());
    o.put("dgemmGflops", dgemm);
    o.put("secondsToGap1e-4", firstBelow[0]);
    o.put("seconds", seconds);
    o.put("iterations", r.iterations());
    o.put("relativeGap", r.certificate().relativeGap());
    o.put("stopReason", r.stopReason().name());
    o.put("gflops", gflops);
    o.put("fractionOfDgemm", gflops / dgemm);
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve("scale.json"), om.writeValueAsString(o) + "\n");
    System.out.println(String.format(Locale.ROOT,
        "gated n=%d d=%d P=%d: gap 1e-4 at %.1f s; final gap %.2e after %d steps, %.1f s (%s);"
            + " kernels %.1f GFLOP/s = %.0f%% of dgemm (%.1f)",
        n, d, patterns.count(), firstBelow[0], r.certificate().relativeGap(), r.iterations(),
        seconds, r.stopReason(), gflops, 100 * gflops / dgemm, dgemm));
  }
}
