/**
 * SGD on the non-convex two-layer ReLU objective across a Spark cluster: the training set is
 * broadcast once and each random initialisation is one task
 * ({@link io.cvxrelu.sgd.distributed.DistributedSgd}). The single-node trainer it runs is
 * {@link io.cvxrelu.sgd.SgdTrainer}; train-sgd and compare use these runs as the baseline the
 * convex program is compared with (Pilanci and Ergen 2020, Figs. 2 and 5).
 */
package io.cvxrelu.sgd.distributed;
