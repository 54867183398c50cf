package io.cvxrelu.report;

import io.cvxrelu.io.LabeledData;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.model.Metrics;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.IterationRecord;
import io.cvxrelu.solver.SolverResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Train and test accuracy of the convex model at every certificate row of a solve, so the
 * history can be plotted against SGD's per-epoch accuracy (Pilanci and Ergen 2020, Fig. 5).
 * The weights at a row are read off as the job's final model would be (the recovered ReLU
 * network, or the gated network), so the last row matches summary.json.
 *
 * <p>Wraps another listener (the progress logger) and forwards every call to it. Accuracies
 * are kept only when the labels are ±1, and only for the rows whose evaluation keeps the total
 * evaluation time within {@link #MAX_OVERHEAD} of the solve's (every row on small problems, a
 * thinning, roughly log-spaced subset on large ones); the last row is always evaluated.
 * Elsewhere the columns stay empty.
 */
public final class AccuracyHistory implements IterationListener {
  /** Columns appended to {@link IterationRecord#CSV_HEADER}. */
  static final String COLUMNS = "trainAccuracy,testAccuracy";

  private final IterationListener delegate;
  private final Formulation formulation;
  private final String loss;
  private final double beta;
  private final boolean bias;
  private final DenseMatrix gates;
  private final DenseMatrix design;
  private final double[] y;
  private final LabeledData test;
  private final double[] yTest;
  private final boolean classification;
  private final List<IterationRecord> rows = new ArrayList<>();
  private final List<double[]> accuracies = new ArrayList<>();
  private double evaluationSeconds;
  /** Largest share of the solve's time spent on accuracy evaluations. */
  static final double MAX_OVERHEAD = 0.1;

  /**
   * @param design training design matrix (bias column included when {@code bias})
   * @param test raw test features and labels (null when none); {@code yTest} its ±1 labels
   */
  public AccuracyHistory(IterationListener delegate, Formulation formulation, String loss, double beta,
      boolean bias, DenseMatrix gates, DenseMatrix design, double[] y, LabeledData test,
      double[] yTest) {
    this.delegate = delegate;
    this.formulation = formulation;
    this.loss = loss;
    this.beta = beta;
    this.bias = bias;
    this.gates = gates;
    this.design = design;
    this.y = y;
    this.test = test;
    this.yTest = yTest;
    this.classification = Metrics.isPlusMinusOne(y)
        && (yTest == null || Metrics.isPlusMinusOne(yTest));
  }

  @Override
  public boolean onIteration(IterationRecord record) {
    return delegate.onIteration(record);
  }

  @Override
  public boolean onIteration(IterationRecord record, DenseMatrix weights) {
    // Each evaluation costs about one solver step (a GEMM over the training rows); rows are
    // evaluated while that cost stays within a tenth of the solve, so large problems get a
    // log-spaced subset of rows and the others are left empty.
    if (classification && evaluationSeconds <= MAX_OVERHEAD * record.seconds()) {
      long start = System.nanoTime();
      rows.add(record);
      accuracies.add(evaluate(weights));
      evaluationSeconds += (System.nanoTime() - start) * 1e-9;
    }
    return delegate.onIteration(record, weights);
  }

  private double[] evaluate(DenseMatrix weights) {
    ConvexReluModel m = new ConvexReluModel(formulation, loss, beta, bias, gates, weights);
    double train = Metrics.accuracy(m.predictDesign(design), y);
    double testAcc = test == null ? Double.NaN : Metrics.accuracy(m.predict(test.x()),
        yTest);
    return new double[] {train, testAcc};
  }

  /**
   * The solver's rows with their accuracies: {innerIterations, objective, lowerBound,
   * relativeGap, seconds, trainAccuracy, testAccuracy} (NaN where an accuracy does not
   * apply). A final row the solver did not show the listener (it stops on convergence first)
   * is evaluated at the returned weights.
   */
  public List<double[]> rows(SolverResult result) {
    List<double[]> out = new ArrayList<>();
    List<IterationRecord> history = result.history();
    int k = 0;
    for (int r = 0; r < history.size(); r++) {
      IterationRecord rec = history.get(r);
      double[] acc = {Double.NaN, Double.NaN};
      if (k < rows.size() && rows.get(k) == rec) {
        acc = accuracies.get(k++);
      } else if (classification && r == history.size() - 1) {
        acc = evaluate(result.weights());
      }
      out.add(new double[] {rec.innerIterations(), rec.objective(), rec.lowerBound(),
          rec.relativeGap(), rec.seconds(), acc[0], acc[1]});
    }
    return out;
  }

  /** history.csv: the solver's rows with the accuracies appended (empty where n/a). */
  public String csv(SolverResult result) {
    StringBuilder sb = new StringBuilder(IterationRecord.CSV_HEADER).append(',')
        .append(COLUMNS).append('\n');
    List<IterationRecord> history = result.history();
    List<double[]> withAccuracy = rows(result);
    for (int r = 0; r < history.size(); r++) {
      double[] row = withAccuracy.get(r);
      sb.append(history.get(r).toCsv()).append(',').append(field(row[5])).append(',')
          .append(field(row[6])).append('\n');
    }
    return sb.toString();
  }

  private static String field(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}
