/**
 * Reading and writing data and models without Spark: parsers for the text formats (CSV with
 * the label first, LIBSVM), CIFAR-10 binary batches and IDX (MNIST), class selection for a
 * binary task, feature standardisation and reduction fitted on the training rows,
 * {@code model.json} and the network CSV. Every unusable input is a
 * {@code DataFormatException} that names the file and the record. The job layer opens the
 * files (through Hadoop, any scheme) and hands these parsers a reader.
 */
package io.cvxrelu.io;
