/**
 * Column generation over the atoms of the ReLU program, behind
 * {@link io.cvxrelu.solver.local.AtomGenerationReluSolver}. The cone-constrained program of
 * Pilanci and Ergen (ICML 2020, eq. (8)) is a lasso over the atoms D_j X u with u a unit vector
 * of the chamber K_j = {u : (2 D_j - I) X u &gt;= 0} (a v block) or its negative (a w block),
 * since for u in K_j the block penalty ||v_j|| is the gauge of the atoms of K_j. Pricing an atom
 * is a projection onto the chamber ({@link io.cvxrelu.solver.local.atoms.ChamberProjector},
 * Lawson and Hanson's active set on the projection's dual); the restricted program over the
 * atoms found is a non-negative lasso ({@link io.cvxrelu.solver.local.atoms.NonnegativeLasso}).
 */
package io.cvxrelu.solver.local.atoms;
