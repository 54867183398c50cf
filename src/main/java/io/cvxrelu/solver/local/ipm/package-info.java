/**
 * The primal-dual interior-point iteration behind
 * {@link io.cvxrelu.solver.local.InteriorPointReluSolver}: Mehrotra predictor-corrector path
 * following with Nesterov-Todd scaling (Vandenberghe, "The CVXOPT linear and quadratic cone
 * program solvers", 2010) on the cone quadratic program of the ReLU problem with squared loss
 * (Pilanci and Ergen 2020, eq. (8)). {@link io.cvxrelu.solver.local.ipm.PathFollowing} is the
 * one public type; its named steps are the program's data ({@code ConeQp}), the iterate
 * ({@code ConeIterate}), the residuals, the scaling, the normal equations, the Newton direction
 * and the step length to the cones' boundary.
 */
package io.cvxrelu.solver.local.ipm;
