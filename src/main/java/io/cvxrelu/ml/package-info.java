/**
 * The Spark ML API: {@link io.cvxrelu.ml.ConvexReluRegressor} (squared loss) and
 * {@link io.cvxrelu.ml.ConvexReluClassifier} (logistic loss, labels 0 and 1) are estimators
 * that fit a two-layer ReLU network to global optimality through the convex program of Pilanci
 * and Ergen (ICML 2020, eq. (8)), or its gated-ReLU relaxation, inside a {@code Pipeline} after
 * {@code VectorAssembler}. They share their params through {@link io.cvxrelu.ml.ConvexReluParams};
 * the fitted models share {@link io.cvxrelu.ml.ConvexReluFittedModel}, predict over blocks of
 * rows with GEMMs, and carry a {@link io.cvxrelu.ml.TrainingSummary} that says whether the
 * duality gap is certified. Models save as Spark ML params metadata plus {@code training.json}
 * and a {@code model.json} in the format the training job writes.
 * Fitting currently collects the rows to the driver and runs a single-node solver.
 */
package io.cvxrelu.ml;
