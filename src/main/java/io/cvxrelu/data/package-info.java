/**
 * Training and test data read on the executors, straight into cached blocks of rows: every
 * input format the jobs accept (CSV, LIBSVM, Spark ML Parquet, CIFAR-10 binary, IDX), class
 * selection, pixel scaling and the fitted preprocessing (standardisation, PCA, random
 * projection) done by per-block work and aggregations, so the driver holds O(d^2) state and
 * never a row of the data.
 *
 * <p>The entry point is {@link io.cvxrelu.data.DistributedInput}: a {@link
 * io.cvxrelu.data.DataSpec} in, {@link io.cvxrelu.data.BlockedDataset}s of {@link
 * io.cvxrelu.data.LabeledBlock}s out. The parsing rules and the preprocessing are those of the
 * single-node path ({@code io.TextDataReader}, {@code io.Cifar10Reader}, {@code io.IdxReader},
 * {@code io.FeatureTransform}), and the tests hold the two paths equal.
 *
 * <p>Layering: this package may use Spark and Hadoop; it sits beside {@code
 * solver.distributed}, below the jobs, and imports nothing from {@code ml} or {@code job}.
 */
package io.cvxrelu.data;
