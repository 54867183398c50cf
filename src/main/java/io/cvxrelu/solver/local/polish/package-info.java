/**
 * Active-set polish for the cone-constrained ReLU program with squared loss (Pilanci and
 * Ergen 2020, eq. (8)): from a moderately accurate iterate it guesses the support and the tight
 * cone rows, solves the smooth problem left on them exactly and fits the cone multipliers, so
 * that a first-order solver ({@link io.cvxrelu.solver.local.AdmmReluSolver}) can certify a tight
 * gap. {@link io.cvxrelu.solver.local.polish.ActiveSetPolish} (the primal-dual active-set
 * rounds) is the public entry; the steps are the cone rows, the reduced problem on a support,
 * Newton's method on it and the multipliers by non-negative least squares.
 */
package io.cvxrelu.solver.local.polish;
