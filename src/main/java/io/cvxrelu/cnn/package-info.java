/**
 * Convex programs for two-layer convolutional networks (Pilanci and Ergen 2020, section 5): the
 * linear CNN as a nuclear-norm regularised least squares over Z = sum_j u_j alpha_j^T (case 2),
 * the linear circular CNN as a group-l1 (complex l1) problem over the DFT of the data (case 3),
 * and the gated separable CNN as a group lasso over blocks D_i^k X_k (case 1, gated variant,
 * explicit design). Patch geometry (images as channels x height x width, square patches at a stride,
 * or circular patches of 1-D signals), a certified proximal-gradient solver for least squares
 * plus a norm (FISTA with restart, certificate from the dual norm), and the network read off
 * the solution. Spark-free, like the rest of the math layer.
 */
package io.cvxrelu.cnn;
