/**
 * Single-node solvers of the convex program, each a {@code ConvexSolver}: for the gated
 * program FISTA and the semismooth Newton augmented Lagrangian method (SSNAL), for the
 * cone-constrained ReLU program a primal-dual interior-point method, ADMM (Bai, Gautam and
 * Sojoudi 2022), an augmented-Lagrangian method, and an active-set polish of a moderately
 * accurate iterate. Each serves the sizes it is best at (the interior point while its
 * P d x P d normal equations fit, ADMM and the augmented Lagrangian beyond). All hold the data
 * in memory on one JVM and use the cores through the BLAS.
 */
package io.cvxrelu.solver.local;
