/**
 * Sign patterns D_i = diag(1[X g_i > 0]) of the hyperplane arrangement of the training data
 * (Pilanci and Ergen, ICML 2020, eq. (6)), the index set of the convex program: sampled from
 * random gate vectors, enumerated exactly when the data have small rank (one gate per cell of
 * the arrangement, which makes the program the exact reformulation), or searched for as gates
 * that violate the dual constraint over all patterns.
 * Patterns are kept as their gate vectors, plus the n x P 0/1 mask for the rows at hand. Free of
 * Spark: the distributed layer computes each row block's mask on the executors from the same
 * gates.
 */
package io.cvxrelu.patterns;
