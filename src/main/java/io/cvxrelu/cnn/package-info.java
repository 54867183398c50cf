/**
 * Convex programs for two-layer convolutional networks (Pilanci and Ergen 2020, section 5;
 * Ergen and Pilanci, "Implicit convex regularizers of CNN architectures", ICLR 2021): the
 * linear CNN as a nuclear-norm regularised least squares over Z = sum_j u_j alpha_j^T (case 2),
 * the linear circular CNN as a group-l1 (complex l1) problem over the DFT of the data (case 3),
 * the separable CNN as a group lasso over blocks D_i^k X_k, gated or with cone constraints
 * (case 1, explicit design), and the CNN with shared filters and global pooling as a group
 * lasso over A_i = sum_k D_i^k X_k, gated or with cone constraints on the stacked patches.
 * Patch geometry (images as channels x height x width, square patches at a stride, or circular
 * patches of 1-D signals), a certified proximal-gradient solver for least squares plus a norm
 * (FISTA with restart, certificate from the dual norm), the project's interior-point method and
 * augmented Lagrangian on the cone-constrained programs (certified with their multipliers), and
 * the networks read off the solutions. Spark-free, like the rest of the math layer.
 */
package io.cvxrelu.cnn;
