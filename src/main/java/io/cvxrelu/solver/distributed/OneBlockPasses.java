package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.Certificate;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The passes of a {@link DistributedProblem} with all the patterns in one block: every task holds
 * the whole d x q weights and adds its row blocks' contributions with level-3 BLAS
 * ({@link RowBlock}); a pass is a single aggregation over the row blocks.
 */
final class OneBlockPasses implements RowBlockPasses {
  private final DistributedData data;
  private final JavaSparkContext sc;
  private final Loss loss;
  private final Formulation formulation;

  OneBlockPasses(DistributedData data, Loss loss, Formulation formulation) {
    this.data = data;
    this.sc = JavaSparkContext.fromSparkContext(data.blocks().context());
    this.loss = loss;
    this.formulation = formulation;
  }

  /** Bytes of a matrix's doubles (0 for none). */
  private static long bytes(DenseMatrix m) {
    return m == null ? 0L : 8L * m.rows() * m.cols();
  }

  private int blockCount() {
    return formulation.blockCount(data.patternCount());
  }

  /** One row block's contribution to a sum (its multipliers, or null without). */
  interface BlockTerm<U> extends Serializable {
    U add(U acc, RowBlock blk, DenseMatrix mu) throws Exception;
  }

  /** {@code term} summed over the row blocks (zipped with {@code mu} if given), in order. */
  private static <U> U sum(JavaRDD<RowBlock> blocks, JavaRDD<DenseMatrix> mu, U zero,
      BlockTerm<U> term, Function2<U, U, U> merge) {
    return mu == null
        ? OrderedAggregate.aggregate(blocks, zero, (acc, b) -> term.add(acc, b, null), merge)
        : OrderedAggregate.aggregate(blocks.zip(mu), zero,
            (acc, t) -> term.add(acc, t._1(), t._2()), merge);
  }

