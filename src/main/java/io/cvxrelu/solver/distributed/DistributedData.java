package io.cvxrelu.solver.distributed;

import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.LabeledPoint;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The training rows as an RDD of dense column-major {@link RowBlock}s of at most
 * {@code blockRows} rows each, with each block's sign-pattern mask computed on the executor
 * from the broadcast gates (never shipped). The RDD is persisted MEMORY_AND_DISK once, since
 * every solver pass reads it; {@link #close()} unpersists it and destroys the gates broadcast.
 */
public final class DistributedData implements AutoCloseable {
  /** Default rows per block: large enough for efficient GEMMs, small enough that the n_b x q
   * temporaries of a task stay a few MB. */
  public static final int DEFAULT_BLOCK_ROWS = 4096;

  /**
   * Rows per block for n rows over {@code partitions}: {@link #DEFAULT_BLOCK_ROWS}, or fewer so
   * that every partition holds at least one block (a small data set asked for 7 partitions
   * would otherwise be one block on one partition, and the other six would idle).
   */
  public static int blockRowsFor(long n, int partitions) {
    long perPartition = (n + Math.max(1, partitions) - 1) / Math.max(1, partitions);
    return (int) Math.max(1, Math.min(DEFAULT_BLOCK_ROWS, perPartition));
  }

  private final JavaRDD<RowBlock> blocks;
  private final Broadcast<DenseMatrix> gates;
  private final long n;
  private final int d;
  private final int patterns;

  private DistributedData(JavaRDD<RowBlock> blocks, Broadcast<DenseMatrix> gates, long n, int d,
      int patterns) {
    this.blocks = blocks;
    this.gates = gates;
    this.n = n;
    this.d = d;
    this.patterns = patterns;
  }

  /**
   * Distributes rows held on the driver. Block ids are the index of the block's first row, so
   * per-block state (checkpointed multipliers) does not depend on the partition count.
   *
   * @param x n x d features (with the bias column if wanted)
   * @param y n labels already in the loss's canonical coding
   * @param gates d x P gate vectors
   */
  public static DistributedData fromMatrix(JavaSparkContext sc, DenseMatrix x, double[] y,
      DenseMatrix gates, int partitions, int blockRows) {
    checkShapes(x.cols(), gates, partitions, blockRows);
    int n = x.rows();
    List<Chunk> chunks = new ArrayList<>();
    for (int from = 0; from < n; from += blockRows) {
      int to = Math.min(n, from + blockRows);
      chunks.add(new Chunk(from, rowRange(x, from, to),
          java.util.Arrays.copyOfRange(y, from, to)));
    }
    Broadcast<DenseMatrix> g = sc.broadcast(gates);
    // The chunks go through a shuffle (each to the partition parallelize put it in, in id order)
    // rather than straight from parallelize: a parallelized partition carries its elements, and
    // every task over an RDD derived from it would ship them again, pass after pass, although
    // the blocks are cached. A shuffled partition is a reference to shuffle output.
    JavaRDD<RowBlock> blocks = sc.parallelize(chunks, partitions)
        .mapPartitionsWithIndex((part, it) -> {
          List<Tuple2<Integer, Chunk>> keyed = new ArrayList<>();
          it.forEachRemaining(c -> keyed.add(new Tuple2<>(part, c)));
          return keyed.iterator();
        }, true)
        .mapToPair(t -> t)
        .partitionBy(new HashPartitioner(partitions))
        .mapPartitions(it -> {
          List<Chunk> part = new ArrayList<>();
          it.forEachRemaining(t -> part.add(t._2()));
          part.sort(java.util.Comparator.comparingLong(c -> c.id));
          List<RowBlock> out = new ArrayList<>(part.size());
          for (Chunk c : part) {
            out.add(RowBlock.withGates(c.id, c.x, c.y, g.value()));
          }
          return out.iterator();
        });
    return materialise(blocks, g, x.cols(), gates.cols(), "cvxrelu: distribute rows");
  }

  /**
   * Distributes an RDD of labelled rows (as Spark ML writes them: a label and a feature
   * vector), optionally appending a bias feature. Labels are put into the loss's canonical
   * coding after one pass checks the whole label set, as on a single node.
   *
   * @param partitions repartition to this many partitions, or 0 to keep the input's
   */
  public static DistributedData fromRows(JavaRDD<LabeledPoint> rows, DenseMatrix gates,
      Loss loss, boolean bias, int partitions, int blockRows) {
    int d = gates.rows();
    checkShapes(d, gates, Math.max(partitions, 1), blockRows);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.context());
    java.util.Map<Double, Double> labelCoding = null;
    if (loss.isClassification()) {
      // At most two distinct labels are valid; a third makes canonicalLabels fail below.
      sc.setJobDescription("cvxrelu: check labels");
      double[] distinct = rows.map(LabeledPoint::label).distinct().take(3).stream()
          .mapToDouble(Double::doubleValue).toArray();
      double[] coded = loss.canonicalLabels(distinct);
      labelCoding = new java.util.HashMap<>();
      for (int k = 0; k < distinct.length; k++) {
        labelCoding.put(distinct[k], coded[k]);
      }
    }
    final java.util.Map<Double, Double> coding = labelCoding;
    JavaRDD<LabeledPoint> input = partitions > 0 && partitions != rows.getNumPartitions()
        ? rows.repartition(partitions) : rows;
    Broadcast<DenseMatrix> g = sc.broadcast(gates);
    JavaRDD<RowBlock> blocks = input.mapPartitionsWithIndex((part, it) -> {
      List<RowBlock> out = new ArrayList<>();
      int chunk = 0;
      while (it.hasNext()) {
        List<LabeledPoint> buf = new ArrayList<>();
        while (it.hasNext() && buf.size() < blockRows) {
          buf.add(it.next());
        }
        DenseMatrix xb = new DenseMatrix(buf.size(), d);
        double[] yb = new double[buf.size()];
        for (int r = 0; r < buf.size(); r++) {
          LabeledPoint lp = buf.get(r);
          double[] f = lp.features().toArray();
          int width = f.length + (bias ? 1 : 0);
          if (width != d) {
            throw new IllegalArgumentException("a row has " + width + " features (with bias: "
                + bias + ") but the gates have dimension " + d);
          }
          for (int j = 0; j < f.length; j++) {
            xb.set(r, j, f[j]);
          }
          if (bias) {
            xb.set(r, d - 1, 1.0);
          }
          yb[r] = coding == null ? lp.label() : coding.get(lp.label());
        }
        out.add(RowBlock.withGates(((long) part << 32) | chunk++, xb, yb, g.value()));
      }
      return out.iterator();
    }, true);
    return materialise(blocks, g, d, gates.cols(), "cvxrelu: block rows");
  }

  /**
   * Blocks rows read on the executors ({@code data.DistributedInput}), one row block per
   * labelled block and with its id: the labels recoded to the loss's canonical coding and the
   * bias column appended there, the masks computed there from the broadcast gates. Nothing of
   * the rows reaches the driver.
   *
   * @param gates d x P gate vectors, d counting the bias column when {@code bias}
   * @throws IllegalArgumentException when the loss refuses the label set (see
   *     {@link #labelSet})
   */
  public static DistributedData fromBlocks(JavaRDD<LabeledBlock> rows, DenseMatrix gates,
      Loss loss, boolean bias) {
    int d = gates.rows();
    checkShapes(d, gates, 1, 1);
    if (loss.isClassification()) {
      // A block's own recoding agrees with the whole set's once the whole set is valid.
      loss.canonicalLabels(labelSet(rows));
    }
    Broadcast<DenseMatrix> g = JavaSparkContext.fromSparkContext(rows.context())
        .broadcast(gates);
    JavaRDD<RowBlock> blocks = rows.map(b -> {
      DenseMatrix x = bias ? b.x().withOnesColumn() : b.x();
      if (x.cols() != d) {
        throw new IllegalArgumentException("a block has " + x.cols() + " columns (with bias: "
            + bias + ") but the gates have dimension " + d);
      }
      return RowBlock.withGates(b.id(), x, loss.canonicalLabels(b.y()), g.value());
    });
    return materialise(blocks, g, d, gates.cols(), "cvxrelu: block rows");
  }

  /**
   * Up to three distinct labels of the rows, one Spark job: all of them for a classification
   * task (two at most are valid, and a third is enough to refuse the set).
   */
  public static double[] labelSet(JavaRDD<LabeledBlock> rows) {
    JavaSparkContext.fromSparkContext(rows.context()).setJobDescription("cvxrelu: check labels");
    return rows.flatMap(b -> java.util.Arrays.stream(b.y()).boxed().distinct().iterator())
        .distinct().take(3).stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void checkShapes(int d, DenseMatrix gates, int partitions, int blockRows) {
    if (gates.rows() != d) {
      throw new IllegalArgumentException("gates have dimension " + gates.rows() + " but the data "
          + d);
    }
    if (partitions <= 0 || blockRows <= 0) {
      throw new IllegalArgumentException("partitions and block rows must be positive");
    }
  }

  private static DistributedData materialise(JavaRDD<RowBlock> blocks, Broadcast<DenseMatrix> g,
      int d, int patterns, String description) {
    blocks.persist(StorageLevel.MEMORY_AND_DISK());
    JavaSparkContext.fromSparkContext(blocks.context()).setJobDescription(description);
    long n = blocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
    return new DistributedData(blocks, g, n, d, patterns);
  }

  private static DenseMatrix rowRange(DenseMatrix x, int from, int to) {
    int rows = to - from;
    DenseMatrix out = new DenseMatrix(rows, x.cols());
    for (int j = 0; j < x.cols(); j++) {
      System.arraycopy(x.data(), j * x.rows() + from, out.data(), j * rows, rows);
    }
    return out;
  }

  /** The cached blocks. */
  public JavaRDD<RowBlock> blocks() {
    return blocks;
  }

  public long n() {
    return n;
  }

  public int d() {
    return d;
  }

  public int patternCount() {
    return patterns;
  }

  /** The d x P gates the masks were computed from. */
  public DenseMatrix gates() {
    return gates.value();
  }

  public int partitions() {
    return blocks.getNumPartitions();
  }

  /** Unpersists the blocks and destroys the gates broadcast. */
  @Override
  public void close() {
    blocks.unpersist(false);
    gates.destroy();
  }

  /** Rows of one block before its mask is computed (what the driver ships). */
  static final class Chunk implements Serializable {
    private static final long serialVersionUID = 1L;
    final long id;
    final DenseMatrix x;
    final double[] y;

    Chunk(long id, DenseMatrix x, double[] y) {
      this.id = id;
      this.x = x;
      this.y = y;
    }
  }
}
