package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.RowCones;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * The rows' side of the interior point ({@link ConeRows}) over distributed row blocks: each
 * block's slacks, multipliers, scaling and direction parts are a {@link RowCones} on the
 * executor holding the block, and every step of the path is one pass that maps the blocks'
 * state to a new state RDD and sums what the driver needs with {@link OrderedAggregate} (level-3
 * BLAS per block: X_b B, X_b^T R and the Khatri-Rao Gram are GEMMs). The driver holds the
 * d x 2P, d(d+1)/2 x 2P and P d x P d summaries only.
 *
 * <p>A block's state is never changed in place: each pass copies it, so a lost partition is
 * recomputed from its lineage. Each new state RDD is locally checkpointed (bounded lineage over
 * the 20-60 iterations) and the previous one is unpersisted once the new one is materialised.
 * The state RDD is built by mapping the data's blocks, so it zips with them (the multipliers
 * of the certificate).
 */
final class DistributedConeRows implements ConeRows, AutoCloseable {
  private final DistributedData data;
  private final long rowCount;
  private JavaRDD<Block> state;
  /** A step {@link #advance} deferred to the next pass (-1: none), saving a pass per step. */
  private int pendingDirection = -1;
  private double pendingAlpha;

  /** A block's cone rows and what its last pass returned. */
  record Block(RowCones cones, double[] out) implements Serializable {}

  DistributedConeRows(DistributedData data) {
    this.data = data;
    int p = data.patternCount();
    this.state = data.blocks().map(blk -> new Block(new RowCones(blk.x(), blk.y(),
        RowBlock.affine(blk.mask(), 1.0, 0.0), p), new double[] {0.0}));
    state.rdd().localCheckpoint();
    this.rowCount = (long) sum(state, 1, b -> new double[] {b.cones().rowCount()})[0];
  }

  @Override
  public long rowCount() {
    return rowCount;
  }

  @Override
  public DenseMatrix patternGram() {
    int pd = data.patternCount() * data.d();
    context("pattern Gram");
    return new DenseMatrix(pd, pd, sum(state, pd * pd, b -> b.cones().patternGram().data()));
  }

  @Override
  public double startSumSquares(DenseMatrix unit) {
    context("start");
    return sum(state, 1, b -> new double[] {b.cones().startSumSquares(unit)})[0];
  }

  @Override
  public void start(DenseMatrix unit, double scale, double zeta) {
    context("start");
    move(1, false, c -> {
      c.start(unit, scale, zeta);
      return new double[] {0.0};
    });
  }

  @Override
  public Prepared prepare(DenseMatrix b) {
    int d = data.d();
    int m = 2 * data.patternCount();
    int dm = d * m;
    int pm = d * (d + 1) / 2 * m;
    context("residuals and scaling");
    double[] out = move(dm + 1 + pm, false, c -> {
      Prepared pr = c.prepare(b);
      double[] o = new double[dm + 1 + pm];
      System.arraycopy(pr.dualResidual().data(), 0, o, 0, dm);
      o[dm] = pr.complementarity();
      System.arraycopy(pr.blockGram().data(), 0, o, dm + 1, pm);
      return o;
    });
    return new Prepared(new DenseMatrix(d, m, java.util.Arrays.copyOfRange(out, 0, dm)),
        out[dm], new DenseMatrix(d * (d + 1) / 2, m,
            java.util.Arrays.copyOfRange(out, dm + 1, dm + 1 + pm)));
  }

  @Override
  public DenseMatrix rightHandSide(int direction, double sigma, double mu) {
    int d = data.d();
    int m = 2 * data.patternCount();
    context("right-hand side");
    return new DenseMatrix(d, m, move(d * m, false,
        c -> c.rightHandSide(direction, sigma, mu).data()));
  }

  @Override
  public double recover(int direction, DenseMatrix dxB) {
    context("direction and ratio test");
    return move(1, true, c -> new double[] {c.recover(direction, dxB)})[0];
  }

  @Override
  public double complementarityAfter(int direction, double alpha) {
    context("complementarity after the predictor");
    flush();
    return sum(state, 1, b -> new double[] {b.cones().complementarityAfter(direction, alpha)})[0];
  }

  /** Deferred: the next pass takes the step before its own work. */
  @Override
  public void advance(int direction, double alpha) {
    flush();
    pendingDirection = direction;
    pendingAlpha = alpha;
  }

  /** Takes a deferred step now (before a pass that only reads the state). */
  private void flush() {
    if (pendingDirection >= 0) {
      context("step");
      move(1, false, c -> new double[] {0.0});
    }
  }

  /**
   * The cone multipliers, one n_b x 2P matrix per block aligned with the data's blocks,
   * persisted (the caller unpersists them).
   */
  JavaRDD<DenseMatrix> multipliers() {
    int direction = pendingDirection;
    double alpha = pendingAlpha;
    JavaRDD<DenseMatrix> mu = state.map(b -> {
      RowCones c = b.cones();
      if (direction >= 0) {
        c = c.copy();
        c.advance(direction, alpha);
      }
      return c.multipliers();
    });
    mu.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    return mu;
  }

  /** Releases the blocks' state. */
  @Override
  public void close() {
    state.unpersist(false);
  }

  /**
   * One pass that moves every block's state (on a copy) by the deferred step and {@code op}
   * into a new state RDD and
   * returns the sum (or with {@code min}, the minimum) of what {@code op} returned.
   */
  private double[] move(int length, boolean min, Function<RowCones, double[]> op) {
    int direction = pendingDirection;
    double alpha = pendingAlpha;
    JavaRDD<Block> next = state.map(b -> {
      RowCones c = b.cones().copy();
      if (direction >= 0) {
        c.advance(direction, alpha);
      }
      return new Block(c, op.call(c));
    });
    next.rdd().localCheckpoint();
    double[] out = min ? minimum(next) : sum(next, length, Block::out);
    state.unpersist(false);
    state = next;
    pendingDirection = -1;
    return out;
  }

  private static double[] sum(JavaRDD<Block> rdd, int length, Function<Block, double[]> term) {
    return OrderedAggregate.aggregate(rdd, new double[length],
        (acc, b) -> OrderedAggregate.addInto(acc, term.call(b)), OrderedAggregate::addInto);
  }

  private static double[] minimum(JavaRDD<Block> rdd) {
    return OrderedAggregate.aggregate(rdd, new double[] {Double.POSITIVE_INFINITY},
        (acc, b) -> {
          acc[0] = Math.min(acc[0], b.out()[0]);
          return acc;
        }, (a, b) -> {
          a[0] = Math.min(a[0], b[0]);
          return a;
        });
  }

  private void context(String what) {
    data.blocks().context().setJobDescription("cvxrelu: interior point, " + what);
  }
}
