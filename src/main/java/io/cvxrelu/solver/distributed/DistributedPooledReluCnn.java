package io.cvxrelu.solver.distributed;

import io.cvxrelu.cnn.PatchGeometry;
import io.cvxrelu.cnn.PooledCnn;
import io.cvxrelu.cnn.PooledGatedCnn;
import io.cvxrelu.cnn.PooledRowBlock;
import io.cvxrelu.data.LabeledBlock;
import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.problem.SquaredLoss;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.local.ipm.CertifiedPath;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.PathFollowing;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The pooled ReLU CNN program (Ergen and Pilanci, ICLR 2021; {@code cnn.PooledReluCnn}:
 * min 1/2 ||sum_i A_i (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||) s.t.
 * (2 D_i^k - I) X_k v_i, w_i &gt;= 0) over the stacked blocks of a {@link DistributedPooledCnn},
 * solved by the project's interior point ({@link PathFollowing}) with its rows' side on the
 * executors. The cone rows are those of the fully connected program on the stacked patches, so
 * they are the distributed interior point's {@link DistributedConeRows} over blocks of S_b with
 * labels 0; as {@code cnn.PooledConeRows} does on one node, this class replaces the pattern
 * Gram with the pooled design's (summed over blocks) and adds the pooled loss's correction to
 * the dual residual (one pass). Certificates are passes over the blocks, their labels and the
 * multipliers, which stay on the executors.
 */
public final class DistributedPooledReluCnn implements AutoCloseable {
  private final DistributedPooledCnn program;
  private final DistributedData coneData;
  private final JavaSparkContext sc;

  /** The ReLU program over the gated program's blocks and patterns. */
  public DistributedPooledReluCnn(DistributedPooledCnn program) {
    this.program = program;
    this.sc = JavaSparkContext.fromSparkContext(program.blocks().context());
    JavaRDD<LabeledBlock> unlabelled = program.blocks().map(b -> new LabeledBlock(b.id(),
        b.x(), new double[b.rows()]));
    this.coneData = DistributedData.fromBlocks(unlabelled, program.gates(), new SquaredLoss(),
        false);
  }

  /**
   * Solves at {@code beta}; nothing when the interior point cannot start (a gate on a data
   * hyperplane) or certifies no iterate within the feasibility tolerance.
   */
  public Optional<SolverResult> solve(double beta, SolverOptions options,
      IterationListener listener) {
    long start = System.nanoTime();
    int h = program.geometry().patchSize();
    int p = program.gates().cols();
    double feasTol = options.feasibilityTolerance() * Math.max(1.0, largestLabel());
    try (DistributedConeRows cones = new DistributedConeRows(coneData)) {
      PooledRows rows = new PooledRows(cones);
      CertifiedPath<JavaRDD<DenseMatrix>> run = new CertifiedPath<>(
          new CertifiedPath.Rows<JavaRDD<DenseMatrix>>() {
            @Override
            public JavaRDD<DenseMatrix> multipliers() {
              return cones.multipliers();
            }

            @Override
            public Certificate certify(DenseMatrix b, JavaRDD<DenseMatrix> mu) {
              return certificate(b, mu, beta);
            }

            @Override
            public void release(JavaRDD<DenseMatrix> mu) {
              cones.release(mu);
            }
          }, options, feasTol, start);
      try {
        run.follow(new PathFollowing(h, p, beta, program.gates(), rows), listener);
      } catch (ArithmeticException e) {
        return Optional.empty();
      }
      if (run.best() == null) {
        return Optional.empty();
      }
      return Optional.of(run.result(run.pruneInactiveBlocks(), null));
    }
  }

  private double largestLabel() {
    sc.setJobDescription("cvxrelu: label scale");
    return program.blocks().map(b -> {
      double m = 0.0;
      for (double v : b.y()) {
        m = Math.max(m, Math.abs(v));
      }
      return m;
    }).fold(0.0, Math::max);
  }

