package io.cvxrelu.bench;

import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.linalg.Blas;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.solver.distributed.DistributedGatedSolver;
import io.cvxrelu.solver.distributed.DistributedProblem;
import io.cvxrelu.solver.distributed.DistributedReluSolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Seconds per step of the distributed solvers on a planted two-layer ReLU teacher (Gaussian X,
 * squared loss, beta = 0.01 beta_max, P sampled gates). The per-step figure is the slope of
 * wall-clock time between the first and the last certificate record, so it leaves out data
 * distribution and the step-size estimate and includes the certificate passes.
 *
 * <p>Arguments: n d P partitions steps [gated|relu] [pattern blocks, default 1] (master from
 * $CVXRELU_MASTER or local[*]).
 */
public final class DistributedScaleBench {
  private DistributedScaleBench() {}

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    int d = Integer.parseInt(args[1]);
    int p = Integer.parseInt(args[2]);
    int partitions = Integer.parseInt(args[3]);
    long steps = Long.parseLong(args[4]);
    Formulation form = args.length > 5 ? Formulation.parse(args[5]) : Formulation.GATED;
    int patternBlocks = args.length > 6 ? Integer.parseInt(args[6]) : 1;
    SplittableRandom r = new SplittableRandom(1);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) {
      x.data()[k] = r.nextGaussian();
    }
    double[] y = new double[n];
    DenseMatrix teacher = new DenseMatrix(d, 8);
    for (int k = 0; k < teacher.data().length; k++) {
      teacher.data()[k] = r.nextGaussian();
    }
    DenseMatrix z = new DenseMatrix(n, 8);
    Blas.gemm(false, false, 1.0, x, teacher, 0.0, z);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 8; j++) {
        y[i] += (j % 2 == 0 ? 1.0 : -1.0) * Math.max(z.get(i, j), 0.0);
      }
      y[i] += 0.1 * r.nextGaussian();
    }
    SignPatterns sp = ProblemSetup.sampled(x, p, 2);
    double beta = 0.01 * ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    String master = System.getenv().getOrDefault("CVXRELU_MASTER", "local[*]");
    SparkSession spark = SparkSession.builder().appName("cvxrelu-distributed-bench")
        .master(master).config("spark.ui.enabled", "false").getOrCreate();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      long t0 = System.nanoTime();
      try (DistributedData data = DistributedData.fromMatrix(sc, x, y, sp.gates(), partitions,
          DistributedData.DEFAULT_BLOCK_ROWS)) {
        double setup = (System.nanoTime() - t0) * 1e-9;
        DistributedProblem dp = new DistributedProblem(data, new SquaredLoss(), beta, form,
            patternBlocks);
        List<IterationRecord> recs = new ArrayList<>();
        SolverOptions o = SolverOptions.DEFAULTS.withMaxIterations(steps);
        SolverResult res = form == Formulation.GATED
            ? new DistributedGatedSolver().solve(dp, o, rec -> recs.add(rec) || true, null, false)
            : new DistributedReluSolver().solve(dp, o, rec -> recs.add(rec) || true, null, false);
        List<IterationRecord> h = res.history();
        IterationRecord first = h.get(0);
        IterationRecord last = h.get(h.size() - 1);
        double perStep = (last.seconds() - first.seconds())
            / Math.max(1, last.innerIterations() - first.innerIterations());
        System.out.printf(Locale.ROOT,
            "n=%d d=%d P=%d %s partitions=%d pattern-blocks=%d blas=%s: setup %.2f s, %d steps in %.2f s,"
                + " %.4f s/step (%.4f s/step overall), gap %.3e (%s); driver peak RSS %.2f GiB%n",
            n, d, sp.count(), form.id(), partitions, dp.patternBlockCount(), Blas.backend(),
            setup, res.iterations(), res.seconds(), perStep,
            res.seconds() / Math.max(1, res.iterations()), res.certificate().relativeGap(),
            res.stopReason(), BenchSuite.peakRssBytes() / (double) (1L << 30));
      }
    } finally {
      spark.stop();
    }
  }
}
