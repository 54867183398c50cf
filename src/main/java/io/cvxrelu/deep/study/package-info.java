/**
 * The experiment of {@code jobs/deep-closed-form.sh} (Ergen and Pilanci, ICML 2021, Figure 2):
 * the closed-form optima of {@code io.cvxrelu.deep} for L = 2, 3, 4 over a grid of beta beside
 * the convex program (L = 2) and the best and median of several runs of the L-layer trainer,
 * with train and test accuracy, on whitened CIFAR-10 (three classes, one-hot), a small whitened
 * scalar set and a rank-one set; and the 1-D spline panel (free biases, seed 003's Figure 1:
 * the certified convex optimum with kinks at the data points against off-data kinks and Adam).
 * Spark-free: the job only reads options and writes the files.
 */
package io.cvxrelu.deep.study;
