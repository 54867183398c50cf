package io.cvxrelu.bench;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.GatedFistaSolver;
import io.cvxrelu.solver.local.SsnalGatedSolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A measurement: relative gap against seconds for SSNAL and FISTA, back to
 * back, on the benchmark's gated target (planted teacher, n = 10,000, d = 100, P = 1,000,
 * beta = 0.01 beta_max, built as {@link BenchSuite} builds it), with the load average before
 * each run. Run with {@code OPENBLAS_NUM_THREADS=1} so that the kernels use both cores.
 *
 * <p>Usage: {@code SsnalVersusFistaMeasurement [maxSeconds] [ssnal|fista|both] [sigma0 growth
 * sigmaMax]}
 */
public final class SsnalVersusFistaMeasurement {
  private SsnalVersusFistaMeasurement() {}

  public static void main(String[] args) throws IOException {
    double cap = args.length > 0 ? Double.parseDouble(args[0]) : 60.0;
    String which = args.length > 1 ? args[1] : "both";
    int n = Integer.getInteger("cvxrelu.n", 10_000);
    LabeledData syn = ScaleBench.plantedTeacher(n, Integer.getInteger("cvxrelu.d", 100), 0);
    SignPatterns patterns = SignPatterns.sample(syn.x(), Integer.getInteger("cvxrelu.P", 1_000),
        1, 50_000);
    double betaMax = ConvexReluProblem.betaMax(syn.x(), syn.y(), patterns, new SquaredLoss());
    ConvexReluProblem problem = new ConvexReluProblem(syn.x(), syn.y(), patterns,
        new SquaredLoss(), 0.01 * betaMax, Formulation.GATED);
    SolverOptions options = new SolverOptions(1e-6, 1e-9, 10_000_000, cap);
    if (!which.equals("fista")) {
      SsnalGatedSolver ssnal = args.length > 4
          ? new SsnalGatedSolver(Double.parseDouble(args[2]), Double.parseDouble(args[3]),
              Double.parseDouble(args[4]))
          : new SsnalGatedSolver();
      SolverResult r = run("ssnal", ssnal, problem, options);
      System.out.println("ssnal Newton steps " + r.iterations() + ", CG steps "
          + r.history().get(r.history().size() - 1).innerIterations());
    }
    if (!which.equals("ssnal")) {
      run("fista", new GatedFistaSolver(), problem, options);
    }
  }

  private static SolverResult run(String name, ConvexSolver solver, ConvexReluProblem problem,
      SolverOptions options) throws IOException {
    System.out.println(name + " load " + load());
    double[] first = {Double.NaN, Double.NaN};
    SolverResult r = solver.solve(problem, null, options, rec -> {
      note(rec, first);
      return true;
    });
    for (IterationRecord rec : r.history()) {
      note(rec, first);
    }
    for (IterationRecord rec : r.history()) {
      if (name.equals("ssnal") || rec.iteration() % 50 == 0) {
        System.out.printf(Locale.ROOT, "%s it %d inner %d gap %.3e obj %.10e t %.2f%n", name,
            rec.iteration(), rec.innerIterations(), rec.relativeGap(), rec.objective(),
            rec.seconds());
      }
    }
    System.out.printf(Locale.ROOT,
        "%s stop %s gap %.3e seconds %.2f iterations %d; first 1e-4 at %.2f s, 1e-6 at %.2f s;"
            + " load after %s%n", name, r.stopReason(), r.certificate().relativeGap(),
        r.seconds(), r.iterations(), first[0], first[1], load());
    return r;
  }

  private static void note(IterationRecord rec, double[] first) {
    if (Double.isNaN(first[0]) && rec.relativeGap() <= 1e-4) {
      first[0] = rec.seconds();
    }
    if (Double.isNaN(first[1]) && rec.relativeGap() <= 1e-6) {
      first[1] = rec.seconds();
    }
  }

  private static String load() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