  /**
   * The certificate at blocks B (h x 2P) with the multipliers mu (n_b K x 2P per block, aligned
   * with the blocks): one pass summing lambda^T lambda, lambda^T y, the h x 2P dual matrix and
   * the largest cone violation.
   */
  public Certificate certificate(DenseMatrix b, JavaRDD<DenseMatrix> mu, double beta) {
    int k = program.geometry().patchCount();
    int cells = b.rows() * b.cols();
    Broadcast<DenseMatrix> bb = sc.broadcast(b);
    sc.setJobDescription("cvxrelu: certificate");
    try {
      double[] s = OrderedAggregate.aggregate(program.blocks().zip(mu), new double[3 + cells],
          (acc, t) -> {
            DenseMatrix dual = new DenseMatrix(bb.value().rows(), bb.value().cols());
            double[] sums = new double[2];
            double violation = new PooledRowBlock(t._1(), k).addReluCertificateTerms(
                bb.value(), t._2(), dual, sums);
            acc[0] += sums[0];
            acc[1] += sums[1];
            acc[2] = Math.max(acc[2], violation);
            for (int j = 0; j < cells; j++) {
              acc[3 + j] += dual.data()[j];
            }
            return acc;
          }, (a, c) -> {
            double worst = Math.max(a[2], c[2]);
            OrderedAggregate.addInto(a, c);
            a[2] = worst;
            return a;
          });
      return PooledGatedCnn.certificate(b, beta, s[0], s[1],
          new DenseMatrix(b.rows(), b.cols(), java.util.Arrays.copyOfRange(s, 3, s.length)),
          s[2]);
    } finally {
      bb.destroy();
    }
  }

  /** The ReLU network of a solution: v_i gives alpha = +sqrt||v_i||, w_i alpha = -sqrt||w_i||. */
  public PooledCnn network(SolverResult result) {
    return PooledCnn.reluFromBlocks(program.geometry(), result.weights());
  }

  /** The cone rows on the stacked blocks with the pooled loss's Gram and dual residual. */
  private final class PooledRows implements ConeRows {
    private final DistributedConeRows cones;

    PooledRows(DistributedConeRows cones) {
      this.cones = cones;
    }

    @Override
    public long rowCount() {
      return cones.rowCount();
    }

    /** A^T A over the pooled design, summed over the blocks (h P x h P). */
    @Override
    public DenseMatrix patternGram() {
      int k = program.geometry().patchCount();
      int q = program.geometry().patchSize() * program.gates().cols();
      sc.setJobDescription("cvxrelu: pooled pattern Gram");
      return OrderedAggregate.aggregate(program.blocks(), new DenseMatrix(q, q), (acc, b) -> {
        new PooledRowBlock(b, k).addPooledGram(acc);
        return acc;
      }, OrderedAggregate::addInto);
    }

    @Override
    public double startSumSquares(DenseMatrix unit) {
      return cones.startSumSquares(unit);
    }

    @Override
    public void start(DenseMatrix unit, double scale, double zeta) {
      cones.start(unit, scale, zeta);
    }

    @Override
    public Prepared prepare(DenseMatrix b) {
      Prepared p = cones.prepare(b);
      int k = program.geometry().patchCount();
      Broadcast<DenseMatrix> bb = sc.broadcast(b);
      sc.setJobDescription("cvxrelu: pooled loss in the dual residual");
      try {
        DenseMatrix correction = OrderedAggregate.aggregate(program.blocks(),
            new DenseMatrix(b.rows(), b.cols()), (acc, blk) -> {
              new PooledRowBlock(blk, k).addReluLossCorrection(bb.value(), acc);
              return acc;
            }, OrderedAggregate::addInto);
        DenseMatrix rx = p.dualResidual().copy();
        OrderedAggregate.addInto(rx, correction);
        return new Prepared(rx, p.complementarity(), p.blockGram());
      } finally {
        bb.destroy();
      }
    }

    @Override
    public DenseMatrix rightHandSide(int direction, double sigma, double mu) {
      return cones.rightHandSide(direction, sigma, mu);
    }

    @Override
    public double recover(int direction, DenseMatrix dxB) {
      return cones.recover(direction, dxB);
    }

    @Override
    public double complementarityAfter(int direction, double alpha) {
      return cones.complementarityAfter(direction, alpha);
    }

    @Override
    public void advance(int direction, double alpha) {
      cones.advance(direction, alpha);
    }
  }

  /** Releases the cone rows' blocks (the gated program's blocks stay with their owner). */
  @Override
  public void close() {
    coneData.close();
  }
}
