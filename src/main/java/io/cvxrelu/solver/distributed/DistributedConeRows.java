package io.cvxrelu.solver.distributed;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.problem.RowBlock;
import io.cvxrelu.solver.local.ipm.ConeRows;
import io.cvxrelu.solver.local.ipm.RowConeTerms;
import io.cvxrelu.solver.local.ipm.RowConeTerms.State;
import io.cvxrelu.solver.local.ipm.RowConeTerms.Trajectory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;

/**
 * The rows' side of the interior point ({@link ConeRows}) over distributed row blocks. Each
 * block keeps only the slacks s and multipliers z of its cone rows ({@link State}: 4 P doubles
 * per row, 3.2 KB at P = 100); every pass recomputes the residuals, the scaling and the
 * directions from them and from the iteration's {@link Trajectory} (d x 2P matrices in the task
 * closure) with {@link RowConeTerms}: one GEMM X [b dx_a dx_c] per block and elementwise work.
 * A step is three passes: the residuals with the predictor's right-hand side; the predictor's
 * ratio test with the complementarity polynomial after it and both parts of the corrector's
 * right-hand side (affine in sigma mu); and the corrector's ratio test. The step itself is
 * taken in the next pass that reads the state, the next iteration's first, which also sums the
 * loss moments and cone violation that certify the new iterate
 * ({@link io.cvxrelu.solver.local.ipm.CertifiedPath#fromPrepared}), so an iteration is three
 * passes. Sums are
 * {@link OrderedAggregate}s; the driver holds the d x 2P, d(d+1)/2 x 2P and P d x P d
 * summaries only.
 *
 * <p>A block's state is never changed in place: the step maps the state RDD to a new one,
 * locally checkpointed (bounded lineage over the 20-60 iterations); the previous one is
 * unpersisted once the new one has been read, unless the multipliers of a kept iterate
 * ({@link #multipliers}, a view of the state) still need it. The state RDD maps the data's
 * blocks, so it zips with them.
 */
final class DistributedConeRows implements ConeRows, AutoCloseable {
  private final DistributedData data;
  private final int d;
  private final int m;
  private final int pairs;
  private long rowCount = -1;
  private JavaRDD<State> state;
  /** Multiplier views handed out and the state each reads. */
  private final Map<JavaRDD<DenseMatrix>, JavaRDD<State>> held = new IdentityHashMap<>();
  /** States no longer current or held, unpersisted after the next pass over the current one. */
  private final List<JavaRDD<State>> retired = new ArrayList<>();
  private Trajectory path;
  private double[] affineRightHandSide;
  /** The last recovered direction and its complementarity polynomial c0 + c1 a + c2 a^2. */
  private int recovered = -1;
  private double[] polynomial;
  /** X^T (sign .* (phi r_z - z - ds_a dz_a / s)) and X^T (sign ./ s) from the predictor's pass. */
  private double[] correctorParts;
  private boolean stepPending;

  DistributedConeRows(DistributedData data) {
    this.data = data;
    this.d = data.d();
    this.m = 2 * data.patternCount();
    this.pairs = d * (d + 1) / 2;
  }

  private static RowConeTerms terms(RowBlock blk, int[] kept) {
    return new RowConeTerms(blk.x(), blk.y(), blk.mask(), blk.patternCount(), kept);
  }

  @Override
  public long rowCount() {
    if (rowCount < 0) {
      context("rows");
      rowCount = (long) OrderedAggregate.aggregate(data.blocks(), new double[1],
          (acc, blk) -> {
            acc[0] += RowConeTerms.keptRows(blk.x()).length;
            return acc;
          }, OrderedAggregate::addInto)[0];
    }
    return rowCount;
  }

  @Override
  public DenseMatrix patternGram() {
    int p = data.patternCount();
    int length = RowConeTerms.packedGramLength(d, p);
    context("pattern Gram");
    double[] g = OrderedAggregate.aggregate(data.blocks(), new double[length + 1],
        (acc, blk) -> {
          int[] kept = RowConeTerms.keptRows(blk.x());
          terms(blk, kept).addPatternGram(acc);
          acc[length] += kept.length;
          return acc;
        }, OrderedAggregate::addInto);
    rowCount = (long) g[length];
    return RowConeTerms.unpackPatternGram(g, d, p);
  }

  @Override
  public double startSumSquares(DenseMatrix unit) {
    context("start");
    return OrderedAggregate.aggregate(data.blocks(), new double[1], (acc, blk) -> {
      acc[0] += terms(blk, RowConeTerms.keptRows(blk.x())).startSumSquares(unit);
      return acc;
    }, OrderedAggregate::addInto)[0];
  }

  @Override
  public void start(DenseMatrix unit, double scale, double zeta) {
    JavaRDD<State> first = data.blocks().map(blk -> {
      int[] kept = RowConeTerms.keptRows(blk.x());
      return terms(blk, kept).start(unit, scale, zeta);
    });
    replaceState(first);
  }

