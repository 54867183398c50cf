/**
 * Vector-output (multi-class and multi-output) convex two-layer networks, single node and
 * Spark-free: the gated-ReLU group lasso over d x c blocks per sign pattern (Sahiner, Ergen,
 * Pauly and Pilanci, ICLR 2021, for vector outputs; the program of Mishkin, Sahiner and Pilanci
 * 2022, eq. (4), with c outputs), its losses (squared on one-hot targets, softmax
 * cross-entropy), a FISTA solver with a duality-gap certificate and the recovery of a gated
 * network from the blocks; and the cone-constrained ReLU program with a block pair per
 * pattern and class (scnn's multi-output ReLU form), solved as c scalar programs (squared loss)
 * or by the augmented Lagrangian (softmax), with exact recovery of a ReLU network.
 */
package io.cvxrelu.multiclass;
