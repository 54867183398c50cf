/**
 * Trained models and how they are judged: the convex model (its gates and solved blocks, and
 * for the ReLU formulation the network recovered from them, Pilanci and Ergen 2020, Theorem 1),
 * the two-layer ReLU network f(x) = sum_j (x^T u_j)_+ alpha_j with its weight-decay training
 * objective, and {@code Metrics}, the one definition of accuracy and mean squared error used by
 * the jobs, the SGD trainer, the reports and the bench. Free of Spark.
 */
package io.cvxrelu.model;