  @Override
  public Prepared prepare(DenseMatrix b) {
    takeStep();
    path = Trajectory.at(b.copy());
    Trajectory t = path;
    int dm = d * m;
    int pm = pairs * m;
    context("residuals, scaling and the predictor's right-hand side");
    int length = dm + 1 + pm + dm + RowConeTerms.MOMENTS;
    double[] out = OrderedAggregate.aggregate(data.blocks().zip(state), new double[length],
        (acc, bs) -> sumWithLastMax(acc, terms(bs._1(), bs._2().rows()).prepare(bs._2(), t.b())),
        DistributedConeRows::sumWithLastMax);
    afterPass();
    affineRightHandSide = Arrays.copyOfRange(out, dm + 1 + pm, dm + 1 + pm + dm);
    int at = dm + 1 + pm + dm;
    return new Prepared(new DenseMatrix(d, m, Arrays.copyOfRange(out, 0, dm)), out[dm],
        new DenseMatrix(pairs, m, Arrays.copyOfRange(out, dm + 1, dm + 1 + pm)),
        new LossMoments(out[at], out[at + 1], out[at + 2], out[at + 3]));
  }

  /** a += b, except the last entry (the cone violation), which takes the max. */
  private static double[] sumWithLastMax(double[] a, double[] b) {
    int last = a.length - 1;
    double worst = Math.max(a[last], b[last]);
    OrderedAggregate.addInto(a, b);
    a[last] = worst;
    return a;
  }

  /** No pass: both from the passes before (the corrector's is affine in sigma mu). */
  @Override
  public DenseMatrix rightHandSide(int direction, double sigma, double mu) {
    if (direction == AFFINE) {
      return new DenseMatrix(d, m, affineRightHandSide.clone());
    }
    requireRecovered(AFFINE);
    path = path.withCentering(sigma, mu);
    int dm = d * m;
    double[] rhs = new double[dm];
    for (int k = 0; k < dm; k++) {
      rhs[k] = correctorParts[k] + sigma * mu * correctorParts[dm + k];
    }
    return new DenseMatrix(d, m, rhs);
  }

  @Override
  public double recover(int direction, DenseMatrix dxB) {
    path = direction == AFFINE ? path.withAffine(dxB.copy()) : path.withCombined(dxB.copy());
    Trajectory t = path;
    context(direction == AFFINE ? "the predictor's ratio test" : "the corrector's ratio test");
    double[] zero = new double[direction == AFFINE ? 4 + 2 * d * m : 4];
    zero[0] = Double.POSITIVE_INFINITY;
    double[] out = OrderedAggregate.aggregate(data.blocks().zip(state), zero,
        (acc, bs) -> merge(acc, terms(bs._1(), bs._2().rows()).recover(bs._2(), t)),
        DistributedConeRows::merge);
    afterPass();
    recovered = direction;
    polynomial = Arrays.copyOfRange(out, 1, 4);
    if (direction == AFFINE) {
      correctorParts = Arrays.copyOfRange(out, 4, out.length);
    }
    return out[0];
  }

  /** The minimum of the steps and the sum of the polynomials' coefficients. */
  private static double[] merge(double[] a, double[] b) {
    a[0] = Math.min(a[0], b[0]);
    for (int k = 1; k < a.length; k++) {
      a[k] += b[k];
    }
    return a;
  }

  /** From the polynomial the ratio test summed: no pass. */
  @Override
  public double complementarityAfter(int direction, double alpha) {
    requireRecovered(direction);
    return polynomial[0] + alpha * (polynomial[1] + alpha * polynomial[2]);
  }

  /** Deferred: the next pass over the state takes the step before its own work. */
  @Override
  public void advance(int direction, double alpha) {
    requireRecovered(COMBINED);
    if (direction != COMBINED) {
      throw new IllegalStateException("the rows step along the corrector only");
    }
    path = path.withStep(alpha);
    stepPending = true;
  }

  private void requireRecovered(int direction) {
    if (recovered != direction || path == null) {
      throw new IllegalStateException("direction " + direction + " was not recovered last");
    }
  }

  /**
   * The cone multipliers, one n_b x 2P matrix per block aligned with the data's blocks: a view
   * of the current state, kept until {@link #release}d.
   */
  JavaRDD<DenseMatrix> multipliers() {
    takeStep();
    JavaRDD<State> st = state;
    JavaRDD<DenseMatrix> mu = st.map(State::multipliers);
    held.put(mu, st);
    return mu;
  }

  /** Gives back multipliers from {@link #multipliers}: their state may go. */
  void release(JavaRDD<DenseMatrix> mu) {
    JavaRDD<State> st = held.remove(mu);
    if (st != null) {
      retire(st);
    }
  }

  /** Releases every state. */
  @Override
  public void close() {
    if (state != null) {
      state.unpersist(false);
    }
    held.values().forEach(s -> s.unpersist(false));
    retired.forEach(s -> s.unpersist(false));
    held.clear();
    retired.clear();
  }

  /** The deferred step as a new state RDD (read, and so built, by the next pass). */
  private void takeStep() {
    if (!stepPending) {
      return;
    }
    Trajectory t = path;
    replaceState(data.blocks().zip(state).map(bs -> terms(bs._1(), bs._2().rows())
        .advance(bs._2(), t)));
    stepPending = false;
    recovered = -1;
  }

  private void replaceState(JavaRDD<State> next) {
    next.rdd().localCheckpoint();
    JavaRDD<State> previous = state;
    state = next;
    if (previous != null) {
      retire(previous);
    }
  }

  private void retire(JavaRDD<State> st) {
    if (st != state && !held.containsValue(st) && !retired.contains(st)) {
      retired.add(st);
    }
  }

  /** Unpersists the retired states once a pass has read (and so built) the current one. */
  private void afterPass() {
    retired.forEach(s -> s.unpersist(false));
    retired.clear();
  }

  private void context(String what) {
    data.blocks().context().setJobDescription("cvxrelu: interior point, " + what);
  }
}
