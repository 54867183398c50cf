/**
 * The semismooth Newton augmented Lagrangian method (SSNAL) behind
 * {@link io.cvxrelu.solver.local.SsnalGatedSolver}, after Li, Sun and Toh, "A highly efficient
 * semismooth Newton augmented Lagrangian method for solving Lasso problems", SIAM J. Optim. 28
 * (2018), with the group-lasso proximal Jacobian of Zhang, Zhang, Sun and Toh (2020).
 * {@link io.cvxrelu.solver.local.ssnal.DualAugmentedLagrangian} (LST Algorithm 1, the
 * multiplier update) is the public entry; its named steps are the semismooth Newton inner
 * solve with its Armijo line search (LST Algorithm 2), the group soft-threshold, the
 * generalised Jacobian product, the preconditioned conjugate gradients and the certified
 * record of the run.
 */
package io.cvxrelu.solver.local.ssnal;
