package io.cvxrelu.scratch;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import io.cvxrelu.train.RegularisationPath;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PathProbeTest {
  @Test
  void probe() {
    int n = Integer.getInteger("n", 4000), d = Integer.getInteger("d", 50), P = Integer.getInteger("P", 400);
    SplittableRandom r = new SplittableRandom(11);
    DenseMatrix x = new DenseMatrix(n, d);
    for (int k = 0; k < x.data().length; k++) x.data()[k] = r.nextGaussian();
    int m = 10;
    double[][] u = new double[m][d];
    double[] a = new double[m];
    for (int j = 0; j < m; j++) { for (int k = 0; k < d; k++) u[j][k] = r.nextGaussian() / Math.sqrt(d); a[j] = r.nextGaussian(); }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < m; j++) { double z = 0; for (int k = 0; k < d; k++) z += x.get(i, k) * u[j][k]; s += Math.max(z, 0) * a[j]; } y[i] = s + 0.1 * r.nextGaussian(); }
    SignPatterns sp = SignPatterns.sample(x, P, 1, 10_000);
    ConvexReluProblem base = new ConvexReluProblem(x, y, sp, new SquaredLoss(), 1.0, Formulation.GATED);
    double betaMax = ConvexReluProblem.betaMax(x, y, sp, new SquaredLoss());
    SolverOptions o = new SolverOptions(1e-6, 1e-9, 400_000, 600.0);
    double[] fr = RegularisationPath.grid(10);
    for (String mode : System.getProperty("modes", "none,1e-2,1e-1").split(",")) {
      System.setProperty("cvxrelu.warmSigma", mode);
      long t = System.nanoTime();
      List<RegularisationPath.Point> pts = RegularisationPath.solve(base, betaMax, fr, o, b -> IterationListener.NONE);
      double total = (System.nanoTime() - t) * 1e-9;
      long newton = 0, cg = 0;
      StringBuilder sb = new StringBuilder();
      for (RegularisationPath.Point pt : pts) {
        SolverResult res = pt.result();
        newton += res.iterations();
        long c = res.history().isEmpty() ? 0 : res.history().get(res.history().size() - 1).innerIterations();
        cg += c;
        sb.append(String.format(" %d/%d/%.1fs/%s", res.iterations(), c, res.seconds(), res.stopReason().name().charAt(0)));
      }
      System.out.printf("PROBE mode=%s total=%.1fs newton=%d cg=%d :%s%n", mode, total, newton, cg, sb);
    }
    ConvexReluProblem last = base.with(fr[fr.length - 1] * betaMax, Formulation.GATED);
    long t = System.nanoTime();
    SolverResult cold = new SsnalGatedSolver().solve(last, null, o, IterationListener.NONE);
    long c = cold.history().get(cold.history().size() - 1).innerIterations();
    System.out.printf("PROBE cold at %.4f: %.1fs newton=%d cg=%d %s gap=%.1e%n", fr[fr.length - 1], (System.nanoTime() - t) * 1e-9, cold.iterations(), c, cold.stopReason(), cold.certificate().relativeGap());
  }
}
