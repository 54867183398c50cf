#!/usr/bin/env bash
# Convex program vs SGD from several initialisations on one task: report.md, comparison.csv,
# summary.json and PNG plots in --out. --help lists the options; conf/compare-cifar10.properties
# holds the CIFAR-10 airplane vs automobile defaults. --classes all (or three or more classes)
# compares the multi-class program with multi-output SGD (conf/compare-multiclass-*.properties);
# --architecture cnn-pooled compares the pooled CNN programs with SGD-trained CNNs
# (conf/compare-cnn-*.properties); --select-on-validation lets both sides choose their settings on
# held-out training rows (conf/compare-select-*.properties).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# A ReLU --polish solve (ADMM) keeps two n x n matrices: 8 GB for CIFAR-10's n = 10,000.
export CVXRELU_DRIVER_MEMORY="${CVXRELU_DRIVER_MEMORY:-8g}"
cvxrelu_run io.cvxrelu.job.CompareJob "$@"
