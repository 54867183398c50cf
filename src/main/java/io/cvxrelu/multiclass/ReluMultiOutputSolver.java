package io.cvxrelu.multiclass;

import io.cvxrelu.linalg.DenseMatrix;
import io.cvxrelu.solver.Certificate;
import io.cvxrelu.solver.IterationListener;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.solver.SolverResult;
import io.cvxrelu.solver.StopReason;
import io.cvxrelu.solver.iteration.AugmentedLagrangian;
import io.cvxrelu.solver.iteration.ProxGradientIteration;

/**
 * The augmented-Lagrangian method for the multi-output ReLU program ({@link
 * MultiOutputReluProgram}) with any multi-output loss (it is the solver of the coupled softmax
 * program): the rounds, rho schedule, inner tolerance and stopping rule are the scalar ReLU
 * program's ({@link AugmentedLagrangian}, as {@code solver.local.AugmentedLagrangianSolver}
 * runs them), with passes over this program injected: FISTA on L(F) plus Rockafellar's
 * augmented term for the cone rows, multipliers mu+ = (mu - rho K B)_+ (n x 2Pc), and the
 * duality-gap certificate of {@link MultiOutputReluProgram#certificate} at mu+. Certified only
 * when the stop reason is CONVERGED: gap within the tolerance and cone violation within the
 * feasibility tolerance. Stateless.
 */
public final class ReluMultiOutputSolver {

  /** Solves from {@code warmStart} (d x 2Pc, or null for zero). Never throws on a stall. */
  public SolverResult solve(MultiOutputReluProgram program, DenseMatrix warmStart,
      SolverOptions options, IterationListener listener) {
    long start = System.nanoTime();
    AugmentedLagrangian<DenseMatrix> method = new AugmentedLagrangian<>(program, options);
    AugmentedLagrangian.State<DenseMatrix> state = method.start(
        new DenseMatrix(program.n(), program.blockCount()));
    ConeFista fista = new ConeFista(program, warmStart != null ? warmStart.copy()
        : program.zeroWeights(), state.multipliers(), state.rho(),
        method.lipschitz(state.rho()));
    return method.run(new Passes(program, fista), state, false, listener, start);
  }

  /** The passes of a round on this node. */
  private static final class Passes implements AugmentedLagrangian.Passes<DenseMatrix> {
    private final MultiOutputReluProgram program;
    private final ConeFista fista;

    Passes(MultiOutputReluProgram program, ConeFista fista) {
      this.program = program;
      this.fista = fista;
    }

    @Override
    public ProxGradientIteration iteration() {
      return fista;
    }

    @Override
    public void reset(DenseMatrix multipliers, double rho, double lipschitz) {
      fista.reset(multipliers, rho, lipschitz);
    }

    @Override
    public DenseMatrix updatedMultipliers(DenseMatrix multipliers, double rho) {
      return ConeFista.shifted(program, fista.product(), multipliers, rho);
    }

    @Override
    public Certificate certificate(DenseMatrix updated) {
      return program.certificate(fista.iterate(), fista.product(), updated);
    }

    @Override
    public void release(DenseMatrix multipliers) {
      // Garbage: the next round allocates its own.
    }

    @Override
    public DenseMatrix finish(StopReason reason, DenseMatrix multipliers, DenseMatrix updated) {
      return updated;
    }
  }

  /**
   * FISTA with backtracking and gradient restart on h(B) = L(F(B)) + 1/(2 rho) sum ||(mu - rho
   * K B)_+||^2 plus the column group lasso. The iterate's product Z = X B is kept, and since Z
   * is linear in B the extrapolated point's product is the same combination: a step costs one
   * adjoint GEMM and one forward GEMM per trial.
   */
  static final class ConeFista implements ProxGradientIteration {
    private static final double STEP_GROWTH = 1.25;
    private final MultiOutputReluProgram program;
    private DenseMatrix mu;
    private double rho;
    private DenseMatrix b;
    private DenseMatrix z;
    private DenseMatrix bPrev;
    private DenseMatrix zPrev;
    private double momentum = 1.0;
    private double step;
    private double mapping = Double.POSITIVE_INFINITY;
    private long steps;

    ConeFista(MultiOutputReluProgram program, DenseMatrix start, DenseMatrix mu, double rho,
        double lipschitz) {
      this.program = program;
      this.b = start;
      this.z = program.product(start);
      this.bPrev = b.copy();
      this.zPrev = z.copy();
      reset(mu, rho, lipschitz);
    }

    /** A new round's term: momentum dropped, first step at least 1 / lipschitz. */
    void reset(DenseMatrix newMu, double newRho, double lipschitz) {
      mu = newMu;
      rho = newRho;
      momentum = 1.0;
      bPrev = b.copy();
      zPrev = z.copy();
      step = Math.max(step / STEP_GROWTH, 1.0 / lipschitz);
    }

