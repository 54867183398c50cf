/**
 * Closed-form global optima of deep networks in the special cases of Ergen and Pilanci,
 * "Revealing the structure of deep neural networks via convex duality" (ICML 2021), and of the
 * survey's section 2.1: whitened data (scalar and one-hot outputs, any depth L &gt;= 2),
 * rank-one data, and deep linear networks (the soft-thresholded SVD with its dual
 * certificate). Each answer is a value together with the weights of a network that attains it,
 * so a caller can evaluate {@link io.cvxrelu.deep.DeepNetwork#objective} at them. Free of Spark;
 * the derivations are in docs/deep-networks.md and in each class's javadoc.
 */
package io.cvxrelu.deep;
