package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.Certificate;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The passes of {@link DistributedProblem} with the sign patterns split into pattern blocks
 * ({@link PatternBlocks}), so that a task holds the d x q_k weights of one pattern block rather
 * than all d x q: tasks run over (row block, pattern block) pairs, each pattern block's slice of
 * the weights is its own broadcast, and each task's gradient piece is d x q_k.
 *
 * <p>The data-fit term of Pilanci and Ergen (ICML 2020, eq. (8)) couples the patterns only
 * through the prediction, yhat = sum_i D_i X (v_i - w_i) = sum_k yhat_k, a sum over pattern
 * blocks, while the gradient with respect to the block-k weights, X^T (M_k .* dL/dyhat) (plus
 * the cone-penalty term, which is local to block k), needs the whole prediction only through the
 * n_b-vector dL/dyhat. So a pass has three stages:
 * <ol>
 *   <li><b>forward</b>: task (row block r, pattern block k) forms Z = X_r B_k with one GEMM and
 *       the partial prediction yhat_{r,k} (and any scalar local to the pair, such as the cone
 *       penalty); one job over the R x K pairs, results persisted;
 *   <li><b>combine</b>: per row block, the K partial predictions are summed in pattern-block
 *       order (a chain of zipped partitions over the persisted partials, no shuffle) and the
 *       loss and its n_b-vector gradient are formed; persisted;
 *   <li><b>adjoint</b>: task (r, k) forms the n_b x q_k residual of its pattern block from that
 *       vector and its mask columns, and adds X_r^T R with one GEMM into the gradient piece of
 *       pattern block k; {@link OrderedAggregate} merges the pieces per pattern block in a fixed
 *       order, so results do not depend on task timing.
 * </ol>
 * The masks are the cached ones of the row blocks (computed on the executors from the gates);
 * a pair task reads only its pattern block's columns of them. Every broadcast is destroyed and
 * every intermediate unpersisted before a pass returns.
 */
final class PatternBlockPasses implements RowBlockPasses {
  private final DistributedData data;
  private final JavaSparkContext sc;
  private final Loss loss;
  private final Formulation formulation;
  private final PatternBlocks pb;

  PatternBlockPasses(DistributedData data, Loss loss, Formulation formulation,
      PatternBlocks pb) {
    this.data = data;
    this.sc = JavaSparkContext.fromSparkContext(data.blocks().context());
    this.loss = loss;
    this.formulation = formulation;
    this.pb = pb;
  }

  private int blockCount() {
    return formulation.blockCount(data.patternCount());
  }

  /** The forward stage's output for one row block and one pattern block (or their sum). */
  static final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Partial prediction at the point. */
    final double[] atPoint;
    /** Partial prediction at the candidate, or null. */
    final double[] atCandidate;
    /** A scalar summed over pattern blocks (the cone penalty at the candidate). */
    double sum;
    /** A scalar maximised over pattern blocks (the cone constraint violation). */
    double max;

    Partial(double[] atPoint, double[] atCandidate) {
      this.atPoint = atPoint;
      this.atCandidate = atCandidate;
    }

    /** this + o as a new value (cached partials are never modified). */
    Partial plus(Partial o) {
      Partial s = new Partial(added(atPoint, o.atPoint), added(atCandidate, o.atCandidate));
      s.sum = sum + o.sum;
      s.max = Math.max(max, o.max);
      return s;
    }

