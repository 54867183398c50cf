/**
 * The convex program itself, as an immutable value: the convex reformulation of a two-layer
 * ReLU network over P sign patterns (Pilanci and Ergen, ICML 2020, eq. (8)) in its
 * cone-constrained ReLU and its gated (group lasso) formulation, the losses with their Fenchel
 * duals that the duality-gap certificate needs (squared, logistic), beta_max, and
 * {@code RowBlock}, the per-row kernels written once and used by the single-node and the
 * distributed solvers alike. Solvers read problems; they never change them.
 */
package io.cvxrelu.problem;
