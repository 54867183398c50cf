package io.cvxrelu.job;

import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.DistributedInput;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.model.ConvexReluModel;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.report.ProgressLogger;
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.solver.distributed.DistributedSetup;
import io.cvxrelu.solver.distributed.DistributedTraining;
import io.cvxrelu.solver.distributed.OrderedAggregate;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.SolverChoice;
import io.cvxrelu.train.TrainingSpec;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaRDD;

/**
 * train-convex when the program is solved on the executors and nothing needs the rows on the
 * driver: the data are read there into cached blocks ({@link DistributedInput}), the program
 * is set up there ({@link DistributedSetup}), solved over the blocks, and the fit reported in
 * summary.json is aggregated there. The driver holds the gates, the weights and Gram-sized
 * statistics, never a row.
 *
 * <p>Options that need the rows on the driver keep the driver's path ({@link DataLoader},
 * {@link ProblemSetup}, {@link ConvexRun}): enumerating every pattern ({@code --patterns
 * all}), pattern generation, a seed network's patterns ({@code --patterns-from}, whose warm
 * start is built from the rows) and {@code --certify-all true} (the arrangement's cells are
 * enumerated from the rows).
 */
final class ExecutorInputRun {
  private static final Logger LOG = LogManager.getLogger(ExecutorInputRun.class);

  private ExecutorInputRun() {}

  /**
   * Whether {@code spec} on {@code master} is solved on the executors whatever the data's size
   * and needs no row on the driver.
   */
  static boolean applies(TrainingSpec spec, String master) {
    return SolverChoice.distributedForAnyRows(spec, master) && !spec.generation().enabled()
        && DistributedSetup.supports(spec)
        && spec.certifyAll() != TrainingSpec.CertifyAll.TRUE;
  }

  /**
   * Reads, sets up, solves and evaluates; an executor's parse error surfaces as its one-line
   * {@link DataFormatException} however Spark wrapped it.
   */
  static ConvexRun.Trained train(JobContext job, JobOptions opts, TrainingSpec spec,
      String checkpointDir) {
    try {
      return readAndSolve(job, opts, spec, checkpointDir);
    } catch (Exception e) {
      // Scala throws the checked SparkException undeclared: a task that re-reads a lost
      // cached block can meet the bad record later than the read did.
      Optional<DataFormatException> data = DistributedInput.unwrap(e);
      if (data.isPresent()) {
        throw data.get();
      }
      throw e;
    }
  }

  private static ConvexRun.Trained readAndSolve(JobContext job, JobOptions opts,
      TrainingSpec spec, String checkpointDir) {
    job.describe("cvxrelu: read data");
    try (DistributedInput.Loaded data = load(job, opts, spec);
        DistributedSetup.Setup setup = DistributedSetup.of(spec, data.train(),
            new PatternInputs(job.io()))) {
      LOG.info("problem: n={} d={} P={} model={} loss={} beta={} (beta_max={})",
          setup.data().n(), setup.data().d(), setup.patternCount(), spec.formulation().id(),
          spec.loss().name(), setup.beta(), setup.betaMax());
      ProgressLogger progress = new ProgressLogger(spec.solverOptions().tolerance(),
          new SolverChoice(true, false).progressSeconds());
      DistributedTraining.Outcome o = ConvexRun.onBlocks(job, spec, setup, progress,
          checkpointDir);
      ConvexReluModel model = new ConvexReluModel(spec.formulation(), spec.loss().name(),
          setup.beta(), spec.bias(), setup.gates(), o.result().weights());
      ConvexOutputs.Fit fit = fit(job, spec, model, setup, data);
      return new ConvexRun.Trained(ConvexOutputs.withPreprocessing(ConvexOutputs.files(spec,
          model, o.result(), o.solverName(), fit), data.transform()), o.result(),
          o.solverName(), true);
    }
  }

  private static DistributedInput.Loaded load(JobContext job, JobOptions opts,
      TrainingSpec spec) {
    try {
      return DistributedInput.load(job.spark(), DataLoader.spec(opts,
          ConvexRun.partitions(job, spec.distributed())));
    } catch (IllegalArgumentException e) {
      // load's own usage errors: classes with a text format, an unknown class, k outside 1..d.
      throw new UsageException(e.getMessage());
    }
  }

