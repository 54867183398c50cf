/**
 * The dense linear algebra every solver runs on: a column-major
 * {@link io.cvxrelu.linalg.DenseMatrix}, BLAS and LAPACK calls through netlib
 * ({@link io.cvxrelu.linalg.Blas}), a blocked parallel {@link io.cvxrelu.linalg.Cholesky},
 * symmetric eigenvalues, Lawson-Hanson non-negative least squares and the fork-join helper
 * {@link io.cvxrelu.linalg.Parallel}. It depends on nothing else in the project.
 */
package io.cvxrelu.linalg;
