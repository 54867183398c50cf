/**
 * Column generation over sign patterns: solve the program over a subset of patterns, search
 * for gates whose patterns violate the dual constraint of the full program, add them, and
 * repeat; and the certificate over ALL sign patterns of the data for weights found on a subset
 * (the restricted solution is feasible for the full program, and its dual point, scaled into
 * the dual constraint of every cell of the enumerated arrangement, bounds the full optimum from
 * below: by Pilanci and Ergen 2020, Theorem 1, the global minimum of the non-convex training
 * objective). Free of Spark; the distributed variant lives in {@code distributed}.
 */
package io.cvxrelu.solver.generation;
