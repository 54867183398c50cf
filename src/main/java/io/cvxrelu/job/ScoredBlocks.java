package io.cvxrelu.job;

import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.scoring.ScoreSums;
import io.cvxrelu.scoring.Scorer;
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.train.ProblemSetup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A data set scored on the executors: the {@link Scorer} is broadcast once, each cached row
 * block is scored with the model's GEMMs (one pass over the data, as a training pass), and the
 * outputs are kept per block (n doubles) for both the prediction rows and the metrics. Closing
 * drops the scores and destroys the broadcast, which a lost cached block's recomputation still
 * reads until then.
 *
 * <p>Each row gets its position in the input ({@code row}, 0-based, in file order: block ids
 * follow the files, and a block's first row is the sum of the rows of the blocks before it).
 */
final class ScoredBlocks implements AutoCloseable {
  /** The prediction columns, in order; {@code probability} for logistic models only. */
  static final String ROW = "row";
  static final String LABEL = "label";
  static final String OUTPUT = "output";
  static final String PREDICTION = "prediction";
  static final String PROBABILITY = "probability";

  private final Broadcast<Scorer> scorer;
  private final JavaRDD<Scored> scored;
  private final boolean probabilistic;

  private ScoredBlocks(Broadcast<Scorer> scorer, JavaRDD<Scored> scored, boolean probabilistic) {
    this.scorer = scorer;
    this.scored = scored;
    this.probabilistic = probabilistic;
  }

  /** One scored block: the position of its first row, its labels and outputs f(x). */
  private static final class Scored implements Serializable {
    private static final long serialVersionUID = 1L;
    final long firstRow;
    final double[] y;
    final double[] f;

    Scored(long firstRow, double[] y, double[] f) {
      this.firstRow = firstRow;
      this.y = y;
      this.f = f;
    }
  }

  /**
   * Scores {@code data}. A classifier's labels are checked as a whole first, as train-convex
   * checks its test labels (a block's own recoding then agrees with the whole set's).
   */
  static ScoredBlocks score(BlockedDataset data, Scorer model) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.blocks().context());
    Loss loss = Loss.forName(model.model().loss());
    if (loss.isClassification()) {
      ProblemSetup.labels(loss, DistributedData.labelSet(data.blocks()), "data");
    }
    sc.setJobDescription("cvxrelu: count rows per block");
    Map<Long, Long> firstRows = firstRows(data.blocks().map(b -> new long[] {b.id(), b.rows()})
        .collect());
    Broadcast<Scorer> b = sc.broadcast(model);
    JavaRDD<Scored> scored = data.blocks().map((LabeledBlock block) -> new Scored(
        firstRows.get(block.id()), block.y(), b.value().outputs(block.x())));
    scored.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    return new ScoredBlocks(b, scored, model.probabilistic());
  }

  /** Block id to the input position of its first row. */
  private static Map<Long, Long> firstRows(List<long[]> idsAndRows) {
    List<long[]> sorted = new ArrayList<>(idsAndRows);
    sorted.sort((a, c) -> Long.compare(a[0], c[0]));
    Map<Long, Long> out = new HashMap<>();
    long next = 0;
    for (long[] r : sorted) {
      out.put(r[0], next);
      next += r[1];
    }
    return out;
  }

  /**
   * The metric sums over every block: a block's sums, then a tree of merges (the order in which
   * train-convex sums its test rows, so the numbers agree to the last bit).
   */
  ScoreSums sums() {
    Broadcast<Scorer> b = scorer;
    scored.context().setJobDescription("cvxrelu: score");
    return scored.map(s -> {
      Loss loss = Loss.forName(b.value().model().loss());
      return new ScoreSums().add(s.f, loss.canonicalLabels(s.y), loss);
    }).treeReduce(ScoreSums::merge);
  }

  /** The schema of {@link #rows}. */
  StructType schema() {
    StructType s = new StructType().add(ROW, DataTypes.LongType, false)
        .add(LABEL, DataTypes.DoubleType, false).add(OUTPUT, DataTypes.DoubleType, false)
        .add(PREDICTION, DataTypes.DoubleType, false);
    return probabilistic ? s.add(PROBABILITY, DataTypes.DoubleType, false) : s;
  }

  /** One row per input row: position, label, f(x), prediction and (logistic) probability. */
  Dataset<Row> rows(SparkSession spark) {
    Broadcast<Scorer> b = scorer;
    boolean withProbability = probabilistic;
    JavaRDD<Row> rows = scored.flatMap(s -> {
      Scorer m = b.value();
      List<Row> out = new ArrayList<>(s.f.length);
      for (int i = 0; i < s.f.length; i++) {
        double f = s.f[i];
        out.add(withProbability
            ? RowFactory.create(s.firstRow + i, s.y[i], f, m.prediction(f), Scorer.probability(f))
            : RowFactory.create(s.firstRow + i, s.y[i], f, m.prediction(f)));
      }
      return out.iterator();
    });
    return spark.createDataFrame(rows, schema());
  }

  @Override
  public void close() {
    scored.unpersist(false);
    scorer.destroy();
  }
}
