package io.cvxrelu.solver.local.ssnal;

/**
 * The penalty schedule of the augmented Lagrangian (LST Algorithm 1, step 3), in units of
 * 1 / ||A||^2: sigma_0 = initialScale / ||A||^2, multiplied by {@code growth} after each outer
 * iteration up to maxScale / ||A||^2.
 *
 * @param initialScale sigma_0 ||A||^2
 * @param growth factor applied to sigma after each outer iteration
 * @param maxScale largest sigma ||A||^2
 */
public record SigmaSchedule(double initialScale, double growth, double maxScale) {}
