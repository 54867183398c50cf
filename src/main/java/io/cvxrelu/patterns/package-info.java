/**
 * Hyperplane-arrangement sign patterns D_i = diag(1[X g_i &gt; 0]) of Pilanci and Ergen
 * (ICML 2020, eq. (6)), the blocks of the convex program: sampled or given gates
 * ({@link io.cvxrelu.patterns.SignPatterns}), the exact enumeration of every cell of the
 * arrangement ({@link io.cvxrelu.patterns.ArrangementEnumerator}), and the search for a
 * pattern that a dual point violates ({@link io.cvxrelu.patterns.DualPatternSearch}). Plain
 * Java on {@link io.cvxrelu.linalg}, no Spark.
 */
package io.cvxrelu.patterns;
