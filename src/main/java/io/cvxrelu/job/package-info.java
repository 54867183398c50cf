/**
 * The command-line jobs behind {@code jobs/*.sh} ({@code train-convex}, {@code train-sgd},
 * {@code compare}) and the data generator, and what they share: declared options with
 * {@code --conf} files and {@code --help}, one runner that maps failures to a one-line message
 * and an exit code (2 usage, 3 data, 4 output), data loading in every supported format, and
 * atomic output through the Hadoop FileSystem. A job reads its options, hands the work to the
 * layers below and writes the outputs; the job layer is where a SparkSession is made, and no
 * job calls another.
 */
package io.cvxrelu.job;
