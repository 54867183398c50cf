package io.cvxrelu.deep;

/**
 * A closed-form global optimum: the optimal value of the training objective J of
 * {@link DeepNetwork} and a network that attains it.
 *
 * @param value the optimal value, computed from the formula (not by evaluating the network)
 * @param network weights that attain it; {@code network.objective(X, Y, beta)} equals
 *     {@code value} up to rounding
 * @param pathNorms the output norm rho_k of each path (one per column of the first layer), the
 *     quantities the formula thresholds
 */
public record ClosedForm(double value, DeepNetwork network, double[] pathNorms) {
}
