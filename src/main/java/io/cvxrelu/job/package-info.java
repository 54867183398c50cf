/**
 * The command-line jobs ({@code jobs/*.sh}): each reads its options, builds a
 * {@link io.cvxrelu.train.TrainingSpec}, calls the training layer and writes its outputs
 * atomically. The plumbing they share lives in helper classes here, never in another job:
 * option parsing and exit codes ({@link io.cvxrelu.job.JobOptions}, {@code JobRunner}), the
 * Spark session and its master rule ({@code JobContext}), data input ({@code DataLoader},
 * {@code HadoopIo}), and each job's solve and output steps. Only this layer creates a
 * SparkSession or reads configuration.
 */
package io.cvxrelu.job;
