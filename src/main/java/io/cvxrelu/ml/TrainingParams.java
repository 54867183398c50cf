package io.cvxrelu.ml;

import io.cvxrelu.problem.Formulation;
import io.cvxrelu.problem.Loss;
import io.cvxrelu.solver.SolverOptions;
import io.cvxrelu.train.SolverChoice;
import java.io.Serializable;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;

/**
 * The param objects behind {@link ConvexReluParams}, one set per estimator (an interface holds
 * no state), with their docs, validators and defaults, and the fit that reads their values.
 */
final class TrainingParams implements Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> formulation;
  final DoubleParam beta;
  final DoubleParam betaFraction;
  final IntParam patterns;
  final LongParam seed;
  final BooleanParam bias;
  final DoubleParam tol;
  final IntParam maxIter;
  final DoubleParam maxSeconds;
  final Param<String> solver;

  TrainingParams(Params owner) {
    formulation = new Param<>(owner, "formulation",
        "relu: cone-constrained program, exactly a ReLU network (Pilanci & Ergen 2020, eq. (8));"
            + " gated: the gated-ReLU program without the cone constraints",
        ParamValidators.inArray(new String[] {"relu", "gated"}));
    beta = new DoubleParam(owner, "beta",
        "regularisation strength beta > 0; when unset, betaFraction * beta_max",
        ParamValidators.gt(0.0));
    betaFraction = new DoubleParam(owner, "betaFraction",
        "beta as a fraction of beta_max = max_i ||X^T D_i y|| (used when beta is unset)",
        ParamValidators.gt(0.0));
    patterns = new IntParam(owner, "patterns", "number of sampled sign patterns P",
        ParamValidators.gtEq(1.0));
    seed = new LongParam(owner, "seed", "seed for sampling the gate vectors g ~ N(0, I)");
    bias = new BooleanParam(owner, "bias", "append a column of ones to the features");
    tol = new DoubleParam(owner, "tol", "target relative duality gap", ParamValidators.gt(0.0));
    maxIter = new IntParam(owner, "maxIter", "iteration budget", ParamValidators.gtEq(1.0));
    maxSeconds = new DoubleParam(owner, "maxSeconds", "time budget in seconds",
        ParamValidators.gt(0.0));
    solver = new Param<>(owner, "solver", "auto: on the executors from "
        + SolverChoice.AUTO_DISTRIBUTED_ROWS + " rows (as train-convex); local: rows collected "
        + "to the driver; distributed: solved over row blocks on the executors",
        ParamValidators.inArray(new String[] {"auto", "local", "distributed"}));
    // The job's defaults (conf/train-convex.properties), so both entry points agree.
    owner.setDefault(formulation, "relu");
    owner.setDefault(betaFraction, 0.01);
    owner.setDefault(patterns, 100);
    owner.setDefault(seed, 0L);
    owner.setDefault(bias, false);
    owner.setDefault(tol, SolverOptions.DEFAULTS.tolerance());
    owner.setDefault(maxIter, (int) Math.min(Integer.MAX_VALUE,
        SolverOptions.DEFAULTS.maxIterations()));
    owner.setDefault(maxSeconds, SolverOptions.DEFAULTS.maxSeconds());
    owner.setDefault(solver, "auto");
  }

  /** The values set on {@code owner} (or their defaults). */
  ConvexReluTraining.Settings settings(Params owner) {
    // Spark's typed params are Param<Object> from Java: unbox explicitly.
    return new ConvexReluTraining.Settings(
        Formulation.parse(owner.getOrDefault(formulation)),
        owner.isDefined(beta) ? (Double) owner.getOrDefault(beta) : null,
        (Double) owner.getOrDefault(betaFraction), (Integer) owner.getOrDefault(patterns),
        (Long) owner.getOrDefault(seed), (Boolean) owner.getOrDefault(bias),
        (Double) owner.getOrDefault(tol), (Integer) owner.getOrDefault(maxIter),
        (Double) owner.getOrDefault(maxSeconds),
        SolverChoice.Placement.parse(owner.getOrDefault(solver)));
  }

  /** Fits {@code data} with the values set on {@code owner}: the network its model wraps. */
  TrainedNetwork fit(Params owner, Dataset<?> data, String featuresCol, String labelCol,
      Loss loss) {
    ConvexReluTraining.Fit fit = ConvexReluTraining.fit(data, featuresCol, labelCol, loss,
        settings(owner));
    return new TrainedNetwork(fit.model(), fit.summary());
  }
}
