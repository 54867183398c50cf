/**
 * Convex relaxations of a one-hidden-layer convolutional network with k non-overlapping
 * patches and one filter (Bartan and Pilanci, "Convex relaxations of convolutional neural
 * nets"): the randomized relaxation (eq. 8) and its beta -&gt; 0 limit, the LP (9) with dual
 * (10), solved by a structured interior point that eliminates the n k patch variables z_ij
 * elementwise; amplification over independent draws of the random direction r; the cone test
 * of eq. (14) that predicts exact recovery; gradient descent on the non-convex loss for the
 * phase transition (Fig. 1). Free of Spark: the jobs run draws and grid cells as tasks.
 */
package io.cvxrelu.cnn.relaxation;
