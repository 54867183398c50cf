/**
 * The iterations the single-node and the distributed solvers share, written once and given
 * their passes over the data: accelerated proximal gradient (FISTA, Beck and Teboulle 2009,
 * with backtracking and adaptive restart) with group soft-thresholding as the prox, its
 * prediction-space variant, the smooth loss terms of the gated program and of the augmented
 * Lagrangian of the cone-constrained one, and the operator-norm estimates that set the first
 * step. Free of Spark: a distributed solver supplies its passes over the row blocks.
 */
package io.cvxrelu.solver.iteration;
