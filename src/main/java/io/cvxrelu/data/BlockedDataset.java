package io.cvxrelu.data;

import io.cvxrelu.io.DataFormatException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * A data set held on the executors as a cached RDD of {@link LabeledBlock}s, with its row count
 * and width: what {@link DistributedInput} returns and what a distributed solver blocks its
 * rows from. The driver knows n, d and where the rows came from, never the rows.
 *
 * <p>The RDD is persisted MEMORY_AND_DISK and counted once when made, so a bad record fails
 * there, on the driver's first look, rather than inside a solver. A lost cached partition is
 * recomputed from the files; the broadcasts that recomputation needs (the Hadoop configuration,
 * a fitted transform) live until {@link #close()}.
 */
public final class BlockedDataset implements AutoCloseable {
  private final JavaRDD<LabeledBlock> blocks;
  private final long n;
  private final int d;
  private final String source;
  private final List<Broadcast<?>> owned;
  private boolean closed;

  private BlockedDataset(JavaRDD<LabeledBlock> blocks, long n, int d, String source,
      List<Broadcast<?>> owned) {
    this.blocks = blocks;
    this.n = n;
    this.d = d;
    this.source = source;
    this.owned = owned;
  }

  /**
   * Blocks made on the executors by other means than a file reader (generated rows, a
   * benchmark's planted teacher), persisted and counted as a reader's are.
   *
   * @param source what the rows are, for messages
   */
  public static BlockedDataset of(JavaRDD<LabeledBlock> blocks, int d, String source) {
    return materialise(blocks, d, source, List.of());
  }

  /**
   * Persists and counts the blocks (one Spark job). A {@link DataFormatException} raised on any
   * executor is rethrown here as itself; on any failure the cache and {@code owned} are
   * released.
   *
   * @param owned broadcasts the blocks' lineage reads, destroyed by {@link #close()}
   */
  static BlockedDataset materialise(JavaRDD<LabeledBlock> blocks, int d, String source,
      List<Broadcast<?>> owned) {
    blocks.persist(StorageLevel.MEMORY_AND_DISK());
    JavaSparkContext.fromSparkContext(blocks.context())
        .setJobDescription("cvxrelu: read " + source);
    try {
      long n = blocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
      return new BlockedDataset(blocks, n, d, source, owned);
    } catch (Exception e) {
      release(blocks, owned);
      DistributedInput.throwIfDataError(e);
      throw e;
    }
  }

  /** The cached blocks, ordered by id within each partition. */
  public JavaRDD<LabeledBlock> blocks() {
    return blocks;
  }

  /** Number of rows. */
  public long n() {
    return n;
  }

  /** Number of features per row. */
  public int d() {
    return d;
  }

  /** What was read (the path or folder, and the part: training or test data). */
  public String source() {
    return source;
  }

  public int partitions() {
    return blocks.getNumPartitions();
  }

  /**
   * The blocks mapped by {@code f} to {@code width} features per row, cached and counted. This
   * data set is consumed: its cache is dropped once the result is cached, and its broadcasts
   * (with {@code extra}) pass to the result, whose lineage still reads them.
   */
  BlockedDataset map(Function<LabeledBlock, LabeledBlock> f, int width, Broadcast<?> extra) {
    List<Broadcast<?>> all = new ArrayList<>(owned);
    all.add(extra);
    closed = true;
    try {
      return materialise(blocks.map(f), width, source, all);
    } finally {
      blocks.unpersist(false);
    }
  }

  /** Fails with a one-line message when no row was read. */
  BlockedDataset requireRows() {
    if (n == 0) {
      close();
      throw new DataFormatException(source + ": no data rows (empty input)");
    }
    return this;
  }

  /** Unpersists the blocks and destroys the broadcasts their lineage reads. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release(blocks, owned);
    }
  }

  private static void release(JavaRDD<LabeledBlock> blocks, List<Broadcast<?>> owned) {
    blocks.unpersist(false);
    for (Broadcast<?> b : owned) {
      b.destroy();
    }
  }
}
