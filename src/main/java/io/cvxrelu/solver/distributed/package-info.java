/**
 * The convex program on Spark: the training rows as cached RDD row blocks whose masks are
 * computed on the executors, the distributed counterpart of the problem (every pass a
 * {@code treeAggregate} of per-block GEMMs, in a task-order-independent order), the gated and
 * ReLU solvers that run the shared iterations over those passes, pattern blocks for programs
 * whose weights do not fit one task, distributed column generation, and checkpoints for
 * {@code --resume}. The only solver package that imports Spark.
 */
package io.cvxrelu.solver.distributed;
