/**
 * The 1-D spline corollary of the convex reformulation: a two-layer ReLU network on scalar
 * inputs with unpenalised neuron biases and output intercept is a Lasso over ramp atoms
 * (x - s)_+ and (s - x)_+, and kinks at the data points suffice (Ergen and Pilanci, ICML 2021,
 * "Revealing the structure of deep neural networks via convex duality"; Savarese et al., COLT
 * 2019; Parhi and Nowak, 2021). The program ({@link io.cvxrelu.spline.SplineLasso}), an exact,
 * certified solver ({@link io.cvxrelu.spline.SplineLassoSolver}) and the recovery of the
 * network weights ({@link io.cvxrelu.spline.SplineNetwork}). Free of Spark; the derivation is
 * in docs/deep-networks.md.
 */
package io.cvxrelu.spline;
