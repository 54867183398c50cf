/**
 * The seeds' theory as diagnostics: checks and predictions about data and optima that users of
 * convex neural networks run to understand them, each with an independent check in the tests.
 * The spike-free check (Ergen and Pilanci, section 2.3), the minimum-norm interpolating network
 * (beta -&gt; 0) with its certified bracket, the closed-form single-block group lasso (the linear
 * network's optimum) and its Gaussian-data prediction by the convex Gaussian min-max theorem,
 * the relaxed single-neuron loss, and the gap between SGD at width m and the certified optimum.
 * Spark-free: it builds on {@code linalg}, {@code patterns}, {@code problem}, {@code model}, the
 * single-node solvers and the single-node SGD trainer only.
 */
package io.cvxrelu.theory;