  /** The fit of summary.json: one aggregation over the training blocks, one over the test. */
  private static ConvexOutputs.Fit fit(JobContext job, TrainingSpec spec, ConvexReluModel model,
      DistributedSetup.Setup setup, DistributedInput.Loaded data) {
    job.describe("cvxrelu: evaluate");
    Loss loss = spec.loss();
    ModelParts parts = new ModelParts(model);
    DistributedData train = setup.data();
    double[] t = sums(train.blocks().map(b -> parts.sums(loss, b.x(), b.y())));
    boolean classification = t[NOT_PLUS_MINUS_ONE] == 0.0;
    Double test = null;
    if (data.test().isPresent()) {
      BlockedDataset testData = data.test().get();
      if (loss.isClassification()) {
        // The whole set decides the coding; a block's own recoding then agrees with it.
        ProblemSetup.labels(loss, DistributedData.labelSet(testData.blocks()), "test data");
      }
      double[] s = sums(testData.blocks().map(b -> parts.sums(loss,
          parts.model().design(b.x()), loss.canonicalLabels(b.y()))));
      if (!classification) {
        test = s[SQUARED_ERROR] / s[ROWS];
      } else if (s[NOT_PLUS_MINUS_ONE] == 0.0) {
        test = s[CORRECT] / s[ROWS];
      }
    }
    double trainFit = classification ? t[CORRECT] / t[ROWS] : t[SQUARED_ERROR] / t[ROWS];
    double objective = t[LOSS] + 0.5 * model.beta() * model.network().squaredNorm();
    return new ConvexOutputs.Fit(train.n(), data.train().d(), setup.betaMax(), t[LARGEST_LABEL],
        objective, classification, trainFit, test);
  }

  private static final int ROWS = 0;
  private static final int LOSS = 1;
  private static final int CORRECT = 2;
  private static final int SQUARED_ERROR = 3;
  private static final int LARGEST_LABEL = 4;
  private static final int NOT_PLUS_MINUS_ONE = 5;

  /**
   * The blocks' sums merged in block order (not in the order tasks finish), so that the same
   * blocks give the same metric bits on every run.
   */
  private static double[] sums(JavaRDD<double[]> perBlock) {
    return OrderedAggregate.aggregate(perBlock, new double[0], ExecutorInputRun::merge,
        ExecutorInputRun::merge);
  }

  /** a merged with b (the empty array is the zero): sums, and the max of the largest label. */
  private static double[] merge(double[] a, double[] b) {
    if (a.length == 0) {
      return b.clone();
    }
    if (b.length == 0) {
      return a;
    }
    for (int k = 0; k < a.length; k++) {
      a[k] = k == LARGEST_LABEL ? Math.max(a[k], b[k]) : a[k] + b[k];
    }
    return a;
  }

  /**
   * A model's parts, shipped to the executors ({@link ConvexReluModel} is not serialisable),
   * where each block's sums are taken.
   */
  private record ModelParts(Formulation formulation, String loss, double beta, boolean bias,
      DenseMatrix gates, DenseMatrix weights) implements java.io.Serializable {
    ModelParts(ConvexReluModel m) {
      this(m.formulation(), m.loss(), m.beta(), m.bias(), m.gates(), m.weights());
    }

    ConvexReluModel model() {
      return new ConvexReluModel(formulation, loss, beta, bias, gates, weights);
    }

    /**
     * {rows, loss, rows classified right, squared error, max |y|, labels not +-1} of one block
     * of the design and its canonical labels, with the definitions of {@code model.Metrics}.
     */
    double[] sums(Loss l, DenseMatrix design, double[] y) {
      double[] pred = model().predictDesign(design);
      double[] s = new double[6];
      s[ROWS] = y.length;
      s[LOSS] = l.value(pred, y);
      for (int i = 0; i < y.length; i++) {
        s[CORRECT] += (pred[i] > 0.0 ? 1.0 : -1.0) == y[i] ? 1 : 0;
        double r = pred[i] - y[i];
        s[SQUARED_ERROR] += r * r;
        s[LARGEST_LABEL] = Math.max(s[LARGEST_LABEL], Math.abs(y[i]));
        s[NOT_PLUS_MINUS_ONE] += y[i] == 1.0 || y[i] == -1.0 ? 0 : 1;
      }
      return s;
    }
  }
}
