package io.cvxrelu.job;

import io.cvxrelu.data.BlockedDataset;
import io.cvxrelu.data.IdentifiedInput;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.scoring.ScoreSums;
import io.cvxrelu.scoring.Scorer;
import io.cvxrelu.solver.distributed.DistributedData;
import io.cvxrelu.solver.distributed.OrderedAggregate;
import io.cvxrelu.train.ProblemSetup;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
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
 * follow the files, and a block's first row is the sum of the rows of the blocks before it,
 * from the blocks' row counts alone). Input read with identifier columns ({@link
 * IdentifiedInput}) keeps those instead, each block carrying its rows' values.
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
  /** The identifier columns' schema; null when rows are identified by {@code row}. */
  private final StructType ids;

  private ScoredBlocks(Broadcast<Scorer> scorer, JavaRDD<Scored> scored, boolean probabilistic,
      StructType ids) {
    this.scorer = scorer;
    this.scored = scored;
    this.probabilistic = probabilistic;
    this.ids = ids;
  }

  /**
   * One scored block: the position of its first row or its rows' identifier values, its labels
   * and outputs f(x).
   */
  private static final class Scored implements Serializable {
    private static final long serialVersionUID = 1L;
    final long firstRow;
    final Row[] ids;
    final double[] y;
    final double[] f;

    Scored(long firstRow, Row[] ids, double[] y, double[] f) {
      this.firstRow = firstRow;
      this.ids = ids;
      this.y = y;
      this.f = f;
    }
  }

  /**
   * Scores {@code data}. A classifier's labels are checked as a whole first, as train-convex
   * checks its test labels (a block's own recoding then agrees with the whole set's).
   */
  static ScoredBlocks score(BlockedDataset data, Scorer model) {
    JavaSparkContext sc = checkLabels(data.blocks(), model);
    sc.setJobDescription("cvxrelu: count rows per block");
    // One (id, rows) pair per block reaches the driver, never a row.
    Map<Long, Long> firstRows = firstRows(data.blocks().map(b -> new long[] {b.id(), b.rows()})
        .collect());
    Broadcast<Scorer> b = sc.broadcast(model);
    JavaRDD<Scored> scored = data.blocks().map((LabeledBlock block) -> new Scored(
        firstRows.get(block.id()), null, block.y(), b.value().outputs(block.x())));
    return persisted(b, scored, model, null);
  }

  /** Scores rows read with identifier columns, which the prediction rows keep. */
  static ScoredBlocks score(IdentifiedInput.Identified data, Scorer model) {
    JavaSparkContext sc = checkLabels(data.blocks().map(IdentifiedInput.IdentifiedBlock::block),
        model);
    Broadcast<Scorer> b = sc.broadcast(model);
    JavaRDD<Scored> scored = data.blocks().map(block -> new Scored(-1, block.ids(),
        block.block().y(), b.value().outputs(block.block().x())));
    return persisted(b, scored, model, data.idSchema());
  }

  private static JavaSparkContext checkLabels(JavaRDD<LabeledBlock> blocks, Scorer model) {
    Loss loss = Loss.forName(model.model().loss());
    if (loss.isClassification()) {
      ProblemSetup.labels(loss, DistributedData.labelSet(blocks), "data");
    }
    return JavaSparkContext.fromSparkContext(blocks.context());
  }

  private static ScoredBlocks persisted(Broadcast<Scorer> b, JavaRDD<Scored> scored,
      Scorer model, StructType ids) {
    scored.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    return new ScoredBlocks(b, scored, model.probabilistic(), ids);
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
    // Merged in block order, not in the order tasks finish (treeReduce): the same blocks give
    // the same metric bits on every run.
    return OrderedAggregate.aggregate(scored, new ScoreSums(), (acc, s) -> {
      Loss loss = Loss.forName(b.value().model().loss());
      return acc.add(s.f, loss.canonicalLabels(s.y), loss);
    }, ScoreSums::merge);
  }

  /** The schema of {@link #rows}. */
  StructType schema() {
    return schema(ids, probabilistic);
  }

  /**
   * The prediction rows' schema: the identifier columns {@code ids} (null: {@code row}), then
   * label, output, prediction and, for a {@code probabilistic} model, probability.
   */
  static StructType schema(StructType ids, boolean probabilistic) {
    StructType s = ids != null ? ids : new StructType().add(ROW, DataTypes.LongType, false);
    s = s.add(LABEL, DataTypes.DoubleType, false).add(OUTPUT, DataTypes.DoubleType, false)
        .add(PREDICTION, DataTypes.DoubleType, false);
    return probabilistic ? s.add(PROBABILITY, DataTypes.DoubleType, false) : s;
  }

  /**
   * One row per input row: its identifier values or position, label, f(x), prediction and
   * (logistic) probability.
   */
  Dataset<Row> rows(SparkSession spark) {
    Broadcast<Scorer> b = scorer;
    boolean withProbability = probabilistic;
    int idCount = ids != null ? ids.size() : 1;
    JavaRDD<Row> rows = scored.flatMap(s -> {
      Scorer m = b.value();
      List<Row> out = new ArrayList<>(s.f.length);
      for (int i = 0; i < s.f.length; i++) {
        double f = s.f[i];
        Object[] values = new Object[idCount + (withProbability ? 4 : 3)];
        if (s.ids != null) {
          for (int k = 0; k < idCount; k++) {
            values[k] = s.ids[i].get(k);
          }
        } else {
          values[0] = s.firstRow + i;
        }
        values[idCount] = s.y[i];
        values[idCount + 1] = f;
        values[idCount + 2] = m.prediction(f);
        if (withProbability) {
          values[idCount + 3] = Scorer.probability(f);
        }
        out.add(RowFactory.create(values));
      }
      return out.iterator();
    });
    return spark.createDataFrame(rows, schema());
  }

  /**
   * Writes {@link #rows} to the folder {@code dir} as Parquet by column
   * ({@link PredictionParquet}), one part file per partition, when the rows are named by their
   * position; returns false, having written nothing, for rows with identifier columns or a
   * {@code settings} of null (Spark's writer then writes them). Each task's file carries its
   * attempt number; the files of attempts whose result did not reach the driver (a failed or
   * lost speculative attempt) are deleted before this returns.
   */
  boolean writeParquet(String dir, PredictionParquet.Settings settings) {
    if (ids != null || settings == null) {
      return false;
    }
    Broadcast<Scorer> b = scorer;
    String job = UUID.randomUUID().toString();
    try {
      Path folder = new Path(dir);
      FileSystem fs = folder.getFileSystem(settings.configuration());
      if (!fs.mkdirs(folder)) {
        throw new IOException("cannot create " + dir);
      }
      // Spark's file suffix: ".snappy.parquet", ".parquet" uncompressed.
      String suffix = PredictionParquet.codecOf(settings.codec()).getExtension() + ".parquet";
      List<String> written = scored.mapPartitionsWithIndex((partition, blocks) -> {
        String name = String.format(Locale.ROOT, "part-%05d-%s-a%d%s", partition,
            job, TaskContext.get().attemptNumber(), suffix);
        PredictionParquet part = PredictionParquet.create(settings,
            new Path(dir, name));
        try {
          Scorer m = b.value();
          while (blocks.hasNext()) {
            Scored s = blocks.next();
            part.append(s.firstRow, s.y, s.f, m);
          }
        } catch (IOException | RuntimeException | Error e) {
          part.abort();
          throw e;
        }
        part.close();
        return List.of(name).iterator();
      }, false).collect();
      keepOnly(fs, folder, written);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  /** Deletes every entry of {@code folder} not named in {@code names}. */
  static void keepOnly(FileSystem fs, Path folder,
      List<String> names) throws IOException {
    Set<String> kept = new HashSet<>(names);
    for (FileStatus f : fs.listStatus(folder)) {
      if (!kept.contains(f.getPath().getName())) {
        fs.delete(f.getPath(), true);
      }
    }
  }

  @Override
  public void close() {
    scored.unpersist(false);
    scorer.destroy();
  }
}