    DenseMatrix product() {
      return z;
    }

    /** (mu - rho K B)_+ at product Z: the updated multipliers, and h's cone coefficients. */
    static DenseMatrix shifted(MultiOutputReluProgram program, DenseMatrix z, DenseMatrix mu,
        double rho) {
      DenseMatrix k = program.coneRows(z);
      double[] kd = k.data();
      double[] md = mu.data();
      for (int i = 0; i < kd.length; i++) {
        kd[i] = Math.max(0.0, md[i] - rho * kd[i]);
      }
      return k;
    }

    /** h at product Z; with {@code residual} non-null, writes R with grad h = X^T R. */
    private double value(DenseMatrix zz, DenseMatrix[] residual) {
      DenseMatrix f = program.predictFromProduct(zz);
      DenseMatrix g = residual != null ? new DenseMatrix(f.rows(), f.cols()) : null;
      double loss = program.outputLoss().valueAndGradient(f, program.y(), g);
      DenseMatrix t = shifted(program, zz, mu, rho);
      double penalty = 0.0;
      double[] td = t.data();
      double[] md = mu.data();
      for (int i = 0; i < td.length; i++) {
        penalty += td[i] * td[i] - md[i] * md[i];
      }
      if (residual != null) {
        // d/dZ_j of the penalty is -S_i .* t_j.
        double[] tdNeg = td;
        for (int i = 0; i < tdNeg.length; i++) {
          tdNeg[i] = -tdNeg[i];
        }
        residual[0] = program.residual(g, t);
      }
      return loss + penalty / (2.0 * rho);
    }

    @Override
    public boolean step() {
      double next = 0.5 * (1.0 + Math.sqrt(1.0 + 4.0 * momentum * momentum));
      double extra = (momentum - 1.0) / next;
      DenseMatrix y = MultiOutputFista.extrapolate(b, bPrev, extra);
      DenseMatrix zy = MultiOutputFista.extrapolate(z, zPrev, extra);
      DenseMatrix[] r = new DenseMatrix[1];
      double atY = value(zy, r);
      DenseMatrix grad = program.adjoint(r[0]);
      double[] yd = y.data();
      double[] gd = grad.data();
      double t = step * STEP_GROWTH;
      double threshold = program.beta();
      while (t > 1e-300) {
        DenseMatrix cand = new DenseMatrix(y.rows(), y.cols());
        double[] cd = cand.data();
        for (int k = 0; k < cd.length; k++) {
          cd[k] = yd[k] - t * gd[k];
        }
        softThresholdColumns(cand, t * threshold);
        double lin = 0.0;
        double sq = 0.0;
        for (int k = 0; k < cd.length; k++) {
          double dk = cd[k] - yd[k];
          lin += gd[k] * dk;
          sq += dk * dk;
        }
        DenseMatrix zc = program.product(cand);
        double atC = value(zc, null);
        if (atC <= atY + lin + sq / (2.0 * t) + 1e-12 * Math.abs(atY)) {
          mapping = Math.sqrt(maxColumnSquare(cand, y)) / t;
          accept(cand, zc, yd, next);
          step = t;
          steps++;
          return true;
        }
        t *= 0.5;
      }
      return false;
    }

    private static double maxColumnSquare(DenseMatrix a, DenseMatrix c) {
      double worst = 0.0;
      int rows = a.rows();
      for (int j = 0; j < a.cols(); j++) {
        double s = 0.0;
        for (int i = j * rows; i < (j + 1) * rows; i++) {
          double dv = a.data()[i] - c.data()[i];
          s += dv * dv;
        }
        worst = Math.max(worst, s);
      }
      return worst;
    }

    private void accept(DenseMatrix cand, DenseMatrix zc, double[] yd, double next) {
      momentum = MultiOutputFista.restartedMomentum(cand, b, yd, next);
      bPrev = b;
      zPrev = z;
      b = cand;
      z = zc;
    }

    /** The prox of t beta sum_j ||B_j||: each column shrunk by the threshold. */
    private static void softThresholdColumns(DenseMatrix m, double threshold) {
      int rows = m.rows();
      double[] md = m.data();
      for (int j = 0; j < m.cols(); j++) {
        double norm = m.columnNorm(j);
        double f = norm > threshold ? 1.0 - threshold / norm : 0.0;
        for (int i = j * rows; i < (j + 1) * rows; i++) {
          md[i] *= f;
        }
      }
    }

    @Override
    public long steps() {
      return steps;
    }

    @Override
    public DenseMatrix iterate() {
      return b;
    }

    @Override
    public double gradientMapping() {
      return mapping;
    }
  }
}