  @Override
  public DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point,
      JavaRDD<DenseMatrix> mu, double rho) {
    PassInput<DenseMatrix[]> bw = PassInput.of(sc, new DenseMatrix[] {candidate, point},
        bytes(candidate) + bytes(point));
    Loss l = loss;
    Formulation f = formulation;
    try {
      StepSums sums = sum(data.blocks(), mu, new StepSums(data.d(), blockCount()),
          (acc, b, m) -> acc.add(b, m, bw.value(), l, f, rho), StepSums::merge);
      return new DistributedProblem.Evaluation(candidate == null ? Double.NaN
          : sums.atCandidate, sums.atPoint, sums.gradient);
    } finally {
      bw.destroy();
    }
  }

  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    PassInput<DenseMatrix> bb = PassInput.of(sc, b, bytes(b));
    Formulation f = formulation;
    try {
      return sum(data.blocks(), null, new DenseMatrix(data.d(), b.cols()), (acc, blk, m) -> {
        blk.addForwardAdjoint(new DenseMatrix[] {bb.value()}, f,
            (r0, len, predictions, g) -> System.arraycopy(predictions[0], 0, g, 0, len), acc);
        return acc;
      }, OrderedAggregate::addInto);
    } finally {
      bb.destroy();
    }
  }

  /**
   * The multiplier update block by block. B is broadcast, and the broadcast is destroyed only
   * once the new RDD is materialised and checkpointed: from then on its partitions are read
   * from the checkpoint and never recomputed from the closure that reads B. (Before that point a
   * failed task is retried with the broadcast still alive.)
   */
  @Override
  public JavaRDD<DenseMatrix> updatedMultipliers(DenseMatrix b, JavaRDD<DenseMatrix> mu,
      double rho, String description) {
    Broadcast<DenseMatrix> bb = sc.broadcast(b);
    try {
      return RowBlockPasses.checkpointed(data.blocks().zip(mu).map(t -> {
        RowBlock blk = t._1();
        DenseMatrix out = new DenseMatrix(blk.rows(), t._2().cols());
        blk.updatedMultipliers(blk.forward(bb.value()), t._2(), rho, out);
        return out;
      }), description);
    } finally {
      bb.destroy();
    }
  }

  /**
   * One pass for the statistics; the rays, if asked for, form X_b B again per block while the
   * broadcast of B is still alive.
   */
  @Override
  public Certificate certificate(DenseMatrix b, JavaRDD<DenseMatrix> mu, Certifier certify) {
    Broadcast<DenseMatrix> bb = sc.broadcast(b);
    Loss l = loss;
    Formulation f = formulation;
    JavaRDD<RowBlock> blocks = data.blocks();
    try {
      CertificateSums sums = sum(blocks, mu, new CertificateSums(data.d(), blockCount()),
          (acc, blk, m) -> acc.add(blk, m, bb, l, f), CertificateSums::merge);
      return certify.certify(sums.stats(), () -> blocks.map(blk -> {
        double[] lambda = new double[blk.rows()];
        blk.dualDirection(blk.forward(bb.value()), l, f, lambda);
        return new double[][] {lambda, blk.y()};
      }));
    } finally {
      bb.destroy();
    }
  }

  /** Per-task sums of one FISTA pass. */
  static final class StepSums implements Serializable {
    private static final long serialVersionUID = 1L;
    double atCandidate;
    double atPoint;
    final DenseMatrix gradient;

    StepSums(int d, int q) {
      gradient = new DenseMatrix(d, q);
    }

    /** @param weights the candidate C (or null) and the point Y */
    StepSums add(RowBlock blk, DenseMatrix mu, DenseMatrix[] weights, Loss loss, Formulation f,
        double rho) {
      int n = blk.rows();
      if (mu == null) {
        return addFused(blk, weights, loss, f);
      }
      double[] pred = new double[n];
      if (weights[0] != null) {
        DenseMatrix zc = blk.forward(weights[0]);
        blk.predict(zc, f, pred);
        atCandidate += loss.value(pred, blk.y());
        if (mu != null) {
          atCandidate += blk.augmentedPenalty(zc, mu, rho, null);
        }
      }
      DenseMatrix z = blk.forward(weights[1]);
      blk.predict(z, f, pred);
      double[] g = new double[n];
      atPoint += loss.valueAndGradient(pred, blk.y(), g);
      // z is consumed: reuse it for the masked residual dphi/dZ.
      DenseMatrix zy = mu != null ? z.copy() : null;
      blk.maskedResidual(g, f, z);
      if (mu != null) {
        atPoint += blk.augmentedPenalty(zy, mu, rho, z);
      }
      blk.addAdjoint(z, gradient);
      return this;
    }

    /**
     * Without multipliers only the predictions and the gradient are needed: one fused pass
     * ({@link RowBlock#addForwardAdjoint}) forms both predictions from one GEMM per tile of
     * rows, takes the loss and its gradient row-wise, and adds the tile's adjoint GEMM, so each
     * tile of X is read from memory once and no n_b x q product is stored.
     */
    private StepSums addFused(RowBlock blk, DenseMatrix[] weights, Loss loss, Formulation f) {
      boolean withCandidate = weights[0] != null;
      DenseMatrix[] groups = withCandidate ? weights : new DenseMatrix[] {weights[1]};
      double[] y = blk.y();
      blk.addForwardAdjoint(groups, f, (r0, len, predictions, g) -> {
        double[] yt = java.util.Arrays.copyOfRange(y, r0, r0 + len);
        if (withCandidate) {
          atCandidate += loss.value(predictions[0], yt);
        }
        atPoint += loss.valueAndGradient(predictions[groups.length - 1], yt, g);
      }, gradient);
      return this;
    }

    StepSums merge(StepSums o) {
      atCandidate += o.atCandidate;
      atPoint += o.atPoint;
      OrderedAggregate.addInto(gradient, o.gradient);
      return this;
    }
  }

  /** Per-task sums of a certificate pass. */
  static final class CertificateSums implements Serializable {
    private static final long serialVersionUID = 1L;
    double loss;
    double lambdaDotY;
    double lambdaNormSquared;
    double violation;
    double maxDualScale = Double.POSITIVE_INFINITY;
    final DenseMatrix dualMatrix;

    CertificateSums(int d, int q) {
      dualMatrix = new DenseMatrix(d, q);
    }

    CertificateSums add(RowBlock blk, DenseMatrix mu, Broadcast<DenseMatrix> b, Loss l,
        Formulation f) {
      int n = blk.rows();
      double[] lambda = new double[n];
      double[] y = blk.y();
      if (f == Formulation.GATED) {
        // No cone terms: the fused kernels, as in a FISTA pass.
        loss += blk.dualDirectionAt(b.value(), l, f, lambda);
        addMoments(lambda, y, l);
        blk.addMaskedAdjoint(lambda, f, dualMatrix);
        return this;
      }
      DenseMatrix z = blk.forward(b.value());
      violation = Math.max(violation, blk.constraintViolation(z));
      loss += blk.dualDirection(z, l, f, lambda);
      addMoments(lambda, y, l);
      blk.maskedResidual(lambda, f, z);
      if (mu != null) {
        blk.addConeTerm(mu, z);
      }
      blk.addAdjoint(z, dualMatrix);
      return this;
    }

    /** lambda^T y, ||lambda||^2 and the largest dual scale the loss allows. */
    private void addMoments(double[] lambda, double[] y, Loss l) {
      for (int k = 0; k < lambda.length; k++) {
        lambdaDotY += lambda[k] * y[k];
        lambdaNormSquared += lambda[k] * lambda[k];
      }
      maxDualScale = Math.min(maxDualScale, l.maxDualScale(lambda, y));
    }

    CertificateSums merge(CertificateSums o) {
      loss += o.loss;
      lambdaDotY += o.lambdaDotY;
      lambdaNormSquared += o.lambdaNormSquared;
      violation = Math.max(violation, o.violation);
      maxDualScale = Math.min(maxDualScale, o.maxDualScale);
      OrderedAggregate.addInto(dualMatrix, o.dualMatrix);
      return this;
    }

    CertificateStats stats() {
      return new CertificateStats(loss, lambdaDotY, lambdaNormSquared, violation, maxDualScale,
          dualMatrix);
    }
  }
}
