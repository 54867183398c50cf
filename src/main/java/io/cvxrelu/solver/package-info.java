/**
 * The solver contract, shared by every algorithm local or distributed: a stateless
 * {@code ConvexSolver} takes a problem and {@code SolverOptions} and returns a
 * {@code SolverResult} (weights, history, a named {@code StopReason}) carrying a
 * {@code Certificate}, the duality gap of the weights (Pilanci and Ergen 2020, the dual of
 * eq. (8)); an {@code IterationListener} is how progress logs, checkpoints and plots see a run,
 * and {@code Certification} is the one rule for calling a gap certified. The algorithms live in
 * the subpackages: shared iterations in {@code iteration}, single-node methods in
 * {@code local}, column generation in {@code generation}, the Spark solvers in
 * {@code distributed}.
 */
package io.cvxrelu.solver;
