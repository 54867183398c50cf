package io.cvxrelu.job;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.io.NetworkCsv;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.ReluNetwork;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.ConvexReluProblem;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.report.AccuracyHistory;
import io.cvxrelu.report.ComparisonReport;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.sgd.distributed.DistributedSgd.InitRun;
import io.cvxrelu.solver.Certification;
import io.cvxrelu.solver.ConvexSolver;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.SolverChoice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The rows of the comparison report (Pilanci and Ergen 2020, Figs. 2 and 5): convex solves on
 * the driver with their accuracy histories, the polish of the best SGD network, and the
 * report's view of each convex and SGD run.
 */
final class ComparisonRuns {
  private static final Logger LOG = LogManager.getLogger(ComparisonRuns.class);

  private ComparisonRuns() {}

  /** A convex solve with its solver's name, its accuracy history and its report row. */
  record Solved(ConvexReluProblem problem, SolverResult result, String solverName,
      AccuracyHistory history, ComparisonReport.Run run) {}

  /**
   * The polish row: the solve, the report's statement comparing it with the network it started
   * from, and its settings line.
   */
  record Polished(Solved solved, String check, String setting, int sgdInit,
      double startObjective) {}

  /**
   * Solves {@code problem} on the driver from {@code warmStart} (null: zero), with train and
   * test accuracy at each certificate row.
   *
   * @param test raw test features and labels (null when none); {@code yTest} its labels
   */
  static Solved solve(String name, ConvexReluProblem problem, SolverOptions options,
      boolean bias, LabeledData test, double[] yTest, DenseMatrix warmStart) {
    AccuracyHistory accuracy = new AccuracyHistory(
        new ProgressLogger(options.tolerance(), 2.0), problem.formulation(),
        problem.loss().name(), problem.beta(), bias, problem.patterns().gates(), problem.x(),
        problem.y(), test, yTest);
    ConvexSolver solver = SolverChoice.local(problem);
    SolverResult result = solver.solve(problem, warmStart, options, accuracy);
    LOG.info("{}: {} after {} steps, {} s, objective {}, gap {}", name, result.stopReason(),
        result.iterations(), String.format(Locale.ROOT, "%.1f", result.seconds()),
        result.certificate().objective(), result.certificate().relativeGap());
    return new Solved(problem, result, SolverChoice.algorithm(problem).getSimpleName(), accuracy,
        ComparisonReport.Run.convex(name, result, options,
            Certification.labelScale(problem.y()), accuracy));
  }

  /** The run with the lowest final objective (the first of equals). */
  static InitRun best(List<InitRun> runs) {
    InitRun best = runs.get(0);
    for (InitRun r : runs) {
      if (r.finalObjective() < best.finalObjective()) {
        best = r;
      }
    }
    return best;
  }

  /**
   * The convex program over {@code seed}'s own neuron patterns plus the sampled ones of
   * {@code setup}, solved from that network: its optimum is at most the network's objective
   * (ReluNetwork#convexWeights), so a budgeted solve polishes it.
   */
  static Polished polish(InitRun seed, ProblemSetup.Setup setup, Formulation formulation,
      SolverOptions options, double seconds, boolean bias, LabeledData test) {
    DenseMatrix x = setup.x();
    ReluNetwork net;
    try {
      net = NetworkCsv.read(new BufferedReader(new StringReader(seed.networkCsv())),
          "SGD init " + seed.init(), x.cols());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read back SGD init " + seed.init(), e);
    }
    SignPatterns sampled = setup.patterns();
    SignPatterns patterns = ProblemSetup.withNeuronPatterns(x, net, sampled);
    ConvexReluProblem problem = new ConvexReluProblem(x, setup.y(), patterns,
        setup.problem().loss(), setup.beta(), formulation);
    double start = net.objective(x, setup.y(), problem.loss(), setup.beta());
    String program = formulation == Formulation.RELU ? "ReLU program" : "gated program";
    LOG.info("polish: {} over SGD init {}'s {} neuron patterns and {} sampled (P = {}),"
        + " from its objective {}", program, seed.init(), net.width(), sampled.count(),
        patterns.count(), start);
    SolverOptions budget = new SolverOptions(options.tolerance(),
        options.feasibilityTolerance(), options.maxIterations(), seconds);
    Solved solved = solve("convex polish of SGD init " + seed.init() + " ("
        + formulation.id() + ")", problem, budget, bias, test, setup.yTest(),
        net.convexWeights(x, patterns, formulation));
    ConvexReluModel model = new ConvexReluModel(formulation, problem.loss().name(),
        setup.beta(), bias, patterns.gates(), solved.result().weights());
    double network = model.nonconvexObjective(x, setup.y(), problem.loss());
    ComparisonReport.Run r = solved.run();
    // The report compares networks: its objective is the recovered network's (equal to the
    // convex one when the cone constraints hold exactly; for the gated program the gated
    // network's, whose gates are the SGD neurons and the sampled ones).
    ComparisonReport.Run run = r.withFinalObjective(network);
    String what = formulation == Formulation.RELU
        ? "the network recovered from the ReLU program over SGD init %d's patterns"
        : "the gated network of the gated program whose gates include SGD init %d's neurons";
    String check = String.format(Locale.ROOT, "Polish: " + what + " has objective %.6g "
        + "against that init's %.6g (%s); gap %s over its %d patterns.",
        seed.init(), network, start, network <= start ? "no worse" : "WORSE", r.gapCell(),
        patterns.count());
    return new Polished(new Solved(problem, solved.result(), solved.solverName(),
        solved.history(), run), check, String.format(Locale.ROOT, "%s over the %d neuron "
            + "patterns of SGD init %d plus the %d sampled ones, warm-started at that network, "
            + "budget %.0f s", program, net.width(), seed.init(), sampled.count(), seconds),
        seed.init(), start);
  }

  /** An SGD initialisation's report row, grouped by width when several widths ran. */
  static ComparisonReport.Run sgdRun(InitRun r, int neurons, boolean manyWidths) {
    List<double[]> rows = Arrays.asList(r.rows());
    double[] last = r.last();
    String group = manyWidths ? "SGD m = " + neurons : "SGD";
    // Epoch rows: epoch, samples, objective, train and test accuracy, seconds.
    return new ComparisonReport.Run(group + " init " + r.init(), group, neurons,
        column(rows, 0), column(rows, 5), column(rows, 2), column(rows, 4), last[2], Double.NaN,
        last[3], last[4], last[5]);
  }

  private static double[] column(List<double[]> rows, int j) {
    double[] c = new double[rows.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = rows.get(i)[j];
    }
    return c;
  }
}
