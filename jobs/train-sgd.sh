#!/usr/bin/env bash
# Train the non-convex two-layer ReLU network by mini-batch SGD from several initialisations
# (one Spark task each) on the objective of train-convex.sh; --help lists the options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cvxrelu_run io.cvxrelu.job.TrainSgdJob "$@"
