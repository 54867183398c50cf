/**
 * The training layer, free of Spark and Hadoop: what one convex training run is
 * ({@link io.cvxrelu.train.TrainingSpec}), how data and a spec become the convex program of
 * Pilanci and Ergen (2020, eq. (8)) with its labels, bias column, sign patterns and beta
 * ({@link io.cvxrelu.train.ProblemSetup}), and which solver runs it, on the driver or over row
 * blocks ({@link io.cvxrelu.train.SolverChoice}). The jobs, the Spark ML estimators, the
 * benchmarks and the tools set their problems up and choose their solvers here, so each of
 * those rules is written once. It sits on the problem, patterns and solver packages; the Spark
 * side (the jobs, {@code solver.distributed}) builds on it.
 */
package io.cvxrelu.train;
