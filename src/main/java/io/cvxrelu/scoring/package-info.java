/**
 * Scoring new rows with a trained convex model, without Spark: the saved preprocessing and the
 * model applied to a block of rows with GEMMs ({@link io.cvxrelu.scoring.Scorer}), and the
 * test metrics summed block by block with the definitions of {@code model.Metrics}
 * ({@link io.cvxrelu.scoring.ScoreSums}). The predict job ships a scorer to the executors.
 */
package io.cvxrelu.scoring;
