/**
 * Dense linear algebra for the solvers: a column-major {@code DenseMatrix} whose products are
 * single BLAS calls, thin named entry points to the netlib BLAS and LAPACK that
 * {@code dev.ludovic.netlib} selects at run time (native OpenBLAS when installed), Cholesky and
 * symmetric eigen-decompositions, non-negative least squares, and {@code Parallel}, which splits
 * large level-3 kernels across the cores when the BLAS runs one thread per task. It is the
 * bottom layer: it imports nothing else of the project and no Spark class (Spark keeps its
 * {@code mllib-local} linear algebra free of spark-core the same way).
 */
package io.cvxrelu.linalg;
