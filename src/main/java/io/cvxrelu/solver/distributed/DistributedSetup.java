package io.cvxrelu.solver.distributed;

import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.train.InvalidSpecException;
import io.cvxrelu.train.ProblemSetup;
import io.cvxrelu.train.TrainingSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@link ProblemSetup}'s program (Pilanci and Ergen 2020, eq. (8)) set up over rows that stay
 * on the executors: the same sign patterns in the same order, the same beta_max and beta, from
 * aggregations of per-gate statistics, so the driver holds the d x P gates and never an n x P
 * mask or a row.
 *
 * <p>Sampling is {@link SignPatterns#sample}'s rule replayed: the driver draws the same gates
 * from the same seed in the same batches, one pass per batch returns for each gate the number
 * of rows it activates and two 64-bit hashes of the set of those rows (sums of per-row hashes of
 * the row's block id and position, so they do not depend on how partials merge), and the driver
 * keeps a gate when its pattern is non-zero and its key is new, as the single-node rule does
 * with the pattern's bits. Two different patterns with equal count and both hashes would be
 * taken as one: a 2^-128 event per pair.
 */
public final class DistributedSetup {
  private DistributedSetup() {}

  /**
   * A program ready for the distributed solvers. Closing releases the row blocks.
   *
   * @param data the design's row blocks (canonical labels, bias column, masks of the gates)
   * @param gates d x P gate vectors of the patterns, in {@link ProblemSetup}'s order
   */
  public record Setup(DistributedData data, DenseMatrix gates, double betaMax, double beta)
      implements AutoCloseable {
    public int patternCount() {
      return gates.cols();
    }

    @Override
    public void close() {
      data.close();
    }
  }

  /** Whether a spec's patterns can be set up without the rows on the driver. */
  public static boolean supports(TrainingSpec spec) {
    TrainingSpec.Patterns p = spec.patterns();
    return !p.all() && p.seedNetworkPath() == null;
  }

  /**
   * The program of {@code spec} on {@code train}, as {@link ProblemSetup#of} makes it on the
   * same rows.
   *
   * @throws DataFormatException as {@link ProblemSetup#of}: labels the loss refuses, one class
   *     for a classifier, gates of another dimension, no non-zero pattern, beta_max = 0
   * @throws InvalidSpecException for enumeration or a seed network (see {@link #supports})
   */
  public static Setup of(TrainingSpec spec, BlockedDataset train,
      ProblemSetup.PatternFiles files) {
    if (!supports(spec)) {
      throw new InvalidSpecException("enumerated patterns and --patterns-from need the rows on "
          + "the driver");
    }
    Loss loss = spec.loss();
    if (loss.isClassification()) {
      ProblemSetup.trainingLabels(loss, DistributedData.labelSet(train.blocks()));
    }
    int d = train.d() + (spec.bias() ? 1 : 0);
    TrainingSpec.Patterns p = spec.patterns();
    DenseMatrix gates = p.gatesPath() != null
        ? fromGates(train.blocks(), spec.bias(), files.gates(p.gatesPath()), p.gatesPath(), d)
        : sampled(train.blocks(), spec.bias(), d, p.count(), spec.seed());
    DistributedData data = DistributedData.fromBlocks(train.blocks(), gates, loss, spec.bias());
    try {
      double betaMax = betaMax(data, loss);
      return new Setup(data, gates, betaMax,
          ProblemSetup.beta(spec.beta(), spec.betaFraction(), betaMax));
    } catch (RuntimeException e) {
      data.close();
      throw e;
    }
  }

  /** {@link ProblemSetup#sampled}: gates g ~ N(0, I) drawn as there, kept as there. */
  static DenseMatrix sampled(JavaRDD<LabeledBlock> rows, boolean bias, int d, int count,
      long seed) {
    return requirePatterns(SignPatterns.sampleGates(d, count, seed,
        ProblemSetup.samplingBudget(count), g -> java.util.Arrays.asList(keys(rows, bias, g)),
        k -> k.active() == 0));
  }

  /** {@link ProblemSetup#fromGates}: duplicates and the all-zero pattern dropped, first kept. */
  static DenseMatrix fromGates(JavaRDD<LabeledBlock> rows, boolean bias, DenseMatrix byRow,
      String source, int d) {
    if (byRow.cols() != d) {
      throw new DataFormatException("gates in " + source + " have dimension " + byRow.cols()
          + " but the design has " + d + " columns" + (bias ? " (features plus bias)" : ""));
    }
    DenseMatrix g = byRow.transpose();
    PatternKey[] keys = keys(rows, bias, g);
    Set<PatternKey> seen = new HashSet<>();
    List<double[]> kept = new ArrayList<>();
    for (int j = 0; j < keys.length; j++) {
      if (keys[j].active() > 0 && seen.add(keys[j])) {
        kept.add(g.column(j));
      }
    }
    return requirePatterns(columns(kept, d));
  }

  private static DenseMatrix requirePatterns(DenseMatrix gates) {
    if (gates.cols() == 0) {
      throw new DataFormatException("no non-zero sign pattern: every gate is inactive on all "
          + "rows");
    }
    return gates;
  }

  private static DenseMatrix columns(List<double[]> kept, int d) {
    DenseMatrix gates = new DenseMatrix(d, kept.size());
    for (int j = 0; j < kept.size(); j++) {
      System.arraycopy(kept.get(j), 0, gates.data(), j * d, d);
    }
    return gates;
  }

  /**
   * A pattern 1[X g &gt; 0] summarised: the rows it activates and two hashes of which.
   */
  record PatternKey(long active, long hash1, long hash2) {}

  /** One pass: the key of each gate's pattern (columns of {@code gates}, d x m). */
  static PatternKey[] keys(JavaRDD<LabeledBlock> rows, boolean bias, DenseMatrix gates) {
    int m = gates.cols();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.context());
    sc.setJobDescription("cvxrelu: sign patterns of " + m + " gates");
    org.apache.spark.broadcast.Broadcast<DenseMatrix> g = sc.broadcast(gates);
    try {
      long[] sums = rows.treeAggregate(new long[3 * m], (acc, b) -> {
        DenseMatrix x = bias ? b.x().withOnesColumn() : b.x();
        byte[] mask = SignPatterns.computeMask(x, g.value());
        int n = x.rows();
        for (int r = 0; r < n; r++) {
          long h1 = mix(mix(b.id()) + r);
          long h2 = mix(h1 ^ 0x2545F4914F6CDD1DL);
          for (int j = 0; j < m; j++) {
            if (mask[j * n + r] != 0) {
              acc[3 * j]++;
              acc[3 * j + 1] += h1;
              acc[3 * j + 2] += h2;
            }
          }
        }
        return acc;
      }, (a, c) -> {
        for (int k = 0; k < a.length; k++) {
          a[k] += c[k];
        }
        return a;
      });
      PatternKey[] keys = new PatternKey[m];
      for (int j = 0; j < m; j++) {
        keys[j] = new PatternKey(sums[3 * j], sums[3 * j + 1], sums[3 * j + 2]);
      }
      return keys;
    } finally {
      g.destroy();
    }
  }

  /** SplitMix64's finaliser: a bijection of 64-bit words that scatters nearby inputs. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * beta_max = max_i ||X^T D_i (-dL/dz at z = 0)||_2 ({@code ConvexReluProblem.betaMax}), the
   * d x P matrix summed over the row blocks in one aggregation.
   */
  static double betaMax(DistributedData data, Loss loss) {
    int p = data.patternCount();
    JavaSparkContext.fromSparkContext(data.blocks().context())
        .setJobDescription("cvxrelu: beta_max");
    DenseMatrix c = OrderedAggregate.aggregate(data.blocks(), new DenseMatrix(data.d(), p),
        (acc, b) -> {
          int n = b.rows();
          double[] grad = new double[n];
          loss.valueAndGradient(new double[n], b.y(), grad);
          DenseMatrix r = new DenseMatrix(n, p);
          byte[] m = b.mask();
          for (int k = 0; k < m.length; k++) {
            r.data()[k] = m[k] != 0 ? -grad[k % n] : 0.0;
          }
          b.addAdjoint(r, acc);
          return acc;
        }, OrderedAggregate::addInto);
    double best = 0.0;
    for (int i = 0; i < p; i++) {
      best = Math.max(best, c.columnNorm(i));
    }
    return best;
  }
}
