/**
 * Mini-batch SGD (momentum or Adam) on the non-convex two-layer ReLU network, on the same
 * training objective as the convex program solves (Pilanci and Ergen 2020, eq. (1)): the
 * baseline the comparison runs against the certified optimum, with its options, per-epoch
 * history and a named stop reason. Free of Spark; the jobs run one initialisation per Spark
 * task.
 */
package io.cvxrelu.sgd;
