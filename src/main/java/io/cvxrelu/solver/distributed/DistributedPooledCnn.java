package io.cvxrelu.solver.distributed;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnn;
import io.cvxrelu.cnn.PooledGatedCnn;
import io.cvxrelu.cnn.PooledRowBlock;
import io.cvxrelu.cnn.StackedPatches;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.io.DataFormatException;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.patterns.SignPatterns;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.iteration.GatedFistaLoop;
import io.cvxrelu.solver.iteration.OperatorNorms;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The gated CNN with shared filters and global pooling (Ergen and Pilanci, "Implicit convex
 * regularizers of CNN architectures", ICLR 2021; the program of {@link PooledGatedCnn},
 * min_U 1/2 ||sum_i A_i u_i - y||^2 + beta sum_i ||u_i|| with A_i = sum_k D_i^k X_k) over
 * examples that stay on the executors. Each block of examples becomes, where it was read, the
 * {@link RowBlock} of its stacked patches with their pattern mask ({@link PooledRowBlock}): an
 * example's K patches travel with it, so the pooling is local to a block. The driver holds the
 * h x P gates and weights and nothing of size n.
 *
 * <p>The patterns are {@link StackedPatches#samplePatterns}'s, replayed as
 * {@link DistributedSetup} replays the fully connected sampling: the same gates from the same
 * seed, each batch's patterns told apart by hashes summed over the stacked rows. The solver is
 * the distributed FISTA ({@link DistributedFista}, affine mode: one pass per step) driven by
 * {@link GatedFistaLoop}. A pass returns, beside phi and its gradient A^T r at the point, the
 * moment r^T y of the residual r = A u - y, so the duality-gap certificate of
 * {@link PooledGatedCnn#certificate} at every iterate comes from the pass that evaluated it.
 * Sums are merged in partition order ({@link OrderedAggregate}).
 */
public final class DistributedPooledCnn implements AutoCloseable {
  private static final String PHASE = "pooled gated FISTA";
  /** Power-iteration rounds for the first step (one pass each), as the fully connected solver. */
  private static final int NORM_ROUNDS = 20;
  /** Passes kept for the certificate: the iterate and the candidates of its backtracking. */
  private static final int KEPT_PASSES = 4;

  private final JavaRDD<RowBlock> blocks;
  private final Broadcast<DenseMatrix> gatesBroadcast;
  private final JavaSparkContext sc;
  private final PatchGeometry geometry;
  private final DenseMatrix gates;
  private final long n;
  private final double betaMax;

  private DistributedPooledCnn(JavaRDD<RowBlock> blocks, Broadcast<DenseMatrix> gates,
      PatchGeometry geometry, long n) {
    this.blocks = blocks;
    this.gatesBroadcast = gates;
    this.sc = JavaSparkContext.fromSparkContext(blocks.context());
    this.geometry = geometry;
    this.gates = gates.value();
    this.n = n;
    Sums atZero = pass(new DenseMatrix(geometry.patchSize(), this.gates.cols()), "beta_max");
    double best = 0.0;
    for (int i = 0; i < this.gates.cols(); i++) {
      best = Math.max(best, atZero.adjoint().columnNorm(i));
    }
    this.betaMax = best;
  }

  /**
   * The program on the examples of {@code input} (blocks of flattened images, read on the
   * executors) with {@code patterns} patterns sampled from {@code seed} on their stacked
   * patches. The blocks are cut to at most {@link DistributedData#DEFAULT_BLOCK_ROWS} stacked
   * rows each (a reader's block of 4,096 images would stack into 4,096 K rows) and to at most
   * n / {@code partitions} examples, then spread over at least {@code partitions} partitions
   * (a small data set would otherwise be one task).
   * Closing releases the stacked blocks.
   *
   * @throws DataFormatException when no gate activates any patch
   */
  public static DistributedPooledCnn of(JavaRDD<LabeledBlock> input, PatchGeometry geometry,
      int patterns, long seed, int partitions) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(input.context());
    sc.setJobDescription("cvxrelu: count examples");
    long examples = input.map(b -> (long) b.rows()).fold(0L, Long::sum);
    int examplesPerBlock = Math.min(DistributedData.blockRowsFor(examples, partitions),
        Math.max(1, DistributedData.DEFAULT_BLOCK_ROWS / geometry.patchCount()));
    JavaRDD<LabeledBlock> cut = input.flatMap(b -> split(b, examplesPerBlock).iterator());
    JavaRDD<LabeledBlock> rows = cut.getNumPartitions() < partitions
        ? cut.repartition(partitions) : cut;
    JavaRDD<LabeledBlock> stacked = rows.map(b -> new LabeledBlock(b.id(),
        StackedPatches.of(b.x(), geometry).stacked(), new double[b.rows() * geometry
            .patchCount()]));
    stacked.persist(StorageLevel.MEMORY_AND_DISK());
    DenseMatrix gates;
    try {
      gates = SignPatterns.sampleGates(geometry.patchSize(), patterns, seed,
          StackedPatches.samplingBudget(patterns),
          g -> Arrays.asList(DistributedSetup.keys(stacked, false, g)), k -> k.active() == 0);
    } finally {
      stacked.unpersist(false);
    }
    if (gates.cols() == 0) {
      throw new DataFormatException("no non-zero sign pattern: every gate is inactive on all "
          + "patches");
    }
    Broadcast<DenseMatrix> g = sc.broadcast(gates);
    JavaRDD<RowBlock> blocks = rows.map(b -> PooledRowBlock.stack(b.id(), b.x(), b.y(),
        geometry, g.value()));
    blocks.persist(StorageLevel.MEMORY_AND_DISK());
    sc.setJobDescription("cvxrelu: stack patches and patterns");
    int k = geometry.patchCount();
    long n = blocks.map(b -> (long) (b.rows() / k)).fold(0L, Long::sum);
    return new DistributedPooledCnn(blocks, g, geometry, n);
  }

  /**
   * A block as blocks of at most {@code size} rows; the i-th keeps the id 2^16 id + i (ids only
   * tell the rows apart in the pattern hashes).
   */
  private static java.util.List<LabeledBlock> split(LabeledBlock b, int size) {
    java.util.List<LabeledBlock> out = new java.util.ArrayList<>();
    for (int from = 0, i = 0; from < b.rows(); from += size, i++) {
      int to = Math.min(b.rows(), from + size);
      DenseMatrix x = new DenseMatrix(to - from, b.x().cols());
      for (int j = 0; j < x.cols(); j++) {
        System.arraycopy(b.x().data(), j * b.rows() + from, x.data(), j * x.rows(), x.rows());
      }
      out.add(new LabeledBlock((b.id() << 16) + i, x, Arrays.copyOfRange(b.y(), from, to)));
    }
    return out;
  }

  /** The stacked blocks (their labels repeated per patch), cached. */
  JavaRDD<RowBlock> blocks() {
    return blocks;
  }

  /** The h x P gates of the patterns. */
  public DenseMatrix gates() {
    return gates;
  }

  /** beta_max = max_i ||A_i^T y||: at and above it U = 0 is optimal. */
  public double betaMax() {
    return betaMax;
  }

  /** The number of examples n. */
  public long n() {
    return n;
  }

  public PatchGeometry geometry() {
    return geometry;
  }

  /**
   * What one pass sums at U: ||r||^2 and r^T y for the residual r = A vec(U) - y, and the
   * h x P matrix A^T r (the gradient of phi = ||r||^2 / 2).
   */
  record Sums(DenseMatrix point, double squaredNorm, double dotY, DenseMatrix adjoint) {
    DistributedProblem.Evaluation evaluation() {
      return new DistributedProblem.Evaluation(Double.NaN, 0.5 * squaredNorm, adjoint);
    }

    /** The certificate at the point: lambda = -r, so lambda^T y = -r^T y. */
    Certificate certificate(double beta) {
      return PooledGatedCnn.certificate(point, beta, squaredNorm, -dotY, adjoint);
    }
  }

  /** One pass at U (h x P): the sums of {@link Sums}, [||r||^2, r^T y, A^T r] in one array. */
  private Sums pass(DenseMatrix u, String what) {
    int h = geometry.patchSize();
    int p = gates.cols();
    int k = geometry.patchCount();
    Broadcast<DenseMatrix> bu = sc.broadcast(u);
    sc.setJobDescription("cvxrelu: " + what);
    try {
      double[] s = OrderedAggregate.aggregate(blocks, new double[2 + h * p], (acc, b) -> {
        PooledRowBlock block = new PooledRowBlock(b, k);
        double[] r = block.residual(bu.value());
        double[] y = b.y();
        for (int i = 0; i < r.length; i++) {
          acc[0] += r[i] * r[i];
          acc[1] += r[i] * y[i];
        }
        DenseMatrix grad = new DenseMatrix(h, p);
        block.addAdjoint(r, grad);
        double[] gd = grad.data();
        for (int j = 0; j < gd.length; j++) {
          acc[2 + j] += gd[j];
        }
        return acc;
      }, OrderedAggregate::addInto);
      return new Sums(u, s[0], s[1], new DenseMatrix(h, p, Arrays.copyOfRange(s, 2, s.length)));
    } finally {
      bu.destroy();
    }
  }

  /** A^T A vec(U), one pass (the power iteration of the first step). */
  private DenseMatrix normalOperator(DenseMatrix u) {
    int k = geometry.patchCount();
    Broadcast<DenseMatrix> bu = sc.broadcast(u);
    sc.setJobDescription("cvxrelu: step size (power iteration)");
    try {
      return OrderedAggregate.aggregate(blocks, new DenseMatrix(u.rows(), u.cols()),
          (acc, b) -> {
            PooledRowBlock block = new PooledRowBlock(b, k);
            block.addAdjoint(block.predict(bu.value()), acc);
            return acc;
          }, OrderedAggregate::addInto);
    } finally {
      bu.destroy();
    }
  }

  /** The certificate at U, one pass. */
  public Certificate certificate(DenseMatrix u, double beta) {
    return pass(u, "certificate").certificate(beta);
  }

  /**
   * Solves the program at {@code beta} from U = 0 until the relative gap reaches the
   * tolerance or a budget runs out; the weights are h x P, one block u_i per column.
   */
  public SolverResult solve(double beta, SolverOptions options, IterationListener listener) {
    long start = System.nanoTime();
    Deque<Sums> kept = new ArrayDeque<>();
    DistributedFista.Smooth smooth = (candidate, point) -> {
      Sums s = pass(point, PHASE);
      kept.addFirst(s);
      if (kept.size() > KEPT_PASSES) {
        kept.removeLast();
      }
      return s.evaluation();
    };
    double lipschitz = OperatorNorms.normalOperatorNorm(geometry.patchSize(), gates.cols(),
        this::normalOperator, NORM_ROUNDS);
    DistributedFista fista = DistributedFista.start(sc, beta, smooth, PHASE,
        new DenseMatrix(geometry.patchSize(), gates.cols()), lipschitz, true);
    return GatedFistaLoop.run(fista, () -> {
      // The accepted iterate is the candidate its pass evaluated (the same matrix).
      for (Sums s : kept) {
        if (s.point() == fista.iterate()) {
          return s.certificate(beta);
        }
      }
      return certificate(fista.iterate(), beta);
    }, 1, options, listener, start);
  }

  /** The gated network of the solution's h x P blocks. */
  public PooledCnn network(SolverResult result) {
    return PooledGatedCnn.network(geometry, gates, result.weights());
  }

  /**
   * The fit of a network on blocks of flattened examples, summed where they are:
   * {rows, sum (f - y)^2, rows with (f &gt; 0 ? 1 : -1) = y (the rule of {@code Metrics}), rows
   * whose label is not +-1}.
   */
  public static double[] fit(JavaRDD<LabeledBlock> rows, PooledCnn network) {
    JavaSparkContext.fromSparkContext(rows.context()).setJobDescription("cvxrelu: evaluate");
    return OrderedAggregate.aggregate(rows, new double[4], (acc, b) -> {
      double[] f = network.predict(b.x());
      double[] y = b.y();
      for (int i = 0; i < f.length; i++) {
        acc[0] += 1.0;
        acc[1] += (f[i] - y[i]) * (f[i] - y[i]);
        boolean plusMinusOne = y[i] == 1.0 || y[i] == -1.0;
        acc[2] += (f[i] > 0.0 ? 1.0 : -1.0) == y[i] ? 1.0 : 0.0;
        acc[3] += plusMinusOne ? 0.0 : 1.0;
      }
      return acc;
    }, OrderedAggregate::addInto);
  }

  /** Unpersists the stacked blocks and destroys the gates broadcast. */
  @Override
  public void close() {
    blocks.unpersist(false);
    gatesBroadcast.destroy();
  }
}
