/**
 * The seeds' theory as diagnostics: checks and predictions about data and optima that users of
 * convex neural networks run to understand them, each with an independent check in the tests.
 * The spike-free check (Ergen and Pilanci, section 2.3), the closed-form single-block group
 * lasso (the linear network's optimum) and its Gaussian-data prediction by the convex Gaussian
 * min-max theorem. Spark-free: it builds on {@code linalg}, {@code patterns}, {@code problem}
 * and the single-node solvers only.
 */
package io.cvxrelu.theory;