    private static double[] added(double[] a, double[] b) {
      return a == null ? null : OrderedAggregate.addInto(a.clone(), b);
    }
  }

  /** The combine stage's output for one row block. */
  static final class RowState implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The n_b-vector the adjoint stage masks (dL/dyhat, the dual direction, ...). */
    final double[] g;
    /** Scalars of the row block, counted once (by its pattern block 0 task). */
    final double[] sums;
    double max;
    double min = Double.POSITIVE_INFINITY;

    RowState(double[] g, double[] sums) {
      this.g = g;
      this.sums = sums;
    }
  }

  /** What a pass returns: the summed scalars and the gradient pieces per pattern block. */
  static final class Sums implements Serializable {
    private static final long serialVersionUID = 1L;
    final double[] sums;
    double max;
    double min = Double.POSITIVE_INFINITY;
    final DenseMatrix[] pieces;

    Sums(int scalars, int blocks) {
      sums = new double[scalars];
      pieces = new DenseMatrix[blocks];
    }

    Sums add(Pair in, Adjoint adj) throws Exception {
      if (in.k == 0) {
        OrderedAggregate.addInto(sums, in.state.sums);
        max = Math.max(max, in.state.max);
        min = Math.min(min, in.state.min);
      }
      DenseMatrix r = adj.apply(in.k, in.block, in.state, in.mu, sums);
      if (pieces[in.k] == null) {
        pieces[in.k] = new DenseMatrix(in.block.d(), r.cols());
      }
      in.block.addAdjoint(r, pieces[in.k]);
      return this;
    }

    Sums merge(Sums o) {
      OrderedAggregate.addInto(sums, o.sums);
      max = Math.max(max, o.max);
      min = Math.min(min, o.min);
      for (int k = 0; k < pieces.length; k++) {
        if (o.pieces[k] == null) {
          continue;
        }
        pieces[k] = pieces[k] == null ? o.pieces[k]
            : OrderedAggregate.addInto(pieces[k], o.pieces[k]);
      }
      return this;
    }

    /** The d x q gradient with every pattern block's piece in its columns. */
    DenseMatrix assemble(PatternBlocks pb, int d, int q) {
      DenseMatrix full = new DenseMatrix(d, q);
      for (int k = 0; k < pieces.length; k++) {
        if (pieces[k] != null) {
          pb.scatter(pieces[k], k, full);
        }
      }
      return full;
    }
  }

  /** Forward stage of task (k, row block); mu is the block's multiplier columns or null. */
  interface Forward extends Serializable {
    Partial apply(int k, RowBlock blk, DenseMatrix mu) throws Exception;
  }

  /** Combine stage of one row block from its summed partials. */
  interface Combine extends Serializable {
    RowState apply(RowBlock blk, Partial total) throws Exception;
  }

  /**
   * Adjoint stage of task (k, row block): returns the n_b x q_k residual R whose X^T-image is
   * added to pattern block k's piece; may add pair-local scalars into {@code sums}.
   */
  interface Adjoint extends Serializable {
    DenseMatrix apply(int k, RowBlock blk, RowState state, DenseMatrix mu, double[] sums)
        throws Exception;
  }

  /** One (pattern block, row block) input of the adjoint stage, built and used in one task. */
  record Pair(int k, RowBlock block, RowState state, DenseMatrix mu) {}

  /**
   * Runs the three stages and hands the sums and the (still persisted) row states to
   * {@code finish} on the driver; every intermediate is unpersisted afterwards.
   *
   * @param mu the cone multipliers aligned with the blocks (n_b x 2P each), or null
   * @param scalars the number of summed scalars in {@link RowState#sums}
   */
  private <T> T run(JavaRDD<DenseMatrix> mu, int scalars, Forward fwd, Combine comb,
      Adjoint adj, String phase, BiFunction<Sums, JavaRDD<RowState>, T> finish) {
    JavaRDD<RowBlock> blocks = data.blocks();
    PatternBlocks pb = this.pb;
    int count = pb.count();
    List<JavaRDD<Partial>> partials = new ArrayList<>(count);
    JavaRDD<RowState> states = null;
    try {
      for (int k = 0; k < count; k++) {
        int kk = k;
        JavaRDD<Partial> p = mu == null ? blocks.map(b -> fwd.apply(kk, b, null))
            : blocks.zip(mu).map(t -> fwd.apply(kk, t._1(), pb.columnsOf(t._2(), kk)));
        p.persist(StorageLevel.MEMORY_AND_DISK());
        partials.add(p);
      }
      sc.setJobDescription(phase + " (forward, row block x pattern block)");
      union(sc, partials).count();

      JavaRDD<Partial> total = partials.get(0);
      for (int k = 1; k < count; k++) {
        total = total.zipPartitions(partials.get(k), PatternBlockPasses::sumPartials);
      }
      states = blocks.zip(total).map(t -> comb.apply(t._1(), t._2()));
      states.persist(StorageLevel.MEMORY_AND_DISK());

      List<JavaRDD<Pair>> pairs = new ArrayList<>(count);
      for (int k = 0; k < count; k++) {
        int kk = k;
        pairs.add(mu == null
            ? blocks.zip(states).map(t -> new Pair(kk, t._1(), t._2(), null))
            : blocks.zip(states).zip(mu).map(t -> new Pair(kk, t._1()._1(), t._1()._2(),
                pb.columnsOf(t._2(), kk))));
      }
      sc.setJobDescription(phase + " (adjoint, row block x pattern block)");
      Sums sums = OrderedAggregate.aggregate(union(sc, pairs), new Sums(scalars, count),
          (acc, in) -> acc.add(in, adj), Sums::merge);
      return finish.apply(sums, states);
    } finally {
      for (JavaRDD<Partial> p : partials) {
        p.unpersist(false);
      }
      if (states != null) {
        states.unpersist(false);
      }
    }
  }

  /**
   * Per-row-block sums of the partials of two pattern-block ranges, in pattern-block order.
   */
  private static Iterator<Partial> sumPartials(Iterator<Partial> a, Iterator<Partial> b) {
    List<Partial> out = new ArrayList<>();
    while (a.hasNext()) {
      out.add(a.next().plus(b.next()));
    }
    return out.iterator();
  }

  /** The R x K pair tasks as one RDD: partition k R + r is (row partition r, pattern block k). */
  @SuppressWarnings("unchecked")
  private static <T> JavaRDD<T> union(JavaSparkContext sc, List<JavaRDD<T>> parts) {
    return sc.union(parts.toArray(new JavaRDD[0]));
  }

  /** Destroys every broadcast of a list. */
  static void destroy(List<? extends Broadcast<?>> broadcasts) {
    for (Broadcast<?> b : broadcasts) {
      b.destroy();
    }
  }

  // ------------------------------------------------------------------ the passes

  /** A broadcast per pattern block of its columns of each given weight matrix (null stays). */
  static List<Broadcast<DenseMatrix[]>> broadcastSlices(JavaSparkContext sc, PatternBlocks pb,
      DenseMatrix... weights) {
    List<Broadcast<DenseMatrix[]>> out = new ArrayList<>(pb.count());
    for (int k = 0; k < pb.count(); k++) {
      DenseMatrix[] slices = new DenseMatrix[weights.length];
      for (int i = 0; i < weights.length; i++) {
        slices[i] = weights[i] == null ? null : pb.columnsOf(weights[i], k);
      }
      out.add(sc.broadcast(slices));
    }
    return out;
  }

  /**
   * The FISTA pass of {@link DistributedProblem#evaluate}: phi at the candidate (if given) and
   * phi, grad phi at the point, phi the loss plus, with multipliers, the augmented-Lagrangian
   * penalty. The penalty is local to each pattern block: at the candidate it is summed in the
   * forward stage, at the point it is formed with its gradient in the adjoint stage (which forms
   * X_r B_k again rather than keep n x q values between the stages).
   */
  @Override
  public DistributedProblem.Evaluation evaluate(DenseMatrix candidate, DenseMatrix point,
      JavaRDD<DenseMatrix> mu, double rho) {
    PatternBlocks pb = this.pb;
    List<Broadcast<DenseMatrix[]>> bw = broadcastSlices(sc, pb, candidate, point);
    Loss loss = this.loss;
    Formulation f = formulation;
    boolean hasCandidate = candidate != null;
    try {
      Forward fwd = (k, blk, m) -> {
        DenseMatrix[] w = bw.get(k).value();
        int from = pb.from(k);
        int to = pb.to(k);
        double[] pc = null;
        double penalty = 0.0;
        if (w[0] != null) {
          DenseMatrix zc = blk.forward(w[0]);
          pc = new double[blk.rows()];
          blk.predict(zc, f, from, to, pc);
          if (m != null) {
            penalty = blk.augmentedPenalty(zc, m, rho, null, from, to);
          }
        }
        double[] py = new double[blk.rows()];
        blk.predict(blk.forward(w[1]), f, from, to, py);
        Partial p = new Partial(py, pc);
        p.sum = penalty;
        return p;
      };
      Combine comb = (blk, t) -> {
        double atCandidate = t.atCandidate == null ? 0.0
            : loss.value(t.atCandidate, blk.y()) + t.sum;
        double[] g = new double[blk.rows()];
        double atPoint = loss.valueAndGradient(t.atPoint, blk.y(), g);
        return new RowState(g, new double[] {atCandidate, atPoint});
      };
      Adjoint adj = (k, blk, st, m, sums) -> {
        int from = pb.from(k);
        int to = pb.to(k);
        DenseMatrix r = new DenseMatrix(blk.rows(), pb.width(k));
        blk.maskedResidual(st.g, f, from, to, r);
        if (m != null) {
          DenseMatrix zy = blk.forward(bw.get(k).value()[1]);
          sums[1] += blk.augmentedPenalty(zy, m, rho, r, from, to);
        }
        return r;
      };
      return run(mu, 2, fwd, comb, adj, "cvxrelu: gradient pass",
          (s, states) -> new DistributedProblem.Evaluation(
              hasCandidate ? s.sums[0] : Double.NaN, s.sums[1],
              s.assemble(pb, data.d(), blockCount())));
    } finally {
      destroy(bw);
    }
  }

  /** A^T A B of {@link DistributedProblem#normalOperator}: the prediction is the vector. */
  @Override
  public DenseMatrix normalOperator(DenseMatrix b) {
    PatternBlocks pb = this.pb;
    List<Broadcast<DenseMatrix[]>> bw = broadcastSlices(sc, pb, b);
    Formulation f = formulation;
    try {
      Forward fwd = (k, blk, m) -> {
        double[] p = new double[blk.rows()];
        blk.predict(blk.forward(bw.get(k).value()[0]), f, pb.from(k), pb.to(k), p);
        return new Partial(p, null);
      };
      Combine comb = (blk, t) -> new RowState(t.atPoint, new double[0]);
      Adjoint adj = (k, blk, st, m, sums) -> {
        DenseMatrix r = new DenseMatrix(blk.rows(), pb.width(k));
        blk.maskedResidual(st.g, f, pb.from(k), pb.to(k), r);
        return r;
      };
      return run(null, 0, fwd, comb, adj, "cvxrelu: power iteration",
          (s, states) -> s.assemble(pb, data.d(), b.cols()));
    } finally {
      destroy(bw);
    }
  }

  /**
   * The certificate statistics of {@link DistributedProblem#certificate}: the loss, the dual
   * direction lambda = -grad L per row block and its moments, the violation of the cone
   * constraints (ReLU, per pattern block in the forward stage) and the dual matrix
   * X^T (M .* lambda (+ S .* mu)), whose adjoint stage needs no weights. The dual rays are
   * the persisted row states (lambda per block), read before they are released.
   */
  @Override
  public Certificate certificate(DenseMatrix b, JavaRDD<DenseMatrix> mu, Certifier certify) {
    PatternBlocks pb = this.pb;
    List<Broadcast<DenseMatrix[]>> bw = broadcastSlices(sc, pb, b);
    Loss loss = this.loss;
    Formulation f = formulation;
    JavaRDD<RowBlock> blocks = data.blocks();
    try {
      Forward fwd = (k, blk, m) -> {
        DenseMatrix z = blk.forward(bw.get(k).value()[0]);
        double[] p = new double[blk.rows()];
        blk.predict(z, f, pb.from(k), pb.to(k), p);
        Partial out = new Partial(p, null);
        if (f == Formulation.RELU) {
          out.max = blk.constraintViolation(z, pb.from(k), pb.to(k));
        }
        return out;
      };
      Combine comb = (blk, t) -> {
        double[] y = blk.y();
        double[] lambda = new double[blk.rows()];
        double value = loss.valueAndGradient(t.atPoint, y, lambda);
        double dot = 0.0;
        double sq = 0.0;
        for (int i = 0; i < lambda.length; i++) {
          lambda[i] = -lambda[i];
          dot += lambda[i] * y[i];
          sq += lambda[i] * lambda[i];
        }
        RowState st = new RowState(lambda, new double[] {value, dot, sq});
        st.max = t.max;
        st.min = loss.maxDualScale(lambda, y);
        return st;
      };
      Adjoint adj = (k, blk, st, m, sums) -> {
        DenseMatrix r = new DenseMatrix(blk.rows(), pb.width(k));
        blk.maskedResidual(st.g, f, pb.from(k), pb.to(k), r);
        if (m != null) {
          blk.addConeTerm(m, r, pb.from(k), pb.to(k));
        }
        return r;
      };
      return run(mu, 3, fwd, comb, adj, "cvxrelu: certificate",
          (s, states) -> certify.certify(new CertificateStats(s.sums[0], s.sums[1], s.sums[2],
              s.max, s.min, s.assemble(pb, data.d(), blockCount())),
              () -> blocks.zip(states).map(t -> new double[][] {t._2().g, t._1().y()})));
    } finally {
      destroy(bw);
    }
  }

  /**
   * The multiplier update of {@link DistributedProblem#updatedMultipliers} per (row block,
   * pattern block) pair: the update of a multiplier reads only its own column of X B, so task
   * (r, k) forms X_r B_k and the n_b x 2m_k update of its pattern block (one job over the pairs,
   * persisted); the pieces are then placed side by side per row block into the n_b x 2P layout
   * of the multipliers, which is persisted and locally checkpointed before the pieces are
   * released and the broadcasts destroyed.
   */
  @Override
  public JavaRDD<DenseMatrix> updatedMultipliers(DenseMatrix b, JavaRDD<DenseMatrix> mu,
      double rho, String description) {
    PatternBlocks pb = this.pb;
    List<Broadcast<DenseMatrix[]>> bw = broadcastSlices(sc, pb, b);
    JavaRDD<RowBlock> blocks = data.blocks();
    int q = 2 * data.patternCount();
    List<JavaRDD<DenseMatrix>> pieces = new ArrayList<>(pb.count());
    try {
      for (int k = 0; k < pb.count(); k++) {
        int kk = k;
        JavaRDD<DenseMatrix> piece = blocks.zip(mu).map(t -> {
          RowBlock blk = t._1();
          DenseMatrix m = pb.columnsOf(t._2(), kk);
          DenseMatrix out = new DenseMatrix(blk.rows(), m.cols());
          blk.updatedMultipliers(blk.forward(bw.get(kk).value()[0]), m, rho, out, pb.from(kk),
              pb.to(kk));
          return out;
        });
        piece.persist(StorageLevel.MEMORY_AND_DISK());
        pieces.add(piece);
      }
      sc.setJobDescription(description + " (row block x pattern block)");
      union(sc, pieces).count();
      JavaRDD<DenseMatrix> next = pieces.get(0).map(p -> {
        DenseMatrix full = new DenseMatrix(p.rows(), q);
        pb.scatter(p, 0, full);
        return full;
      });
      for (int k = 1; k < pb.count(); k++) {
        int kk = k;
        // The left elements are fresh matrices of this task (never cached ones): fill in place.
        next = next.zipPartitions(pieces.get(k), (left, right) -> {
          List<DenseMatrix> out = new ArrayList<>();
          while (left.hasNext()) {
            DenseMatrix full = left.next();
            pb.scatter(right.next(), kk, full);
            out.add(full);
          }
          return out.iterator();
        });
      }
      return RowBlockPasses.checkpointed(next, description);
    } finally {
      for (JavaRDD<DenseMatrix> p : pieces) {
        p.unpersist(false);
      }
      destroy(bw);
    }
  }
}
